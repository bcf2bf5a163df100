// minhelper is the floor for bench/daemon.sh: the least a GOCACHEPROG helper can do. At start it
// loads an index of its directory (the argument, else $GOCACHE/minhelper; one file per action:
// output id, size, time); it answers every
// get on its reading loop from that index, with no file read, no goroutine and no checks, and
// writes puts to files. No remote, no trimming, no verification: never use it for real builds.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type request struct {
	ID       int64
	Command  string
	ActionID []byte `json:",omitempty"`
	OutputID []byte `json:",omitempty"`
	BodySize int64  `json:",omitempty"`
}

type response struct {
	ID            int64
	Err           string     `json:",omitempty"`
	KnownCommands []string   `json:",omitempty"`
	Miss          bool       `json:",omitempty"`
	OutputID      []byte     `json:",omitempty"`
	Size          int64      `json:",omitempty"`
	Time          *time.Time `json:",omitempty"`
	DiskPath      string     `json:",omitempty"`
}

type entry struct {
	out  []byte
	size int64
	time time.Time
}

func main() {
	dir := filepath.Join(os.Getenv("GOCACHE"), "minhelper") // go passes its environment on
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.MkdirAll(filepath.Join(dir, "o"), 0o755)
	index := map[string]entry{}
	names, _ := os.ReadDir(filepath.Join(dir, "a"))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, "a", n.Name()))
		f := strings.Fields(string(b))
		if err != nil || len(f) != 3 {
			continue
		}
		out, _ := hex.DecodeString(f[0])
		size, _ := strconv.ParseInt(f[1], 10, 64)
		ns, _ := strconv.ParseInt(f[2], 10, 64)
		index[n.Name()] = entry{out, size, time.Unix(0, ns)}
	}
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	enc.Encode(response{ID: 0, KnownCommands: []string{"get", "put", "close"}})
	w.Flush()
	dec := json.NewDecoder(bufio.NewReaderSize(os.Stdin, 1<<16))
	for {
		var r request
		if dec.Decode(&r) != nil {
			return
		}
		switch r.Command {
		case "get":
			e, ok := index[hex.EncodeToString(r.ActionID)]
			if !ok {
				enc.Encode(response{ID: r.ID, Miss: true})
			} else {
				t := e.time
				path := filepath.Join(dir, "o", hex.EncodeToString(e.out))
				enc.Encode(response{ID: r.ID, OutputID: e.out, Size: e.size, Time: &t, DiskPath: path})
			}
		case "put":
			var body []byte
			if r.BodySize > 0 {
				var s string
				dec.Decode(&s)
				body, _ = base64.StdEncoding.DecodeString(s)
			}
			action := hex.EncodeToString(r.ActionID)
			path := filepath.Join(dir, "o", hex.EncodeToString(r.OutputID))
			os.WriteFile(path, body, 0o644)
			now := time.Now()
			rec := fmt.Sprintf("%x %d %d\n", r.OutputID, len(body), now.UnixNano())
			os.WriteFile(filepath.Join(dir, "a", action), []byte(rec), 0o644)
			index[action] = entry{r.OutputID, int64(len(body)), now}
			enc.Encode(response{ID: r.ID, DiskPath: path})
		case "close":
			enc.Encode(response{ID: r.ID})
			w.Flush()
			return
		default:
			enc.Encode(response{ID: r.ID, Err: "unknown command"})
		}
		w.Flush()
	}
}
