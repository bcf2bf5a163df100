#!/usr/bin/env bash
# Builds the handshake timer (a Go program, so helpers are started the way go starts them) into
# DIR and prints its path. Usage: bench/handshake/build.sh DIR
set -euo pipefail
out="$1/handshake"
cd "$(dirname "$0")"
GOCACHEPROG= GOFLAGS= GOENV=off GOTOOLCHAIN=local GOPROXY=off GOCACHE="$1/handshake-gocache" go build -o "$out" .
echo "$out"
