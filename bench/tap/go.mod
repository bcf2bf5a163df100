module progcache.dev/bench/tap

go 1.24
