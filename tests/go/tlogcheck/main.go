// tlogcheck reads an actledger log over HTTP with Go's own transparency-log code
// (golang.org/x/mod/sumdb/tlog and sumdb/note, the code behind sum.golang.org), as an
// independent check of what `actledger serve` publishes:
//
//   - GET /checkpoint, opened with note.Open against the log's verifier key;
//   - a tlog.TileHashReader over the C2SP tlog-tiles paths (tile/<L>/<N>[.p/<W>]), which
//     checks every hash tile it reads against the checkpoint's root;
//   - every entry, read from its entry bundle (tile/entries/<N>[.p/<W>]), proven included
//     with tlog.ProveRecord and checked with tlog.CheckRecord;
//   - the tree hash recomputed with tlog.TreeHash, and, for each older size given, a
//     consistency proof (tlog.ProveTree, tlog.CheckTree).
//
// Usage: tlogcheck BASE_URL VERIFIER_KEY [OLD_SIZE ...]. Prints one "ok:" line, exit 0; on
// any failure prints the reason and exits 1.
package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var client = &http.Client{Timeout: 30 * time.Second}

func fetch(url string) []byte {
	resp, err := client.Get(url)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<24))
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	if resp.StatusCode != 200 {
		fail("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	return body
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

// c2spPath maps Go's tile path (tile/8/L/N[.p/W], data tiles as L = "data") to the C2SP
// tlog-tiles one (tile/L/N[.p/W], entry bundles under tile/entries).
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if strings.HasPrefix(p, "data/") {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type tiles struct {
	base    string
	fetched int
}

func (r *tiles) Height() int { return 8 }

func (r *tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, t := range ts {
		out[i] = fetch(r.base + "/" + c2spPath(t))
		r.fetched++
	}
	return out, nil
}

func (r *tiles) SaveTiles(ts []tlog.Tile, data [][]byte) {}

// entries parses an entry bundle: each entry a big-endian uint16 length, then its bytes.
func entries(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			fail("entry bundle truncated")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			fail("entry bundle truncated")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: tlogcheck BASE_URL VERIFIER_KEY [OLD_SIZE ...]")
	}
	base := strings.TrimRight(os.Args[1], "/")
	verifier, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg := fetch(base + "/checkpoint")
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint does not verify: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint body is not origin, size, root: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 1 {
		fail("checkpoint size %q", lines[1])
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	tr := &tiles{base: base}
	hr := tlog.TileHashReader(tree, tr)

	th, err := tlog.TreeHash(size, hr)
	if err != nil || th != root {
		fail("tree hash from tiles: %v %v, checkpoint says %v", th, err, root)
	}
	proven := int64(0)
	for b := int64(0); b*256 < size; b++ {
		w := size - b*256
		if w > 256 {
			w = 256
		}
		bundle := tlog.Tile{H: 8, L: -1, N: b, W: int(w)}
		es := entries(fetch(base + "/" + c2spPath(bundle)))
		if int64(len(es)) != w {
			fail("bundle %d holds %d entries, not %d", b, len(es), w)
		}
		for i, e := range es {
			idx := b*256 + int64(i)
			p, err := tlog.ProveRecord(size, idx, hr)
			if err != nil {
				fail("prove entry %d: %v", idx, err)
			}
			if err := tlog.CheckRecord(p, size, root, idx, tlog.RecordHash(e)); err != nil {
				fail("entry %d is not in the tree: %v", idx, err)
			}
			proven++
		}
	}
	for _, a := range os.Args[3:] {
		old, err := strconv.ParseInt(a, 10, 64)
		if err != nil || old < 1 || old > size {
			fail("old size %q", a)
		}
		oldHash, err := tlog.TreeHash(old, hr)
		if err != nil {
			fail("tree hash at %d: %v", old, err)
		}
		p, err := tlog.ProveTree(size, old, hr)
		if err != nil {
			fail("consistency %d..%d: %v", old, size, err)
		}
		if err := tlog.CheckTree(p, size, root, old, oldHash); err != nil {
			fail("consistency %d..%d: %v", old, size, err)
		}
	}
	fmt.Printf("ok: %s size %d root %s: %d entries proven, %d tiles read\n", lines[0], size, lines[2], proven, tr.fetched)
}
