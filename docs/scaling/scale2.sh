#!/bin/bash
cd "$(dirname "$0")"
common="-test.run ^$ -test.cpu 1,4,16 -test.benchmem -test.benchtime 200ms"
./lclock.test $common -test.bench 'Parallel' > $OUT/lclock.txt 2>&1
./balancer.test $common -test.bench '.' > $OUT/balancer.txt 2>&1
./transport.test $common -test.bench 'BalanceSuccessParallel' > $OUT/transport-balance.txt 2>&1
./bench.test $common -test.bench 'All/(concurrency|rate_limit)' > $OUT/bench-slots.txt 2>&1
echo done
