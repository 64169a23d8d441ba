// Package ask asks a resolver several independent questions at once: the
// latency of a check is then the longest chain of questions that depend on
// each other's answers, not their number.
package ask

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

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
	if len(qs) == 0 {
		return out
	}
	if len(qs) == 1 {
		out[0].Answer, out[0].Err = r.Lookup(ctx, qs[0].Name, qs[0].Type)
		return out
	}
	// Started at once on a resolver that can (resolver.Prefetcher), then
	// read in turn: no goroutine per question.
	spec, note := resolver.Speculate(r)
	if ps := prefetch(ctx, spec, qs[1:]); ps != nil {
		// A panic while reading (raised on, and caught from, the caller's
		// goroutine) leaves none of the questions still asked.
		read := 0
		defer func() {
			for _, p := range ps[read:] {
				p.Abandon()
			}
		}()
		out[0].Answer, out[0].Err = r.Lookup(ctx, qs[0].Name, qs[0].Type)
		for i, p := range ps {
			q := qs[i+1]
			out[i+1].Answer, out[i+1].Err = p.Lookup(ctx)
			read = i + 1
			note(q.Name, q.Type, out[i+1].Answer, out[i+1].Err)
		}
		return out
	}
	var wg sync.WaitGroup
	panics := make([]any, len(qs))
	for i, q := range qs[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i+1] = recover() }()
			out[i+1].Answer, out[i+1].Err = r.Lookup(ctx, q.Name, q.Type)
		}()
	}
	// The first on this goroutine: one goroutine fewer.
	out[0].Answer, out[0].Err = r.Lookup(ctx, qs[0].Name, qs[0].Type)
	wg.Wait()
	for _, v := range panics {
		if v != nil {
			panic(v) // on the caller's goroutine, where a check's panic is caught
		}
	}
	return out
}

// Ahead asks qs now, in the background, and returns a resolver that
// answers them from there — a question asked ahead is waited for, never
// asked twice — and passes every other question to r. A question asked
// ahead is counted as asked (resolver.Speculator) when it is read, not
// before. Wait waits for every question asked ahead.
func Ahead(ctx context.Context, r resolver.Resolver, qs ...Question) *Early {
	// Asked ahead, through r's Speculate when it counts questions: one is
	// counted (Note) when it is read, never before.
	spec, note := resolver.Speculate(r)
	e := &Early{r: r, note: note}
	ps := prefetch(ctx, spec, qs)
	all := make([]future, len(qs)) // one allocation for them all
	e.fs = make([]*future, 0, len(qs))
	for i, q := range qs {
		if e.find(q.Name, q.Type) != nil {
			continue
		}
		f := &all[i]
		f.q = q
		e.fs = append(e.fs, f)
		if ps != nil {
			f.p = ps[i] // read where it is looked up: no goroutine
			continue
		}
		f.done = make(chan struct{})
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			defer close(f.done)
			defer func() { f.panicked = recover() }()
			f.a, f.err = spec.Lookup(ctx, q.Name, q.Type)
		}()
	}
	return e
}

// Early is the resolver of Ahead.
type Early struct {
	r    resolver.Resolver
	note func(name string, qtype uint16, a *resolver.Answer, err error)
	fs   []*future // written before Ahead returns, read only after: a few
	wg   sync.WaitGroup
}

type future struct {
	q        Question
	p        resolver.Pending // prefetched: read on demand (done unused)
	read     atomic.Bool      // p was read: Wait leaves it be
	done     chan struct{}
	a        *resolver.Answer
	err      error
	panicked any // the resolver's panic, raised again where it is read
}

// find returns the future of a question, or nil. Names compare without
// case and final dot, and without allocating: every question of a check
// passes here.
func (e *Early) find(name string, qtype uint16) *future {
	name = strings.TrimSuffix(name, ".")
	for _, f := range e.fs {
		if f.q.Type == qtype && strings.EqualFold(strings.TrimSuffix(f.q.Name, "."), name) {
			return f
		}
	}
	return nil
}

// Lookup answers a question asked ahead from its answer, and asks r any
// other.
func (e *Early) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if f := e.find(name, qtype); f != nil {
		if f.p != nil {
			f.read.Store(true)
			a, err := f.p.Lookup(ctx)
			e.note(name, qtype, a, err)
			return a, err
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: ctx.Err()}
		}
		if f.panicked != nil {
			panic(f.panicked)
		}
		e.note(name, qtype, f.a, f.err)
		return f.a, f.err
	}
	return e.r.Lookup(ctx, name, qtype)
}

// Wait waits for every question asked ahead; one prefetched (on a
// resolver.Prefetcher) and never read is abandoned instead.
func (e *Early) Wait() {
	for _, f := range e.fs {
		if f.p != nil && !f.read.Load() {
			f.p.Abandon()
		}
	}
	e.wg.Wait()
}

// prefetch starts qs on r when r is a resolver.Prefetcher that can, and
// returns where to read each; nil when nothing was asked.
func prefetch(ctx context.Context, r resolver.Resolver, qs []Question) []resolver.Pending {
	pr, ok := r.(resolver.Prefetcher)
	if !ok || len(qs) == 0 {
		return nil
	}
	first := pr.Prefetch(ctx, qs[0].Name, qs[0].Type)
	if first == nil {
		return nil
	}
	ps := make([]resolver.Pending, len(qs))
	ps[0] = first
	for i, q := range qs[1:] {
		if ps[i+1] = pr.Prefetch(ctx, q.Name, q.Type); ps[i+1] == nil {
			// Prefetcher allows nil for any question: this one is asked
			// when read.
			ps[i+1] = later{r, q}
		}
	}
	return ps
}

// later is the Pending of a question a Prefetcher would not start: asked
// of it when read.
type later struct {
	r resolver.Resolver
	q Question
}

func (l later) Lookup(ctx context.Context) (*resolver.Answer, error) {
	return l.r.Lookup(ctx, l.q.Name, l.q.Type)
}

func (later) Abandon() {}
