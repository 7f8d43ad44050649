// The peer figure for actledger-bench's proofs: Go's golang.org/x/mod/sumdb/tlog, its tree of
// SIZE records held in memory (every stored hash in a slice), and the mean time of COUNT
// inclusion proofs (ProveRecord) and COUNT consistency proofs (ProveTree) at random
// positions. Each kind's first proof is checked against the tree hash. Prints one line:
// "inclusion_us consistency_us". Run in GOPATH mode against the Debian copy of the library
// (golang-golang-x-mod-dev): see crates/cli/src/bin/bench/proofs.rs.
package main

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tlogpeer SIZE COUNT")
		os.Exit(2)
	}
	size, err1 := strconv.ParseInt(os.Args[1], 10, 64)
	count, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || size < 2 || count < 1 {
		fmt.Fprintln(os.Stderr, "SIZE must be at least 2 and COUNT at least 1")
		os.Exit(2)
	}
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = stored[x]
		}
		return out, nil
	})
	record := make([]byte, 8)
	for n := int64(0); n < size; n++ {
		binary.BigEndian.PutUint64(record, uint64(n))
		hashes, err := tlog.StoredHashes(n, record, reader)
		if err != nil {
			fail(err)
		}
		stored = append(stored, hashes...)
	}
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		fail(err)
	}
	rng := rand.New(rand.NewSource(7))
	start := time.Now()
	for k := 0; k < count; k++ {
		n := rng.Int63n(size)
		p, err := tlog.ProveRecord(size, n, reader)
		if err != nil {
			fail(err)
		}
		if k == 0 {
			binary.BigEndian.PutUint64(record, uint64(n))
			if err := tlog.CheckRecord(p, size, root, n, tlog.RecordHash(record)); err != nil {
				fail(err)
			}
		}
	}
	inclusion := time.Since(start)
	start = time.Now()
	for k := 0; k < count; k++ {
		old := 1 + rng.Int63n(size-1)
		p, err := tlog.ProveTree(size, old, reader)
		if err != nil {
			fail(err)
		}
		if k == 0 {
			oldRoot, err := tlog.TreeHash(old, reader)
			if err != nil {
				fail(err)
			}
			if err := tlog.CheckTree(p, size, root, old, oldRoot); err != nil {
				fail(err)
			}
		}
	}
	consistency := time.Since(start)
	perProof := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(count) }
	fmt.Printf("%.3f %.3f\n", perProof(inclusion), perProof(consistency))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
