#!/bin/bash
# Scaling run for the device machine: RunParallel benchmarks at -cpu 1,4,16.
cd "$(dirname "$0")"
nproc > $OUT/machine.txt; grep -m1 "model name" /proc/cpuinfo >> $OUT/machine.txt
common="-test.run ^$ -test.cpu 1,4,16 -test.benchmem -test.benchtime 200ms"
./breaker.test $common -test.bench 'Parallel' > $OUT/breaker.txt 2>&1
./queue.test $common -test.bench 'Parallel' > $OUT/queue.txt 2>&1
./limiter.test $common -test.bench 'Parallel' > $OUT/limiter.txt 2>&1
./transport.test $common -test.bench 'Parallel' > $OUT/transport.txt 2>&1
./bench.test $common -test.bench 'All/.*/.*/parallel' > $OUT/bench.txt 2>&1
echo done
