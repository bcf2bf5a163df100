#!/usr/bin/env bash
# Builds the put replayer (a Go program, so the helper is started and fed the way go does it) into
# DIR and prints its path. Usage: bench/replay/build.sh DIR
set -euo pipefail
out="$1/replay"
cd "$(dirname "$0")"
GOCACHEPROG= GOFLAGS= GOENV=off GOTOOLCHAIN=local GOPROXY=off GOCACHE="$1/replay-gocache" go build -o "$out" .
echo "$out"
