#!/usr/bin/env bash
# The long forms of the reliability suite, bounded in count and time, then the report:
#   - 100 kill -9 of the helper mid-put, then a full verify        (DiskCrashIT, s15)
#   - 50 kill -9 of `progcache serve` during concurrent PUTs        (ServeCrashIT)
#   - a 120 s soak of serve: 64 clients, mixed GET/PUT, one restart (ServeSoakIT, s35)
#   - 10k fuzzed request lines                                      (ProtocolFuzzTest, s36)
# Everything runs on 127.0.0.1 only. Override the bounds with the environment:
#   HELPER_KILLS=100 SERVE_KILLS=50 SOAK_SECONDS=120 FUZZ_CASES=10000 LIMIT_MINUTES=45
# Run ./mvnw -B verify before it to have every scenario in the report; this command replaces the
# reports of the classes above with their long forms. Usage: bench/soak.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
helper_kills=${HELPER_KILLS:-100}
serve_kills=${SERVE_KILLS:-50}
soak_seconds=${SOAK_SECONDS:-120}
fuzz_cases=${FUZZ_CASES:-10000}
limit=${LIMIT_MINUTES:-45}
status=0
timeout --kill-after=60 "${limit}m" ./mvnw -B verify \
  -Dtest=ProtocolFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='DiskCrashIT,ServeCrashIT,ServeSoakIT' \
  -Dprogcache.crash.kills="$helper_kills" -Dprogcache.serve.kills="$serve_kills" \
  -Dprogcache.soak.seconds="$soak_seconds" -Dprogcache.fuzz.cases="$fuzz_cases" || status=$?
bench/reliability-report.sh
exit "$status"
