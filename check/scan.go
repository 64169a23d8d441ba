package check

import (
	"context"
	"fmt"
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
// Every domain given gets a report: when ctx is cancelled, the checks in
// flight end with the context's error and every domain not yet started is
// yielded at once with a report whose only error says it was not checked
// (errors.Is(err, context.Canceled) holds). Breaking out of the loop
// instead stops the sweep: the checks in flight are cancelled and nothing
// more is read from domains.
func Scan(ctx context.Context, r resolver.Resolver, domains iter.Seq[string], opts ScanOptions) iter.Seq[*Report] {
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	if opts.Checks == nil {
		// Built once per sweep, not once per domain.
		opts.Checks = Checks()
	}
	return func(yield func(*Report) bool) {
		// stop: the consumer broke out; checks in flight are cancelled
		// and their reports dropped. A cancelled ctx drops nothing.
		stop := make(chan struct{})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := make(chan string)
		out := make(chan *Report)
		send := func(rep *Report) bool {
			select {
			case out <- rep:
				return true
			case <-stop:
				return false
			}
		}
		var wg sync.WaitGroup
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for d := range in {
					if !send(Domain(cctx, r, d, opts.Options)) {
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(in)
			for d := range domains {
				if ctx.Err() == nil {
					select {
					case in <- d:
						continue
					case <-stop:
						return
					case <-ctx.Done():
					}
				}
				if !send(ErrorReport(d, fmt.Errorf("%w: the sweep was stopped: %w", ErrNotStarted, ctx.Err()))) {
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
