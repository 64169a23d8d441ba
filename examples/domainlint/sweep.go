package main

import (
	"context"
	"io"
	"time"

	"github.com/domainlint/domainlint/check"
)

// sweep checks the domains of -domains; a status other than exitOK ends
// the run. A line that is not a domain name is a report of its own (its
// one error says why), and the sweep goes on. Interrupted, it says how
// far it came and how to go on; it ends with a summary on stderr.
func (o *options) sweep(ctx context.Context, e *env, stdin io.Reader, stderr io.Writer, keep func(string) bool, resume *resumeFile, record func(*check.Report)) int {
	src, err := openDomains(o.domains, stdin, keep)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	defer src.close()
	sum := newSummary(time.Now())
	prog := newProgress(stderr, src.total, e.live)
	scanned := 0
	add := func(rep *check.Report) {
		sum.add(rep)
		record(rep)
		scanned++
	}
	if o.authoritative || e.compare != nil {
		// Each domain needs its own view: one at a time.
		p := check.Progress{Total: src.total}
		for d, err := range src.rd.All() {
			if ctx.Err() != nil {
				break // stopped: read no more, report nothing not checked
			}
			rep := check.ErrorReport(d, err)
			if err == nil {
				rep = o.checkOne(ctx, e, d)
			}
			add(rep)
			p.Done++
			if len(rep.Errors) > 0 {
				p.Errors++
			}
			prog.update(p)
		}
	} else {
		sopts := check.ScanOptions{Options: e.opts, Concurrency: o.concurrency, Total: src.total, Progress: prog.update}
		for rep := range check.ScanLines(ctx, e.r, src.rd.All(), sopts) {
			add(rep)
		}
	}
	prog.done()
	sum.print(stderr, e.live, src.rd.Stats(), resume)
	if ctx.Err() != nil {
		o.sayStopped(stderr, sum, src.total, resume)
		return exitFailure
	}
	if err := src.rd.Err(); err != nil {
		return fail(stderr, "%s: %v (after %d domains)", o.domains, err, scanned)
	}
	if scanned == 0 && resume != nil {
		// A Job run again after its sweep finished: done, not a failure.
		sayf(stderr, "nothing left to check: %s reports every domain of %s", o.resume, o.domains)
		return exitOK
	}
	if scanned == 0 {
		return fail(stderr, "no domains in %s", o.domains)
	}
	return exitOK
}

// sayStopped says where an interrupted sweep stopped and how to go on.
func (o *options) sayStopped(stderr io.Writer, sum *summary, total int, resume *resumeFile) {
	of := ""
	if total >= 0 {
		of = " of " + itoa(total)
	}
	sayf(stderr, "interrupted: %d domains%s checked; %d cut short", sum.reports-sum.cut, of, sum.cut)
	switch {
	case resume != nil:
		sayf(stderr, "to go on, run the same command again: -resume %s skips the domains it reports and checks the rest (and those cut short)", o.resume)
	case o.format == "json":
		sayf(stderr, "this run kept no record to go on from: sweep with -resume FILE to append to FILE and go on where a stopped run left off")
	default:
		sayf(stderr, "this run kept no record to go on from: sweep with -format json -resume FILE to append to FILE and go on where a stopped run left off")
	}
}
