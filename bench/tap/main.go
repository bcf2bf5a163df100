// Command tap sits between go and a GOCACHEPROG helper and writes a timeline of the session: every
// request line go sends and every answer line the helper writes, with the milliseconds since the
// helper was started, and the Unix time of that start (to place the session inside go's run: go
// starts the helper only when it first needs the cache). Bodies (lines that are not JSON objects)
// pass through unlogged.
//
// Usage: GOCACHEPROG="tap LOGFILE helper [args...]" go build ...
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: tap LOGFILE helper [args...]")
		os.Exit(2)
	}
	logf, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tap:", err)
		os.Exit(1)
	}
	start := time.Now()
	var mu sync.Mutex
	log := func(dir string, line []byte) {
		if len(line) > 400 {
			line = line[:400]
		}
		mu.Lock()
		fmt.Fprintf(logf, "%8.1f %s %s\n", float64(time.Since(start).Microseconds())/1000, dir, bytesTrim(line))
		mu.Unlock()
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "tap:", err)
		os.Exit(1)
	}
	log("S", []byte(fmt.Sprint("started at unix ms ", start.UnixMilli())))
	go func() {
		r := bufio.NewReaderSize(os.Stdin, 1<<20)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				if line[0] == '{' {
					log(">", line)
				}
				in.Write(line)
			}
			if err != nil {
				in.Close()
				return
			}
		}
	}()
	r := bufio.NewReaderSize(out, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			log("<", line)
			os.Stdout.Write(line)
		}
		if err != nil {
			break
		}
	}
	log("E", []byte("helper's stdout closed"))
	os.Stdout.Close() // go reads to here, as it would from the helper itself
	mu.Lock()
	logf.Close()
	mu.Unlock()
	cmd.Wait()
}

func bytesTrim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
