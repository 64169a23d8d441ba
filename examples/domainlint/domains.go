package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/domainlist"
)

// domainSource is an open -domains list, read by package domainlist: each
// line a name, or a line rejected with its reason (reported as that
// line's report, and the sweep goes on); repeats dropped.
type domainSource struct {
	rd    *domainlist.Reader
	total int // names and rejected lines to sweep; -1 for standard input
	close func()
}

// openDomains opens the -domains list (path, or stdin for "-"), keeping
// what keep keeps (-shard, -resume). A file is read twice: first to count
// what will be swept, for the progress line.
func openDomains(path string, stdin io.Reader, keep func(string) bool) (*domainSource, error) {
	opts := domainlist.Options{Keep: keep}
	if path == "-" {
		return &domainSource{rd: domainlist.NewReader(stdin, opts), total: -1, close: func() {}}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	count := domainlist.NewReader(f, opts)
	for range count.All() {
	}
	if err := count.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	st := count.Stats()
	return &domainSource{rd: domainlist.NewReader(f, opts), total: st.Names + st.Rejected, close: func() { f.Close() }}, nil
}

// normalDomain is a domain as reports name it.
func normalDomain(d string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// domainFilter keeps the domains of -shard K/N and drops those -resume's
// file is done with. It is asked about each name, and about each rejected
// line's text (so that one shard reports it, once).
func (o options) domainFilter(resume *resumeFile) (func(string) bool, error) {
	k, n := 0, 1
	if o.shard != "" {
		ks, ns, ok := strings.Cut(o.shard, "/")
		var err1, err2 error
		k, err1 = strconv.Atoi(ks)
		n, err2 = strconv.Atoi(ns)
		if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
			return nil, fmt.Errorf("-shard %q: want K/N with 0 <= K < N", o.shard)
		}
	}
	return func(d string) bool {
		d = normalDomain(d)
		return shardOf(d, n) == k && !resume.done(d)
	}, nil
}

// shardOf is the shard of a domain among n: FNV-1a of its name, so every
// worker computes the same split with no coordinator.
func shardOf(domain string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(domain))
	return int(h.Sum64() % uint64(n))
}

// interrupted reports a domain whose check a stopped sweep cut short:
// resuming checks it again.
func interrupted(rep *check.Report) bool {
	return slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool {
		return errors.Is(e, check.ErrNotStarted) || errors.Is(e, context.Canceled)
	})
}
