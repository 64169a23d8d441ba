// Package ask asks a resolver several independent questions at once: the
// latency of a check is then the longest chain of questions that depend on
// each other's answers, not their number.
package ask

import (
	"context"
	"sync"

	"github.com/domainlint/domainlint/resolver"
)

// Question is a name and a type.
type Question struct {
	Name string
	Type uint16
}

// Result is a question's answer or error.
type Result struct {
	Answer *resolver.Answer
	Err    error
}

// All asks every question concurrently and returns the results in the
// questions' order. It returns when all are answered (or failed: ctx
// ends them).
func All(ctx context.Context, r resolver.Resolver, qs ...Question) []Result {
	out := make([]Result, len(qs))
	if len(qs) == 1 {
		out[0].Answer, out[0].Err = r.Lookup(ctx, qs[0].Name, qs[0].Type)
		return out
	}
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Answer, out[i].Err = r.Lookup(ctx, q.Name, q.Type)
		}()
	}
	wg.Wait()
	return out
}
