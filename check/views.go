package check

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// ViewDifference is one question two views answer differently.
type ViewDifference struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Views name the two views, e.g. "authoritative" and "resolver".
	Views [2]string `json:"views"`
	// Answers are each view's answer: record data, "NXDOMAIN", "NODATA"
	// or "error: …".
	Answers [2][]string `json:"answers"`
	// TTL is what the second view's answer still has to run: how long a
	// cache may go on serving it.
	TTL uint32 `json:"ttl"`
	// Expires is when that is, by the clock of the comparison: after it,
	// a cache that follows the TTL asks again and sees the change. Zero
	// when the second view had no records (a negative answer's TTL is
	// not known here).
	Expires time.Time `json:"expires,omitzero"`
}

func (v ViewDifference) String() string {
	s := fmt.Sprintf("%s %s: %s says %s; %s says %s (TTL %ds)", v.Name, v.Type, v.Views[0], strings.Join(v.Answers[0], ", "),
		v.Views[1], strings.Join(v.Answers[1], ", "), v.TTL)
	if !v.Expires.IsZero() {
		s += fmt.Sprintf("; the %s answer expires at %s, in %s: DNS changes take that long to be seen everywhere", v.Views[1], v.Expires.UTC().Format("15:04:05 MST, 2 Jan"), time.Duration(v.TTL)*time.Second)
	}
	return s
}

func viewAnswer(a *resolver.Answer, err error) ([]string, uint32) {
	switch {
	case err != nil:
		return []string{"error: " + err.Error()}, 0
	case a.NXDomain():
		return []string{"NXDOMAIN"}, 0
	case a.NoData():
		return []string{"NODATA"}, 0
	}
	out := []string{}
	ttl := a.Records[0].Header().Ttl
	for _, c := range a.Chain {
		out = append(out, "CNAME "+c.Target)
	}
	for _, rr := range a.Records {
		out = append(out, rrtext.RData(rr))
		ttl = min(ttl, rr.Header().Ttl)
	}
	slices.Sort(out)
	return out, ttl
}

// CompareViews asks views a and b every question the check behind rep
// asked, and records in rep.Views (and returns) those they answer
// differently: split DNS (an internal resolver still sending autodiscover
// on premises) or a cache still serving an old answer, with the TTL left.
func CompareViews(ctx context.Context, rep *Report, a, b resolver.Resolver, nameA, nameB string) []ViewDifference {
	rep.mu.Lock()
	seen := map[question]bool{}
	qs := make([]question, 0, len(rep.asked))
	for _, q := range rep.asked {
		q.name = strings.ToLower(dns.Fqdn(q.name))
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	rep.mu.Unlock()
	slices.SortFunc(qs, func(x, y question) int {
		if c := strings.Compare(x.name, y.name); c != 0 {
			return c
		}
		return int(x.qtype) - int(y.qtype)
	})
	var out []ViewDifference
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			rep.fail(&CheckError{Check: "views", Name: rep.Domain, Err: fmt.Errorf("comparing %s with %s stopped: %w", nameA, nameB, err)})
			break
		}
		ansA, _ := viewAnswer(a.Lookup(ctx, q.name, q.qtype))
		ansB, ttl := viewAnswer(b.Lookup(ctx, q.name, q.qtype))
		if slices.Equal(ansA, ansB) {
			continue
		}
		d := ViewDifference{Name: strings.TrimSuffix(q.name, "."), Type: dns.TypeToString[q.qtype],
			Views: [2]string{nameA, nameB}, Answers: [2][]string{ansA, ansB}, TTL: ttl}
		if ttl > 0 {
			d.Expires = time.Now().Add(time.Duration(ttl) * time.Second).Truncate(time.Second)
		}
		out = append(out, d)
	}
	rep.mu.Lock()
	rep.Views = append(rep.Views, out...)
	if b := resolver.BudgetFrom(ctx); b != nil {
		// The same domain's budget: count what the comparison sent.
		rep.Stats.Queries = max(rep.Stats.Queries, b.Used())
	}
	rep.mu.Unlock()
	return out
}

// MaxNameServers bounds the nameserver hosts whose addresses NameServers
// looks up (two questions each): a zone listing thousands of NS records
// must not cost thousands of queries.
const MaxNameServers = 8

// NameServers returns the addresses of domain's own nameservers, found
// through r: the NS records of the domain or of the nearest parent that has
// them; at most 4 addresses, from at most MaxNameServers hosts (in name
// order). It costs one question per label walked up, then at most two per
// host.
func NameServers(ctx context.Context, r resolver.Resolver, domain string) ([]string, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, err
	}
	var hosts []string
	for n := name; n != "" && n != "." && len(hosts) == 0; {
		a, err := r.Lookup(ctx, n, dns.TypeNS)
		if err != nil {
			return nil, fmt.Errorf("check: NS of %s: %w", strings.TrimSuffix(n, "."), err)
		}
		for _, rr := range a.Records {
			if ns, ok := rr.(*dns.NS); ok {
				hosts = append(hosts, ns.Ns)
			}
		}
		_, n, _ = strings.Cut(n, ".")
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("check: no NS records for %s or its parents", strings.TrimSuffix(name, "."))
	}
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	var addrs []string
	for i, h := range hosts {
		if i == MaxNameServers || len(addrs) >= 4 {
			break
		}
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			a, err := r.Lookup(ctx, h, qt)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("check: the addresses of the nameservers of %s: %w", strings.TrimSuffix(name, "."), ctx.Err())
				}
				continue
			}
			for _, rr := range a.Records {
				switch v := rr.(type) {
				case *dns.A:
					addrs = append(addrs, v.A.String())
				case *dns.AAAA:
					addrs = append(addrs, v.AAAA.String())
				}
			}
		}
	}
	if len(addrs) == 0 {
		shown := hosts[:min(len(hosts), MaxNameServers)]
		more := ""
		if len(hosts) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(hosts)-len(shown))
		}
		return nil, fmt.Errorf("check: the nameservers of %s (%s%s) have no addresses", strings.TrimSuffix(name, "."), strings.Join(shown, ", "), more)
	}
	return addrs[:min(len(addrs), 4)], nil
}

// Authoritative returns a client that asks domain's own nameservers (see
// NameServers) on port 53, so a check sees what the zone publishes now
// rather than what caches remember. Close it when done.
func Authoritative(ctx context.Context, r resolver.Resolver, domain string, cfg resolver.Config) (*resolver.Client, error) {
	addrs, err := NameServers(ctx, r, domain)
	if err != nil {
		return nil, err
	}
	cfg.Servers = nil
	for _, a := range addrs {
		cfg.Servers = append(cfg.Servers, net.JoinHostPort(a, "53"))
	}
	return resolver.New(cfg)
}
