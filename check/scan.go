package check

import (
	"context"
	"iter"
	"sync"

	"github.com/domainlint/domainlint/resolver"
)

// DefaultConcurrency is how many domains Scan checks at once by default.
const DefaultConcurrency = 32

// ScanOptions configure a sweep.
type ScanOptions struct {
	// Options configure each domain's check; Budget and Timeout are per
	// domain.
	Options
	// Concurrency is how many domains are checked at once
	// (DefaultConcurrency when <= 0).
	Concurrency int
	// Total is the number of domains, when the caller knows it (0:
	// unknown); it is passed back in Progress.
	Total int
	// Progress, when set, is called after each report is yielded, on the
	// goroutine that ranges over Scan.
	Progress func(Progress)
}

// Progress is how far a sweep has come.
type Progress struct {
	Done   int // reports yielded
	Total  int // ScanOptions.Total
	Errors int // reports with errors: domains that could not be checked
}

// Scan checks the domains with at most opts.Concurrency checks at once and
// yields each report as it finishes, in completion order. Share one
// resolver.Client as r so that the sweep shares one cache: a provider's
// records (spf.protection.outlook.com) are asked once per sweep, not once
// per domain. Reports are streamed, never collected, so memory does not
// grow with the number of domains.
//
// Cancelling ctx (a signal: see the example) stops the sweep: nothing
// more is read from domains, the checks in flight end with the context's
// error (their reports carry it: errors.Is(err, context.Canceled)) and
// are yielded, and Scan returns — within the time a cancelled check takes
// to return (100 ms), whatever is left of domains. A domain never started
// gets no report: the caller knows what was checked by the reports it
// got, and a sweep resumed later checks the rest. Scan does not wait for
// a domains sequence blocked in a read (of a pipe, of standard input): its
// goroutine ends at the sequence's next yield.
//
// Breaking out of the loop instead stops the sweep at once: the checks in
// flight are cancelled, their reports dropped, and nothing more is read
// from domains.
func Scan(ctx context.Context, r resolver.Resolver, domains iter.Seq[string], opts ScanOptions) iter.Seq[*Report] {
	return ScanLines(ctx, r, func(yield func(string, error) bool) {
		for d := range domains {
			if !yield(d, nil) {
				return
			}
		}
	}, opts)
}

// ScanLines is Scan over the lines of a domain list as package domainlist
// reads them (domainlist.Reader.All): a name with a nil error is checked;
// a line with an error is not a domain name, and gets in its turn a report
// holding only that error (ErrorReport(line, err)), with nothing asked of
// DNS, and the sweep goes on.
func ScanLines(ctx context.Context, r resolver.Resolver, lines iter.Seq2[string, error], opts ScanOptions) iter.Seq[*Report] {
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	type line struct {
		d   string
		err error
	}
	return func(yield func(*Report) bool) {
		// stop: the consumer broke out; checks in flight are cancelled
		// and their reports dropped. A cancelled ctx drops no report of a
		// check that started.
		stop := make(chan struct{})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := make(chan line)
		out := make(chan *Report)
		send := func(rep *Report) bool {
			select {
			case out <- rep:
				return true
			case <-stop:
				return false
			}
		}
		// Domains that share their options share the default checks,
		// built once.
		if opts.Options.Checks == nil && opts.Options.Expect == nil {
			opts.Options.defaults = opts.Options.DefaultChecks()
			opts.Options.plan = newPlan(opts.Options.defaults, &selection{enable: opts.Options.Enable, disable: opts.Options.Disable})
		}
		// Only the workers send on out: it is closed when they are done,
		// without waiting for the goroutine reading lines.
		var wg sync.WaitGroup
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var l line
					var ok bool
					select {
					case l, ok = <-in:
					case <-cctx.Done():
					}
					if !ok || cctx.Err() != nil {
						// Handed over as the sweep stopped: never started.
						return
					}
					rep := (*Report)(nil)
					if l.err != nil {
						rep = ErrorReport(l.d, l.err)
					} else {
						rep = Domain(cctx, r, l.d, opts.Options)
					}
					if !send(rep) {
						return
					}
				}
			}()
		}
		go func() {
			defer close(in)
			for d, err := range lines {
				select {
				case in <- line{d, err}:
				case <-cctx.Done():
					return
				}
			}
		}()
		go func() {
			wg.Wait()
			close(out)
		}()
		p := Progress{Total: opts.Total}
		for rep := range out {
			if !yield(rep) {
				close(stop)
				cancel()
				for range out {
				}
				return
			}
			p.Done++
			if len(rep.Errors) > 0 {
				p.Errors++
			}
			if opts.Progress != nil {
				opts.Progress(p)
			}
		}
	}
}
