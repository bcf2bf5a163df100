# Sourced by make-dist.sh and make-bundle.sh.
# progcache_train LAUNCHER AOT LOG: the training run behind the AOT cache (Train.java) of the
# helper and the daemon, written to AOT, its output to LOG. A `progcache serve` on loopback runs
# beside it, so that the shared tier's read path (a fresh runner's first second) is in the cache
# too; when that server does not come up within 30 s the training covers the local paths only,
# and LOG says so.
progcache_train() {
  _pt_launcher=$1 _pt_aot=$2 _pt_log=$3
  _pt_dir=$(mktemp -d "${TMPDIR:-/tmp}/progcache-train.XXXXXX")
  "$_pt_launcher" serve --listen 127.0.0.1:0 --dir "$_pt_dir/srv" --no-access-log 2>"$_pt_dir/serve.log" &
  _pt_srv=$!
  _pt_url= _pt_i=0
  while [ $_pt_i -lt 300 ] && kill -0 $_pt_srv 2>/dev/null; do
    _pt_url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$_pt_dir/serve.log")
    [ -n "$_pt_url" ] && break
    _pt_i=$((_pt_i + 1)); sleep 0.1
  done
  # the server is filled by a process of its own: the upload client stays out of the cache
  if [ -n "$_pt_url" ] && "$_pt_launcher" __train --remote "$_pt_url" --upload-only >"$_pt_log" 2>&1; then
    set -- --remote "$_pt_url"
  else
    set --
    { echo "training without the shared tier: no loopback server, or filling it failed:"; cat "$_pt_dir/serve.log"; } >>"$_pt_log"
  fi
  # --daemon: the daemon's start and sessions too (one cache serves both; ADR 0036)
  PROGCACHE_JAVA_OPTS="-XX:AOTCacheOutput=$_pt_aot" "$_pt_launcher" __train 3 --daemon "$@" >>"$_pt_log" 2>&1 &&
    _pt_rc=0 || _pt_rc=$?
  kill $_pt_srv 2>/dev/null || true
  wait $_pt_srv 2>/dev/null || true
  rm -rf "$_pt_dir"
  return $_pt_rc
}
