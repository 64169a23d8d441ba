package check

import (
	"context"
	"iter"
	"sync"

	"github.com/domainlint/domainlint/resolver"
)

// DefaultConcurrency is how many domains Scan checks at once by default.
const DefaultConcurrency = 32

// Scan checks the domains with at most concurrency checks at once
// (DefaultConcurrency when <= 0) and yields each report as it finishes, in
// completion order. Share one resolver.Client as r so that the sweep shares
// one cache: a provider's records (spf.protection.outlook.com) are asked
// once per sweep, not once per domain. Each domain gets its own query
// budget and deadline from opts. Reports are streamed, never collected, so
// memory does not grow with the number of domains. Breaking out of the
// loop cancels the checks in flight.
func Scan(ctx context.Context, r resolver.Resolver, domains iter.Seq[string], opts Options, concurrency int) iter.Seq[*Report] {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	return func(yield func(*Report) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := make(chan string)
		out := make(chan *Report)
		var wg sync.WaitGroup
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for d := range in {
					rep := Domain(ctx, r, d, opts)
					select {
					case out <- rep:
					case <-ctx.Done():
						return
					}
				}
			}()
		}
		go func() {
			defer close(in)
			for d := range domains {
				select {
				case in <- d:
				case <-ctx.Done():
					return
				}
			}
		}()
		go func() {
			wg.Wait()
			close(out)
		}()
		for rep := range out {
			if !yield(rep) {
				cancel()
				for range out {
				}
				return
			}
		}
	}
}
