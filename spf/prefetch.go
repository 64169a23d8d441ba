package spf

import (
	"context"
	"strings"
	"sync"
	"unsafe"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// prefetcher asks, in the background, the questions a walk is about to
// ask: as soon as a record is known, the targets of its terms (include
// and redirect TXT, a's A and AAAA, mx's MX, exists' A), and as each
// include's record arrives, its own terms'. The walk itself stays
// sequential — counting, findings and the tree are built in evaluation
// order — but it finds its answers already asked for, so a policy tree's
// latency is its depth, not its size. The walk's own questions go
// through it: one asked in the background is waited for, never asked
// twice. It asks for as many terms as the walk walks (Linter.MaxWalk):
// the walk goes depth first, the prefetch as answers come, so for a tree
// larger than that bound (one built to be large: fan-out at every level)
// it may ask for terms the walk never reaches — at most MaxWalk terms'
// questions beyond the walk's own.
type prefetcher struct {
	ctx  context.Context
	r    resolver.Resolver // the walk's own questions
	spec resolver.Resolver // the questions asked ahead (resolver.Speculate)
	note func(name string, qtype uint16, a *resolver.Answer, err error)
	root string
	max  int // terms prefetched at most: the walk's own bound (Linter.MaxWalk)

	mu    sync.Mutex
	m     map[pkey]*future
	done  map[string]bool // records whose terms were prefetched
	recs  map[string]parsed
	terms int
	wg    sync.WaitGroup
}

// parsed is a record parsed once for the prefetch and the walk.
type parsed struct {
	rec  *Record
	errs []error
}

// parsedSize estimates the heap a parsed record retains: its terms, the
// strings they hold (lowercased copies at most), its errors.
func parsedSize(rec *Record, errs []error) int {
	n := 96 + 128*len(errs)
	if rec != nil {
		n += int(unsafe.Sizeof(Term{}))*cap(rec.Terms) + len(rec.Raw)
		for _, t := range rec.Terms {
			n += len(t.Name) + len(t.Domain)
		}
	}
	return n
}

// parsedKey keys a record parsed from an answer (resolver.Answer.Memo).
type parsedKey struct{ txt string }

// parse parses a record of answer a, once for the walk and the prefetch —
// and once for every walk, when a comes from a cache (Answer.Memo): a
// record is not modified once parsed.
func (p *prefetcher) parse(a *resolver.Answer, txt string) (*Record, []error) {
	p.mu.Lock()
	got, ok := p.recs[txt]
	p.mu.Unlock()
	if ok {
		return got.rec, got.errs
	}
	got = a.Memo(parsedKey{txt}, func() (any, int) {
		rec, errs := parse(txt)
		return parsed{rec, errs}, parsedSize(rec, errs)
	}).(parsed)
	p.mu.Lock()
	p.recs[txt] = got
	p.mu.Unlock()
	return got.rec, got.errs
}

type pkey struct {
	name  string
	qtype uint16
}

type future struct {
	done     chan struct{}
	a        *resolver.Answer
	err      error
	panicked any
}

// lookup returns the answer to a question, from the background when it was
// prefetched.
func (p *prefetcher) lookup(name string, qtype uint16) (*resolver.Answer, error) {
	k := pkey{name, qtype}
	p.mu.Lock()
	f := p.m[k]
	if f == nil {
		// Asked by the walk itself (counted by r as it asks): a future
		// all the same, so that a prefetch of the same question, racing
		// behind, waits for this answer instead of asking again.
		f = &future{done: make(chan struct{})}
		p.m[k] = f
		p.mu.Unlock()
		f.a, f.err = p.r.Lookup(p.ctx, name, qtype)
		close(f.done)
		return f.a, f.err
	}
	p.mu.Unlock()
	select {
	case <-f.done:
		if f.panicked != nil {
			panic(f.panicked)
		}
		p.note(name, qtype, f.a, f.err) // read: now it counts as asked
		return f.a, f.err
	case <-p.ctx.Done():
		return nil, p.ctx.Err()
	}
}

// ask starts a question in the background unless it was started before;
// then, when it is a TXT record with one SPF record, prefetches its terms.
func (p *prefetcher) ask(name string, qtype uint16, domain string) {
	k := pkey{name, qtype}
	p.mu.Lock()
	if _, ok := p.m[k]; ok {
		p.mu.Unlock()
		return
	}
	f := &future{done: make(chan struct{})}
	p.m[k] = f
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() {
			// The walk meets the same record and panics where the
			// check's panic is caught; a resolver's panic is raised
			// again where the answer is read.
			if v := recover(); v != nil {
				select {
				case <-f.done:
				default:
					f.panicked = v
					close(f.done)
				}
			}
		}()
		f.a, f.err = p.spec.Lookup(p.ctx, name, qtype)
		close(f.done)
		if f.err != nil || qtype != dns.TypeTXT || domain == "" {
			return
		}
		var rec string
		for _, rr := range f.a.Records {
			if t, ok := rr.(*dns.TXT); ok {
				if s := strings.Join(resolver.DecodeTXT(t.Txt), ""); IsSPF(s) {
					if rec != "" {
						return // multiple records: the walk goes no further
					}
					rec = s
				}
			}
		}
		if rec != "" {
			p.record(f.a, domain, rec)
		}
	}()
}

// record prefetches the targets of the terms of domain's record rec that
// evaluation reaches: mechanisms up to all, and redirect without all.
func (p *prefetcher) record(a *resolver.Answer, domain, rec string) {
	p.mu.Lock()
	seen := p.done[domain]
	p.done[domain] = true
	p.mu.Unlock()
	if seen {
		return
	}
	r, _ := p.parse(a, rec)
	if r == nil {
		return
	}
	hasAll := r.All() != nil
	for i := range r.Terms {
		t := &r.Terms[i]
		switch {
		case t.Kind == Mechanism && t.Name == "all":
			return // nothing after all is reached; no redirect with all
		case t.Kind == Modifier && t.Name == "redirect" && !hasAll:
		case t.Kind != Mechanism || !t.CostsLookup() || t.Name == "ptr":
			continue
		}
		p.mu.Lock()
		p.terms++
		over := p.terms > p.max
		p.mu.Unlock()
		if over {
			return
		}
		target := domain
		if t.Domain != "" {
			exp, ok := expandStatic(t.Domain, domain, p.root)
			if !ok {
				continue
			}
			target = exp
		}
		name := resolver.EscapeName(target)
		if _, err := resolver.CanonicalName(name); err != nil {
			continue
		}
		switch t.Name {
		case "include", "redirect":
			p.ask(name, dns.TypeTXT, target)
		case "a":
			p.ask(name, dns.TypeA, "")
			p.ask(name, dns.TypeAAAA, "")
		case "mx":
			p.ask(name, dns.TypeMX, "")
		case "exists":
			p.ask(name, dns.TypeA, "")
		}
	}
}
