module progcache.bench/minhelper

go 1.24
