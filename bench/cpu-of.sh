#!/usr/bin/env bash
# cpu-of.sh FILE CMD...: runs CMD (a GOCACHEPROG helper) and, when it exits, appends to FILE one
# line "USER,SYS,END": its CPU seconds and the time it exited (ms since the epoch). Unlike
# /usr/bin/time it does not keep go's pipe open: go reads the helper's stdout until it closes,
# and a wrapper holding its own copy of it would make go wait for what the helper does after
# answering close (uploads drained, housekeeping, the JVM's exit), which go does not wait for.
out=$1
shift
exec 3<&0
"$@" 0<&3 3<&- &
pid=$!
exec 3<&- 1>&-
wait "$pid"
rc=$?
end=$(( $(date +%s%N) / 1000000 ))
# the second line of `times`: this shell's children, e.g. "0m3.170s 0m1.390s" (run here, not in a
# pipeline's subshell, whose children would be none)
t=$(mktemp)
times >"$t"
awk -v end="$end" 'NR == 2 {
  split($1, u, /[ms]/); split($2, s, /[ms]/)
  printf "%.2f,%.2f,%s\n", u[1] * 60 + u[2], s[1] * 60 + s[2], end }' "$t" >>"$out"
rm -f "$t"
exit "$rc"
