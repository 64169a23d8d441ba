package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// One domain's latency: the live check of one domain, cold, through a
// resolver whose every upstream query costs delay, and the check's
// critical path.
type latency struct {
	Domain string  `json:"domain"`
	WallMS float64 `json:"wall_ms"`
	// Hops is the critical path in upstream queries: the longest chain
	// of the check's questions each of which asks for a name an earlier
	// answer gave, each weighed by the queries a cold resolver sends for
	// it (one, and one per CNAME it follows).
	Hops       int     `json:"hops"`
	CriticalMS float64 `json:"critical_ms"`
	Questions  int     `json:"questions"`
}

// traced is one question the check asked, with when and what came back.
type traced struct {
	name       string
	qtype      string
	start, end time.Time
	weight     int
	mentions   []string
	dmarc      string // the name under _dmarc., for the DMARC walk
	void       bool
}

// fallback reports whether q is asked where p came back void: the same
// name, or the same leading labels under a parent of p's rest.
func fallback(p, q string) bool {
	if p == q {
		return true
	}
	pl, ql := dns.SplitDomainName(p), dns.SplitDomainName(q)
	i := 0
	for i < len(pl) && i < len(ql) && pl[i] == ql[i] {
		i++
	}
	if i == 0 {
		return false
	}
	a, b := pl[i:], ql[i:]
	return len(b) > 0 && len(b) < len(a) && slices.Equal(a[len(a)-len(b):], b)
}

type tracer struct {
	r  resolver.Resolver
	mu sync.Mutex
	qs []traced
}

func (t *tracer) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	start := time.Now()
	a, err := t.r.Lookup(ctx, name, qtype)
	t.record(name, qtype, start, a)
	return a, err
}

// Prefetch starts a question on the Client as the check would without the
// tracer (resolver.Prefetcher): traced from the time it was started.
func (t *tracer) Prefetch(ctx context.Context, name string, qtype uint16) resolver.Pending {
	p, ok := t.r.(resolver.Prefetcher)
	if !ok {
		return nil
	}
	start := time.Now()
	inner := p.Prefetch(ctx, name, qtype)
	if inner == nil {
		return nil
	}
	return &tracedPending{t: t, p: inner, name: name, qtype: qtype, start: start}
}

type tracedPending struct {
	t     *tracer
	p     resolver.Pending
	name  string
	qtype uint16
	start time.Time
}

func (tp *tracedPending) Lookup(ctx context.Context) (*resolver.Answer, error) {
	a, err := tp.p.Lookup(ctx)
	tp.t.record(tp.name, tp.qtype, tp.start, a)
	return a, err
}

func (tp *tracedPending) Abandon() { tp.p.Abandon() }

// record keeps a question asked at start, read now.
func (t *tracer) record(name string, qtype uint16, start time.Time, a *resolver.Answer) {
	q := traced{name: strings.ToLower(dns.Fqdn(name)), qtype: dns.TypeToString[qtype], start: start, end: time.Now(), weight: 1}
	if a != nil {
		q.void = a.Void()
		q.weight += len(a.Chain)
		for _, rr := range a.Records {
			q.mentions = append(q.mentions, mentioned(rr)...)
		}
	}
	if s, ok := strings.CutPrefix(q.name, "_dmarc."); ok {
		q.dmarc = s
	}
	t.mu.Lock()
	t.qs = append(t.qs, q)
	t.mu.Unlock()
}

// mentioned returns the names a record gives for the next questions: MX,
// CNAME, NS and SRV targets; in TXT the SPF terms' domains and the DMARC
// and TLS-RPT report addresses' domains.
func mentioned(rr dns.RR) []string {
	switch rr := rr.(type) {
	case *dns.MX:
		return []string{strings.ToLower(rr.Mx)}
	case *dns.CNAME:
		return []string{strings.ToLower(rr.Target)}
	case *dns.NS:
		return []string{strings.ToLower(rr.Ns)}
	case *dns.SRV:
		return []string{strings.ToLower(rr.Target)}
	case *dns.TXT:
		var out []string
		for _, tok := range strings.FieldsFunc(rrtext.TXT(rr), func(r rune) bool { return r == ' ' || r == ';' || r == ',' }) {
			tok = strings.TrimLeft(strings.ToLower(strings.TrimSpace(tok)), "+-~?") // a qualifier
			for _, p := range []string{"include:", "redirect=", "a:", "mx:", "exists:", "ptr:"} {
				if v, ok := strings.CutPrefix(tok, p); ok {
					v, _, _ = strings.Cut(v, "/")
					out = append(out, dns.Fqdn(v))
				}
			}
			if _, v, ok := strings.Cut(tok, "mailto:"); ok {
				if _, d, ok := strings.Cut(v, "@"); ok {
					d, _, _ = strings.Cut(d, "!")
					out = append(out, dns.Fqdn(d))
				}
			}
		}
		return out
	}
	return nil
}

