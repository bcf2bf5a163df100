#!/usr/bin/env bash
# Start-up benchmark for daemon mode, measured side by side in one run:
#   helper start -> handshake over N starts (median/p99) for the one-shot JVM helper and for
#   relay + daemon; and COUNT consecutive `go list ./...` in a small module with go's default
#   cache (the floor), the one-shot helper and relay + daemon, as ratios to the default.
# Usage: bench/daemon.sh  (after ./mvnw package; needs go >= 1.24 on PATH and bin/progcache-relay)
#        N=200 COUNT=100 bench/daemon.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/src/main/sh/find-jdk.sh"
jdk=$(progcache_find_jdk) || { echo "bench: no JDK >= 25 found" >&2; exit 1; }
pc="$here/target/progcache/bin/progcache"
relay="$here/target/progcache/bin/progcache-relay"
[ -x "$relay" ] || { echo "bench: $relay missing (no C compiler at build time?)" >&2; exit 1; }
command -v go >/dev/null || { echo "bench: no go on PATH" >&2; exit 1; }
n=${N:-200}
count=${COUNT:-100}
work=$(mktemp -d)
export PROGCACHE_SOCKET_DIR="$work/sock" PROGCACHE_DIR="$work/cache"
trap '"$pc" daemon stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export GOFLAGS= GOENV=off GOTOOLCHAIN=local GOPROXY=off
unset GOCACHEPROG

echo "machine: $(nproc) cores; $(go version); $(date -u +%Y-%m-%dT%H:%MZ)"
hs=$("$here/bench/handshake/build.sh" "$work")
echo "process start floor: $("$hs" "$n" -- /bin/echo)"
echo "one-shot JVM helper: $("$hs" "$n" -- "$pc")"
"$relay" </dev/null >/dev/null # start the daemon
echo "relay + daemon:      $("$hs" "$n" -- "$relay")"

mkdir -p "$work/mod"
cat >"$work/mod/go.mod" <<'MOD'
module example.com/m
go 1.24
MOD
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("m") }\n' >"$work/mod/main.go"
cd "$work/mod"
loop() { # label, then env assignments for go
  local t0 t1
  env "$@" go list ./... >/dev/null # warm
  t0=$(date +%s%N)
  for _ in $(seq "$count"); do env "$@" go list ./... >/dev/null; done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / count ))
}
d=$(loop GOCACHE="$work/gc-default")
o=$(loop GOCACHE="$work/gc-oneshot" GOCACHEPROG="$pc")
r=$(loop GOCACHE="$work/gc-relay" GOCACHEPROG="$relay")
printf '\n%d x go list ./...   per command   ratio to default\n' "$count"
printf 'default GOCACHE     %8.1f ms   1.00x\n' "$(awk -v a="$d" 'BEGIN{print a/1e6}')"
printf 'one-shot helper     %8.1f ms   %.2fx\n' "$(awk -v a="$o" 'BEGIN{print a/1e6}')" "$(awk -v a="$o" -v b="$d" 'BEGIN{print a/b}')"
printf 'relay + daemon      %8.1f ms   %.2fx\n' "$(awk -v a="$r" 'BEGIN{print a/1e6}')" "$(awk -v a="$r" -v b="$d" 'BEGIN{print a/b}')"
