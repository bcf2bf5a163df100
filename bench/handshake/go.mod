module progcache.dev/bench/handshake

go 1.24
