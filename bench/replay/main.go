// Command replay sends the puts of a cold build to a GOCACHEPROG helper the way go sends them (a
// get that misses, then the put with its body), from go's own cache directory after that build,
// so that the helper's cost of a cold build's puts and uploads can be measured in seconds instead
// of a minute of compiles. Every action and body is salted (the salt appended to each non-empty
// body, and hashed into each action ID), so a server sees new objects on every run.
//
// Usage: replay GOCACHE SALT -- helper [args...]
// Prints on stderr the count of puts, the time until close was answered and until the helper
// exited; exits 1 if any answer carried an error.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

type entry struct {
	action, output [32]byte
	body           []byte
}

type put struct {
	ID       int64
	Command  string
	ActionID []byte
	OutputID []byte
	BodySize int64
}

func main() {
	if len(os.Args) < 5 || os.Args[3] != "--" {
		fmt.Fprintln(os.Stderr, "usage: replay GOCACHE SALT -- helper [args...]")
		os.Exit(2)
	}
	entries, err := load(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
	cmd := exec.Command(os.Args[4], os.Args[5:]...)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(stdin, 1<<16)
	r := bufio.NewReaderSize(stdout, 1<<16)
	failed := false
	answer := func() {
		line, err := r.ReadBytes('\n')
		if err != nil {
			fmt.Fprintln(os.Stderr, "replay: helper's stdout:", err)
			os.Exit(1)
		}
		if bytes.Contains(line, []byte(`"Err"`)) {
			fmt.Fprintf(os.Stderr, "replay: error answer: %s", line)
			failed = true
		}
	}
	answer() // the handshake
	id := int64(1)
	for _, e := range entries {
		fmt.Fprintf(w, "{\"ID\":%d,\"Command\":\"get\",\"ActionID\":%q}\n", id, base64.StdEncoding.EncodeToString(e.action[:]))
		w.Flush()
		answer()
		id++
		j, _ := json.Marshal(put{id, "put", e.action[:], e.output[:], int64(len(e.body))})
		w.Write(j)
		w.WriteByte('\n')
		if len(e.body) > 0 { // go sends the body as a JSON string of its base64, on a line of its own
			w.WriteByte('"')
			enc := base64.NewEncoder(base64.StdEncoding, w)
			enc.Write(e.body)
			enc.Close()
			w.WriteString("\"\n")
		}
		w.Flush()
		answer()
		id++
	}
	fmt.Fprintf(w, "{\"ID\":%d,\"Command\":\"close\"}\n", id)
	w.Flush()
	answer()
	closed := time.Since(t0)
	stdin.Close()
	cmd.Wait()
	fmt.Fprintf(os.Stderr, "replay: %d puts, close answered after %.3f s, helper exited after %.3f s\n",
		len(entries), closed.Seconds(), time.Since(t0).Seconds())
	if failed {
		os.Exit(1)
	}
}

// load reads every action record ("<xx>/<hex>-a": "v1 <action> <output> <size> <time>") of go's
// cache directory dir and its body ("<xx>/<output hex>-d"), salted.
func load(dir, salt string) ([]entry, error) {
	records, err := filepath.Glob(filepath.Join(dir, "*", "*-a"))
	if err != nil || len(records) == 0 {
		return nil, fmt.Errorf("no action records in %s", dir)
	}
	var out []entry
	for _, f := range records {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var v, action, output string
		var size int64
		if _, err := fmt.Sscan(string(b), &v, &action, &output, &size); err != nil || v != "v1" {
			return nil, fmt.Errorf("%s: not a go cache record", f)
		}
		var body []byte
		if size > 0 {
			if body, err = os.ReadFile(filepath.Join(dir, output[:2], output+"-d")); err != nil {
				return nil, err
			}
			body = append(body, salt...)
		}
		out = append(out, entry{sha256.Sum256([]byte(action + salt)), sha256.Sum256(body), body})
	}
	return out, nil
}
