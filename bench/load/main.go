// Command load sends GETs to one URL over a fixed number of kept-alive connections for a fixed
// time and prints the rate and latency percentiles; bench/remote.sh uses it where wrk is absent.
//
//	go run ./bench/load -c 64 -d 15s -H 'Want-Object: 1' URL
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	conns := flag.Int("c", 64, "connections (one goroutine each)")
	dur := flag.Duration("d", 15*time.Second, "how long to send")
	header := flag.String("H", "", "a header to send, \"Name: value\"")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: load [-c N] [-d D] [-H 'Name: value'] URL")
		os.Exit(2)
	}
	url := flag.Arg(0)
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var all []time.Duration
	errors := 0
	end := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(end) {
				req, _ := http.NewRequest("GET", url, nil)
				if k, v, ok := strings.Cut(*header, ":"); ok {
					req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad++
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[int(float64(len(all)-1)*p)]
	}
	fmt.Printf("%d connections, %s: %d requests, %d errors\n", *conns, *dur, len(all), errors)
	fmt.Printf("  Latency Distribution\n     50%%   %s\n     99%%   %s\n", pct(0.5), pct(0.99))
	fmt.Printf("Requests/sec: %.2f\n", float64(len(all))/dur.Seconds())
}
