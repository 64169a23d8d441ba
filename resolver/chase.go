package resolver

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// DefaultMaxCNAMEHops bounds CNAME chains when a Config says nothing.
const DefaultMaxCNAMEHops = 8

// step is one server response, reduced to what chasing needs.
type step struct {
	rcode  int
	answer []dns.RR
	ns     []dns.RR
	ad     bool
}

type stepFunc func(ctx context.Context, name string, qtype uint16) (*step, error)

// chase asks name/qtype and follows CNAMEs, asking again where a server
// returned only the alias (authoritative servers do for a target in another
// zone). RFC 1034 §3.6.2, RFC 6604.
func chase(ctx context.Context, name string, qtype uint16, maxHops int, ask stepFunc) (*Answer, error) {
	ans := &Answer{Name: name, Type: qtype, AD: true}
	cur := name
	var seen map[string]bool // made at the first CNAME: a cache hit without one allocates nothing more
	for {
		st, err := ask(ctx, cur, qtype)
		if err != nil {
			return nil, err
		}
		ans.AD = ans.AD && st.ad
		progressed := false
		if qtype != dns.TypeCNAME {
			for {
				c := findCNAME(st.answer, cur)
				if c == nil {
					break
				}
				ans.Chain = append(ans.Chain, c)
				next := strings.ToLower(c.Target)
				if seen == nil {
					seen = map[string]bool{name: true}
				}
				if seen[next] {
					return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: fmt.Errorf("%w: %s", ErrCNAMELoop, chainText(name, ans.Chain))}
				}
				if len(ans.Chain) > maxHops {
					return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: fmt.Errorf("%w: more than %d hops: %s", ErrCNAMEChain, maxHops, chainText(name, ans.Chain))}
				}
				seen[next] = true
				cur = next
				progressed = true
			}
		}
		if !progressed && allMatch(st.answer, cur, qtype) {
			ans.Records = st.answer // shared with the cache: callers must not modify it
		} else {
			for _, rr := range st.answer {
				h := rr.Header()
				if h.Rrtype == qtype && h.Class == dns.ClassINET && strings.EqualFold(h.Name, cur) {
					ans.Records = append(ans.Records, rr)
				}
			}
		}
		if len(ans.Records) > 0 || !progressed || st.rcode == dns.RcodeNameError || negativeFor(st.ns, cur) {
			ans.Rcode = st.rcode
			if len(ans.Records) > 0 {
				ans.Rcode = dns.RcodeSuccess
			}
			return ans, nil
		}
		// The response ended at an alias with no data and no authoritative
		// word about the target: ask for the target itself.
	}
}

// allMatch reports whether every record is of qtype, class IN, at owner.
func allMatch(rrs []dns.RR, owner string, qtype uint16) bool {
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype != qtype || h.Class != dns.ClassINET || !strings.EqualFold(h.Name, owner) {
			return false
		}
	}
	return true
}

func findCNAME(rrs []dns.RR, owner string) *dns.CNAME {
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, owner) {
			return c
		}
	}
	return nil
}

// negativeFor reports whether ns carries an SOA of a zone enclosing name:
// the server's authoritative NODATA for it.
func negativeFor(ns []dns.RR, name string) bool {
	for _, rr := range ns {
		if soa, ok := rr.(*dns.SOA); ok && dns.IsSubDomain(strings.ToLower(soa.Hdr.Name), name) {
			return true
		}
	}
	return false
}

func chainText(name string, chain []*dns.CNAME) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(name, "."))
	for _, c := range chain {
		b.WriteString(" → ")
		b.WriteString(strings.TrimSuffix(strings.ToLower(c.Target), "."))
	}
	return b.String()
}
