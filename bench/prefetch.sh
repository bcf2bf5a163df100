#!/bin/sh
# Benchmark of prefetching, on loopback only. Not a test: prints numbers.
# `go build std` on a fresh local dir against a warm `progcache serve` reached through a
# latency proxy (LatencyProxy from the test classes) at 0, 20 and 50 ms added per request,
# with and without prefetching, each ÷ the warm local time (same helper, warm local dir)
# measured in the same run. One run per cell; the warm local time is a median of 3.
# Usage: bench/prefetch.sh     (build first: ./mvnw -q -B package -DskipTests; test classes
#        must be compiled too: ./mvnw -q -B test-compile)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc="$root/target/progcache/bin/progcache"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
go=${GO:-$(command -v go || echo /opt/progcache-go/usr/lib/go-1.27/bin/go)}
delays=${DELAYS:-0 20 50}
work=$(mktemp -d /tmp/progcache-prefetch.XXXXXX)
srv_pid=
proxy_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  wait 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$pc" serve --listen 127.0.0.1:0 --dir "$work/srv" --no-access-log 2>"$work/serve.log" &
srv_pid=$!
url=$(await_url "$work/serve.log") || exit 1
port=$(echo "$url" | sed 's/.*:\([0-9]*\)\/*$/\1/')
echo "server $url (pid $srv_pid)"

now() { date +%s%N; }
# gobuild HOME_DIR URL PREFETCH: go build std with the helper on HOME_DIR/cache; prints ms
# (a failed build is reported on stderr with the end of its log, and still timed)
gobuild() {
  sync # the last run's file writes reach the disk now, not during this timed run
  t0=$(now)
  if ! (cd "$work" && GOCACHE="$1/gocache" GO111MODULE=off GOTELEMETRY=off PROGCACHE_REMOTE_DRAIN=120s \
    GOCACHEPROG="$pc --dir $1/cache -v --remote $2 --prefetch=$3" "$go" build std 2>"$1/err.log"); then
    echo "go build std FAILED ($1):" >&2; tail -20 "$1/err.log" >&2
  fi
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
  # go does not wait for the helper to exit: give it a moment to print its summary
  n=0
  until grep -q 'progcache: gets=' "$1/err.log" || [ $n -ge 300 ]; do n=$((n + 1)); sleep 0.1; done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "warming the server: cold go build std (tens of seconds)..."
mkdir -p "$work/warm"
cold_build gobuild "$work/warm" "$url" true >/dev/null
for n in 1 2 3; do gobuild "$work/warm" "$url" false; done | median >"$work/local.ms"
# one unmeasured fresh-dir build: a team's server has long since compiled its read path
mkdir -p "$work/server-warm-up"; gobuild "$work/server-warm-up" "$url" true >/dev/null
l=$(cat "$work/local.ms")
echo "warm local dir: ${l} ms (median of 3)"
printf '%-8s %-10s %10s %8s  %s\n' delay prefetch ms ÷warm "helper summary"
for d in $delays; do
  "$java" -cp "$root/target/test-classes" dev.progcache.testing.LatencyProxy "$port" "$d" 256 >"$work/proxy-$d.out" &
  proxy_pid=$!
  i=0
  until grep -q "listening on http" "$work/proxy-$d.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 300 ] && { echo "proxy did not start" >&2; exit 1; }; sleep 0.1
  done
  purl=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/proxy-$d.out")
  for p in true false; do
    h="$work/fresh-$d-$p"; mkdir -p "$h"
    ms=$(gobuild "$h" "$purl" "$p")
    s=$(grep 'progcache: gets=' "$h/err.log" | tail -1 |
      tr ' ' '\n' | grep -E '^(remote-hits|prefetched|prefetch-used|prefetch-wasted-bytes)=' | tr '\n' ' ')
    printf '%-8s %-10s %10s %8s  %s\n' "${d}ms" "$p" "$ms" "$(awk -v f="$ms" -v l="$l" 'BEGIN {printf "%.2f", f/l}')" "$s"
    echo "$d $p $ms" >>"$work/cells"
  done
  kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=
done
# the same figures as "label   N ms" lines, for bench/report
printf '\n%-44s %8s ms\n' "helper, warm local dir" "$l"
while read -r d p ms; do
  [ "$p" = true ] && what="with prefetch" || what="without prefetch"
  printf '%-44s %8s ms\n' "fresh dir, server ${d} ms away, $what" "$ms"
done <"$work/cells"