// criticalPath returns the longest weighted chain of dependent questions.
// Q depends on an earlier P (answered before Q was asked) when
//   - P's answer names Q's name, or a name Q's name is under
//     (_25._tcp.mx.example. under the MX target, d._report._dmarc.r.example.
//     under a report domain) — the checked domain itself aside, and its
//     parents as names Q's is under: every question starts from those;
//   - P came back void (NXDOMAIN, NODATA) and Q is its fallback: the same
//     name (A after no MX, RFC 5321 §5.1), or the same leading labels under
//     a parent (_dmarc.<parent> after _dmarc.<child>, default._bimi.<org>
//     after default._bimi.<domain>);
//   - Q is the next name of a DMARC tree walk after P (_dmarc.<parent>
//     after _dmarc.<child>).
func criticalPath(qs []traced, domain string) int {
	slices.SortFunc(qs, func(a, b traced) int { return a.start.Compare(b.start) })
	domain = dns.Fqdn(domain)
	roots := map[string]bool{".": true}
	for l := domain; l != "."; {
		roots[l] = true
		_, rest, _ := strings.Cut(l, ".")
		if rest == "" {
			rest = "."
		}
		l = rest
	}
	depth := make([]int, len(qs))
	best := 0
	for i, q := range qs {
		under := map[string]bool{}
		if q.name != domain {
			under[q.name] = true
		}
		for n := q.name; n != "" && n != "."; {
			if !roots[n] {
				under[n] = true
			}
			_, rest, _ := strings.Cut(n, ".")
			n = rest
		}
		d := 0
		for j := range i {
			p := qs[j]
			if p.end.After(q.start) {
				continue
			}
			dep := slices.ContainsFunc(p.mentions, func(m string) bool { return under[m] })
			if !dep && q.dmarc != "" && p.dmarc != "" && strings.HasSuffix(p.dmarc, "."+q.dmarc) {
				dep = true
			}
			if !dep && p.void && fallback(p.name, q.name) {
				dep = true
			}
			if dep {
				d = max(d, depth[j])
			}
		}
		depth[i] = d + q.weight
		best = max(best, depth[i])
		if os.Getenv("BENCH_TRACE") != "" {
			fmt.Fprintf(os.Stderr, "%6.1f %6.1f  depth %d  %s %s\n", float64(q.start.Sub(qs[0].start).Microseconds())/1000, float64(q.end.Sub(qs[0].start).Microseconds())/1000, depth[i], q.name, q.qtype)
		}
	}
	return best
}

// measureLatency checks each domain alone, cold: flush empties the
// resolver's cache first, and each check gets a Client of its own.
func measureLatency(server string, domains []string, opts check.Options, flush string, delay time.Duration) ([]latency, error) {
	var out []latency
	for _, d := range domains {
		if flush != "" {
			if b, err := exec.Command("sh", "-c", flush).CombinedOutput(); err != nil {
				return nil, &flushError{string(b), err}
			}
			// A resolver that has just started spends its first query on
			// getting to know its upstream server (some 20 ms more here): one
			// question the check never asks sets that up, and leaves the
			// cache cold for the domain — a running resolver, cold.
			w, err := resolver.New(resolver.Config{Servers: []string{server}, Timeout: 3 * time.Second})
			if err != nil {
				return nil, err
			}
			w.Lookup(context.Background(), "example.", dns.TypeSOA)
			w.Close()
		}
		c, err := resolver.New(resolver.Config{Servers: []string{server}, Timeout: 3 * time.Second})
		if err != nil {
			return nil, err
		}
		t := &tracer{r: c}
		start := time.Now()
		check.Domain(context.Background(), t, d, opts)
		wall := time.Since(start)
		c.Close()
		hops := criticalPath(t.qs, d)
		out = append(out, latency{Domain: d, WallMS: float64(wall.Microseconds()) / 1000, Hops: hops,
			CriticalMS: float64((time.Duration(hops) * delay).Microseconds()) / 1000, Questions: len(t.qs)})
	}
	return out, nil
}

type flushError struct {
	out string
	err error
}

func (e *flushError) Error() string { return "flush: " + e.err.Error() + ": " + e.out }
