# Shared by the bench scripts (sourced; POSIX sh).

# await_url LOG: waits up to 30 s until the `progcache serve` logging to LOG listens, then prints
# its URL; on time-out prints the log on stderr and fails.
await_url() {
  i=0
  until grep -q 'listening on' "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 300 ] && { cat "$1" >&2; return 1; }; sleep 0.1
  done
  sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$1"
}
