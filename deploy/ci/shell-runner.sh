#!/usr/bin/env bash
# CI recipe for a plain shell runner: build and test a Go module through progcache, sharing
# results through a team cache server. Shipped in the archive as deploy/ci/shell-runner.sh:
#   bash "$PROGCACHE_HOME/deploy/ci/shell-runner.sh"
# The archive's runtime needs glibc (Debian, Ubuntu, ...; not Alpine).
#
# Needs (from the runner's environment or secrets):
#   PROGCACHE_HOME        where progcache is unpacked (the archive) or built (target/progcache)
#   PROGCACHE_REMOTE      the team's `progcache serve` URL, e.g. https://cache.example:8421
#   PROGCACHE_TOKEN_FILE  a file holding this job's token (or PROGCACHE_TOKEN). Trusted jobs
#                         (the main branch) get a read,write token; untrusted ones (pull requests)
#                         a read-only token, so they can never write what trusted builds read;
#                         give those also PROGCACHE_READ_ONLY=1, so they try no upload.
#   or, on GitHub Actions with `permissions: id-token: write` and a server started with
#   --oidc-issuer: PROGCACHE_OIDC_AUDIENCE (the server's --oidc-audience) instead of a token;
#                         the server's rules then decide what the job may read and write.
# Optional:
#   PROGCACHE_DIR         local cache directory (default: go's cache dir + /progcache)
#   GO_ARGS               what to build and test (default ./...)
#   PROGCACHE_PREFETCH_AHEAD  1: `progcache prefetch` in the background while the modules
#                         download, fetching what earlier builds of the module used before the
#                         first go command (default 1 with PROGCACHE_MODPROXY, else 0: with
#                         nothing to download meanwhile, waiting for it costs more than go's own
#                         helper fetching the same while go works; docs/remote.md)
#   PROGCACHE_MODPROXY    the team server's module proxy (`serve --modproxy`), e.g.
#                         https://cache.example:8421/mod: every module comes from it. go fetches
#                         GOMAXPROCS modules at a time (two on a 2-core runner); `progcache mod
#                         prefetch` first fetches what go.sum names 32 at once into a local
#                         directory that GOPROXY then names first (docs/modproxy.md: with the
#                         server 20 ms away, a fresh runner's job 8.4-9.8x a warm machine's
#                         instead of 12.0-15.0x). Modules go.sum does not name, and any the
#                         prefetch missed, go asks the server for (a server with --tokens wants
#                         a netrc for go then: docs/modproxy.md).
set -euo pipefail
: "${PROGCACHE_HOME:?set PROGCACHE_HOME to the progcache directory}"
# The relay and a daemon of this job's own (ADR 0025), started in the background before the first
# go command (progcache-relay --start). Measured with bench/ci-job.sh 5 on 2026-12-07 (a new
# directory, a warm server on loopback, go build std + go vet + go test), medians ÷ go's own warm
# cache: one-shot helper 2.25x, relay starting its daemon on the first go command 2.15x, daemon
# started ahead 2.03x. The daemon's socket directory is private to the job; when the job's go
# commands are done the daemon is stopped, which drains its uploads (bounded by
# PROGCACHE_REMOTE_DRAIN), so the next runner finds everything. PROGCACHE_USE_DAEMON=0 keeps the
# one-shot helper.
export GOCACHEPROG="$PROGCACHE_HOME/bin/progcache -v"
daemon=
if [ -x "$PROGCACHE_HOME/bin/progcache-relay" ] && [ "${PROGCACHE_USE_DAEMON:-1}" = 1 ]; then
  PROGCACHE_SOCKET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/progcache-job.XXXXXX") # mode 0700
  export PROGCACHE_SOCKET_DIR
  export GOCACHEPROG="$PROGCACHE_HOME/bin/progcache-relay -v"
  daemon=1
fi
stop_daemon() {
  [ -n "$daemon" ] || return 0
  local pid
  pid=$("$PROGCACHE_HOME/bin/progcache" daemon status 2>/dev/null | sed -n 's/.*, pid \([0-9]*\),.*/\1/p' | head -1)
  "$PROGCACHE_HOME/bin/progcache" daemon stop >/dev/null || true
  for _ in $(seq 600); do # up to 60 s: the daemon exits once its uploads are drained
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -rf "$PROGCACHE_SOCKET_DIR"
}
trap stop_daemon EXIT
if [ -n "$daemon" ]; then
  "$PROGCACHE_HOME/bin/progcache-relay" --start >/dev/null 2>&1 & # the JVM starts while go loads
fi
if [ -n "${PROGCACHE_MODPROXY:-}" ]; then
  export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw" # the runner can delete its module cache
fi
# What earlier builds of this module used, fetched into the local directory while the modules
# download: the first go command then finds it on disk instead of fetching it while go waits
# (docs/remote.md). GOFLAGS is final before it starts: go's settings are part of the context.
ahead= ahead_default=0
[ -z "${PROGCACHE_MODPROXY:-}" ] || ahead_default=1
if [ "${PROGCACHE_PREFETCH_AHEAD:-$ahead_default}" = 1 ]; then
  "$PROGCACHE_HOME/bin/progcache" prefetch &
  ahead=$!
fi
if [ -n "${PROGCACHE_MODPROXY:-}" ]; then
  # a failed prefetch still prints a GOPROXY that works (go falls back to the server); nothing
  # printed (bad usage) leaves the server alone
  proxy=$("$PROGCACHE_HOME/bin/progcache" mod prefetch --proxy "$PROGCACHE_MODPROXY") || true
  export GOPROXY="${proxy:-$PROGCACHE_MODPROXY}"
fi
go version
[ ! -f go.mod ] || go mod download
[ -z "$ahead" ] || wait "$ahead" || true # its failure only means go fetches more itself
go build ${GO_ARGS:-./...}
go test ${GO_ARGS:-./...}
