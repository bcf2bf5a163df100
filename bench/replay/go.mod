module progcache.dev/bench/replay

go 1.24
