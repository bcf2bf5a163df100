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
set -euo pipefail
: "${PROGCACHE_HOME:?set PROGCACHE_HOME to the progcache directory}"
export GOCACHEPROG="$PROGCACHE_HOME/bin/progcache -v"
# A fresh CI runner uses the one-shot helper: measured with bench/ci-job.sh (a new directory,
# a warm server on loopback, go build std + go vet + go test), the job took 2.35x go's own warm
# cache through the one-shot and 2.54x through the relay, whose first go command waits for a new
# daemon's JVM (which then compiles with the full JIT beside go). On a runner that lives on
# between jobs (the daemon stays warm for 15 idle minutes) set PROGCACHE_USE_DAEMON=1.
if [ -x "$PROGCACHE_HOME/bin/progcache-relay" ] && [ "${PROGCACHE_USE_DAEMON:-0}" = 1 ]; then
  export GOCACHEPROG="$PROGCACHE_HOME/bin/progcache-relay -v"
fi
go version
go build ${GO_ARGS:-./...}
go test ${GO_ARGS:-./...}
