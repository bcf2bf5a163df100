#!/usr/bin/env bash
# The default path against the protocol's floor, measured side by side in one run:
#   - helper start -> handshake, median/p99 of N starts: one-shot JVM, relay + daemon, the floor
#     helper (bench/minhelper: a Go helper with an in-memory index and no checks);
#   - warm `go build std` (median of ROUNDS interleaved rounds), COUNT x `go list ./...` and a
#     small module's warm `go build` (median of ROUNDS) with go's own cache, the floor helper,
#     the one-shot helper and relay + daemon, each as a ratio to go's own cache and the relay's
#     also to the floor helper's;
#   - the daemon's peak resident memory (VmHWM) while it serves 8 warm `go build std` at once.
# Usage: bench/daemon.sh  (after ./mvnw package; needs go >= 1.24 on PATH and bin/progcache-relay)
#        N=200 COUNT=50 ROUNDS=5 bench/daemon.sh
# The three cold `go build std` that fill the caches take a few minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
pc="$here/target/progcache/bin/progcache"
relay="$here/target/progcache/bin/progcache-relay"
[ -x "$relay" ] || { echo "bench: $relay missing (no C compiler at build time?)" >&2; exit 1; }
command -v go >/dev/null || { echo "bench: no go on PATH" >&2; exit 1; }
n=${N:-200}
count=${COUNT:-50}
rounds=${ROUNDS:-5}
work=$(mktemp -d)
export PROGCACHE_SOCKET_DIR="$work/sock"
trap '"$pc" daemon stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export GOFLAGS= GOENV=off GOTOOLCHAIN=local GOPROXY=off GOTELEMETRY=off
unset GOCACHEPROG PROGCACHE_DIR

echo "machine: $(nproc) cores; $(go version); $(date -u +%Y-%m-%dT%H:%MZ)"
hs=$("$here/bench/go-tool.sh" handshake "$work")
"$here/bench/go-tool.sh" minhelper "$work" >/dev/null
echo "handshake, median (p99) of $n starts:"
echo "  process start alone: $("$hs" "$n" -- /bin/echo)"
echo "  floor helper:        $("$hs" "$n" -- "$work/minhelper" "$work/min-hs")"
echo "  one-shot JVM helper: $("$hs" "$n" -- "$pc")"
"$relay" </dev/null >/dev/null # start the daemon
echo "  relay + daemon:      $("$hs" "$n" -- "$relay")"

# The four ways to run go: label and the environment go runs with. progcache's one-shot and
# relay share one cache (the same directory format), filled once.
labels=(default floor one-shot relay)
envs=(
  "GOCACHE=$work/gc-default"
  "GOCACHE=$work/gc-floor GOCACHEPROG=$work/minhelper"
  "GOCACHE=$work/gc-pc GOCACHEPROG=$pc"
  "GOCACHE=$work/gc-pc GOCACHEPROG=$relay"
)
ms() { local t0 t1; t0=$(date +%s%N); env $1 "${@:2}" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo
echo "filling the caches: cold go build std with go's cache, the floor helper and progcache"
for i in 0 1 2; do
  echo "  ${labels[$i]}: $(cold_build ms "${envs[$i]}" go build std) ms"
done

declare -A std
for _ in $(seq "$rounds"); do
  for i in 0 1 2 3; do std[$i]="${std[$i]:-} $(ms "${envs[$i]}" go build std)"; done
done

mkdir -p "$work/mod"
printf 'module example.com/m\n\ngo 1.24\n' >"$work/mod/go.mod"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("m") }\n' >"$work/mod/main.go"
cd "$work/mod"
declare -A list small
for i in 0 1 2 3; do
  env ${envs[$i]} go build -o /dev/null . # warm
  t0=$(date +%s%N)
  for _ in $(seq "$count"); do env ${envs[$i]} go list ./... >/dev/null; done
  t1=$(date +%s%N)
  list[$i]=$(( (t1 - t0) / count / 1000 ))
done
for _ in $(seq "$rounds"); do
  for i in 0 1 2 3; do small[$i]="${small[$i]:-} $(ms "${envs[$i]}" go build -o /dev/null .)"; done
done

report() { # title, then the values of default, floor, one-shot, relay
  echo "$1 (ratio to go's own cache in this run)"
  local d=$2 f=$3 i=0
  shift
  for v in "$@"; do
    awk -v l="${labels[$i]}" -v v="$v" -v d="$d" -v f="$f" -v r="$([ $i = 3 ] && echo 1)" 'BEGIN {
      printf "  %-10s %9.1f ms   %5.2fx", l, v, v / d
      if (r) printf "   (%.3fx the floor)", v / f
      printf "\n" }'
    i=$((i + 1))
  done
}
echo
s=(); for i in 0 1 2 3; do s[$i]=$(echo ${std[$i]} | median); done
report "warm go build std, median of $rounds" "${s[@]}"
l=(); for i in 0 1 2 3; do l[$i]=$(awk -v u="${list[$i]}" 'BEGIN{print u/1000}'); done
report "$count x go list ./... in a small module, per command" "${l[@]}"
m=(); for i in 0 1 2 3; do m[$i]=$(echo ${small[$i]} | median); done
report "small module warm go build, median of $rounds" "${m[@]}"

# the daemon's memory while it serves 8 builds at once
"$pc" daemon stop >/dev/null 2>&1 || true
sleep 1
"$relay" </dev/null >/dev/null
pid=$("$pc" daemon status | sed -n 's/.*pid \([0-9]*\),.*/\1/p' | head -1)
cd "$work"
for k in $(seq 8); do env ${envs[3]} go build std >/dev/null 2>&1 & done
wait
echo
echo "daemon resident memory serving 8 warm go build std at once: peak $(awk '/VmHWM/ {print int($2/1024)}' /proc/"$pid"/status) MB, now $(awk '/VmRSS/ {print int($2/1024)}' /proc/"$pid"/status) MB"
