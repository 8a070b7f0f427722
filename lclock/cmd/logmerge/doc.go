// Command logmerge merges JSON log files from several services into one
// stream in causal order, by the logical-clock stamp that lclock.Handler
// puts on every line, and shows where the wall-clock order is wrong.
//
// Usage:
//
//	logmerge [flags] file...
//
// Each file holds one JSON object per line, as log/slog's JSONHandler
// writes them. Lines are ordered by their stamp (the "lclock" attribute, a
// string in the clock's text form, or a number for Lamport stamps written
// by other tools); lines with equal stamps (concurrent events) keep the
// order of the files on the command line, then of the lines in each file.
// Lines without a stamp are left out and counted on standard error. All
// stamps must be of one kind, HLC ("1764190881123.00007") or Lamport
// ("42"); a mix is an error.
//
// By default the merged lines are written unchanged, one per line, so the
// output pipes into jq. With -table, a table is written instead (stamp,
// wall time, service, message), in which a line whose wall time is earlier
// than that of a line before it, that is, where sorting by wall time would
// have got the order wrong, is marked with "!" in the first column, and a
// last line counts them:
//
//	   STAMP                WALL TIME     SERVICE  MESSAGE
//	   1795727272756.00000  21:07:52.757  A        A: calling B
//	!  1795727272757.00002  21:07:52.558  B        B: request received
//	   1795727272908.00001  21:07:52.908  C        C: request received
//	   1795727272909.00000  21:07:52.909  C        C: replying
//	!  1795727272909.00003  21:07:52.559  B        B: reply from C
//	!  1795727272909.00004  21:07:52.559  B        B: replying
//	!  1795727272909.00007  21:07:52.759  A        A: reply from B
//	7 lines; 4 out of order by wall clock (marked !)
//
// Flags:
//
//	-key string       the stamp attribute (default "lclock")
//	-service string   the service attribute (default "service")
//	-time string      the wall-time attribute, RFC 3339 (default "time")
//	-msg string       the message attribute (default "msg")
//	-table            write a table rather than the merged JSON lines
//
// The exit status is 0 on success, 1 when a file cannot be read or holds a
// line that is not JSON or a stamp of the wrong kind, 2 on bad usage.
//
// What the order means: a line is after every line that causally preceded
// it (an earlier line of the same process, or of another process that sent
// a request or reply which this process received before logging). Lines
// of concurrent events are in an arbitrary (but stamp-consistent) order;
// see docs/logical-clocks.md.
package main
