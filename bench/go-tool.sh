#!/usr/bin/env bash
# Builds the Go program bench/NAME (handshake, replay, tap, minhelper, load: Go, so that helpers
# are started and fed the way go does it) into DIR/NAME, with its own build cache in DIR and no
# helper, and prints its path. Usage: bench/go-tool.sh NAME DIR
set -euo pipefail
out="$2/$1"
cd "$(dirname "$0")/$1"
GOCACHEPROG= GOFLAGS= GOENV=off GOTOOLCHAIN=local GOPROXY=off GOCACHE="$2/go-tool-gocache" go build -o "$out" .
echo "$out"
