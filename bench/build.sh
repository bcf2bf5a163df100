#!/usr/bin/env bash
# Whole-process benchmark: go's default GOCACHE vs progcache, measured side by side in one run.
#   cold `go build std` (fresh caches), warm `go build std` (median of RUNS), helper
#   start-to-handshake latency (median of 50).
# Usage: bench/build.sh            (after ./mvnw package; needs go >= 1.24 on PATH)
#        RUNS=7 bench/build.sh
# Prints a table of times and ratios (progcache ÷ default). Machines are noisy: compare the
# ratios of one run, not absolute times across days.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/src/main/sh/find-jdk.sh"
jdk=$(progcache_find_jdk) || { echo "bench: no JDK >= 25 found" >&2; exit 1; }
pc="$here/target/progcache/bin/progcache"
[ -x "$pc" ] || { echo "bench: $pc missing; run ./mvnw -q package -DskipTests first" >&2; exit 1; }
command -v go >/dev/null || { echo "bench: no go on PATH" >&2; exit 1; }
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-count=1 GOENV=off GOTOOLCHAIN=local GOPROXY=off
unset GOCACHEPROG

now() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

timed() { # label, then the command; prints elapsed ns
  local t0 t1
  sync # the last run's file writes reach the disk now, not during this timed run
  t0=$(now)
  "$@" >/dev/null 2>"$work/last.err" || { echo "bench: failed: $*" >&2; cat "$work/last.err" >&2; exit 1; }
  t1=$(now)
  echo $((t1 - t0))
}

default_build() { GOCACHE="$work/default" go build std; }
prog_build() { GOCACHE="$work/prog" GOCACHEPROG="$pc" go build std; }
# the same helper with C2 as well, for comparison (the launcher runs one-shot helpers C1 only)
c2_build() { GOCACHE="$work/c2" PROGCACHE_JAVA_OPTS="-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2" GOCACHEPROG="$pc" go build std; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(go version); $("$jdk/bin/java" -version 2>&1 | head -1); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cold go build std (fresh caches) ..."
cold_default=$(timed default_build)
cold_prog=$(timed prog_build)
cold_c2=$(timed c2_build)
echo "warm go build std, $runs runs each, interleaved ..."
: >"$work/wd"; : >"$work/wp"; : >"$work/w2"
for _ in $(seq "$runs"); do
  timed default_build >>"$work/wd"
  timed prog_build >>"$work/wp"
  timed c2_build >>"$work/w2"
done
warm_default=$(median <"$work/wd")
warm_prog=$(median <"$work/wp")
warm_c2=$(median <"$work/w2")
hs_bin=$("$here/bench/go-tool.sh" handshake "$work")
hs=$("$hs_bin" 50 -- "$pc" --dir "$work/hs")
hs_floor=$("$hs_bin" 50 -- /bin/echo)

printf '\n%-32s %12s %12s %8s\n' "figure" "default" "progcache" "ratio"
printf '%-32s %11ss %11ss %7.3fx\n' "cold go build std" "$(secs "$cold_default")" "$(secs "$cold_prog")" "$(awk -v a="$cold_prog" -v b="$cold_default" 'BEGIN{print a/b}')"
printf '%-32s %11ss %11ss %7.3fx\n' "warm go build std (median)" "$(secs "$warm_default")" "$(secs "$warm_prog")" "$(awk -v a="$warm_prog" -v b="$warm_default" 'BEGIN{print a/b}')"
printf '%-32s %11ss %11ss %7.3fx\n' "cold, helper with C2" "$(secs "$cold_default")" "$(secs "$cold_c2")" "$(awk -v a="$cold_c2" -v b="$cold_default" 'BEGIN{print a/b}')"
printf '%-32s %11ss %11ss %7.3fx\n' "warm, helper with C2 (median)" "$(secs "$warm_default")" "$(secs "$warm_c2")" "$(awk -v a="$warm_c2" -v b="$warm_default" 'BEGIN{print a/b}')"
echo "helper $hs"
echo "process start floor (/bin/echo) $hs_floor"
