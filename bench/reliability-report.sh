#!/usr/bin/env bash
# Prints the reliability table (scenario, runs, failures, worst latency) from the test reports
# under target/ (surefire and failsafe XML, with the RELIABILITY lines the long tests print) and
# writes it to docs/reliability-report.md, or to the file given as the first argument.
# Usage: bench/reliability-report.sh [OUT.md]    (after ./mvnw -B verify and/or bench/soak.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/src/main/sh/find-jdk.sh"
JAVA_HOME=$(progcache_find_jdk) || { echo "reliability-report: no JDK >= 25 found" >&2; exit 1; }
out=${1:-$root/docs/reliability-report.md}
exec "$JAVA_HOME/bin/java" "$root/bench/ReliabilityReport.java" "$out" \
  "$root/target/surefire-reports" "$root/target/failsafe-reports"
