// Command handshake starts a GOCACHEPROG helper N times, the way the go command does (os/exec
// with stdin and stdout pipes), and reports the time from the start to the helper's first stdout
// line: median, p90, p99 and min in milliseconds.
//
// Usage: handshake N -- helper [args...]
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 4 || os.Args[2] != "--" {
		fmt.Fprintln(os.Stderr, "usage: handshake N -- helper [args...]")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "handshake: N must be a positive number")
		os.Exit(2)
	}
	cmd := os.Args[3:]
	ms := make([]float64, n)
	for i := range ms {
		d, err := once(cmd)
		if err != nil {
			fmt.Fprintf(os.Stderr, "handshake: %v: %v\n", cmd, err)
			os.Exit(1)
		}
		ms[i] = float64(d.Nanoseconds()) / 1e6
	}
	sort.Float64s(ms)
	at := func(p float64) float64 { return ms[min(n-1, int(float64(n)*p))] }
	fmt.Printf("handshake over %d starts: median %.2f ms, p90 %.2f ms, p99 %.2f ms, min %.2f ms\n",
		n, at(0.5), at(0.9), at(0.99), ms[0])
}

// once starts cmd, waits for its first line, then closes its stdin and waits for it to exit.
func once(cmd []string) (time.Duration, error) {
	t0 := time.Now()
	c := exec.Command(cmd[0], cmd[1:]...)
	in, err := c.StdinPipe()
	if err != nil {
		return 0, err
	}
	out, err := c.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := c.Start(); err != nil {
		return 0, err
	}
	_, readErr := bufio.NewReader(out).ReadString('\n')
	d := time.Since(t0)
	in.Close()
	waitErr := c.Wait()
	if readErr != nil {
		return 0, fmt.Errorf("no first line (%v; exit: %v)", readErr, waitErr)
	}
	return d, nil
}
