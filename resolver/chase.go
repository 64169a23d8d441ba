package resolver

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// DefaultMaxCNAMEHops bounds CNAME chains when a Config says nothing.
const DefaultMaxCNAMEHops = 8

// step is one server response, reduced to what chasing and caching need.
// Of the authority section only its SOAs are read, and of them only their
// owners and their TTLs: a cached negative answer does not keep the
// records themselves (an SOA and its two names weigh about 200 octets,
// and most answers a sweep caches are negative).
type step struct {
	rcode  int
	answer []dns.RR
	// zones are the owners of the authority section's SOAs, lowercase:
	// the zones that answered negatively (negativeFor).
	zones []string
	// negTTL is the least of those SOAs' TTL and MINIMUM (RFC 2308 §5);
	// meaningless when zones is empty.
	negTTL uint32
	ad     bool
	// whole is the whole answer a Client cached with the step, when it
	// needs no chasing: set before the step is handed to anyone, then
	// only read.
	whole *Answer
}

// setAuthority keeps what st needs of an authority section: its SOAs'
// owners and negative TTL.
func (st *step) setAuthority(ns []dns.RR) {
	for _, rr := range ns {
		soa, ok := rr.(*dns.SOA)
		if !ok {
			continue
		}
		ttl := min(soa.Hdr.Ttl, soa.Minttl)
		if len(st.zones) == 0 || ttl < st.negTTL {
			st.negTTL = ttl
		}
		st.zones = append(st.zones, strings.ToLower(soa.Hdr.Name))
	}
}

// newStep reduces a NOERROR or NXDOMAIN response to the question
// name/qtype to a step. The answer section keeps its class-IN CNAMEs and
// records of qtype, the authority section its SOAs: nothing else is read,
// and the rest would only take room in the cache. It fails with
// ErrTemporary on a response that is no answer:
//   - a referral: no answer, NS records in the authority section and no
//     SOA (RFC 2308 §2.2.1). A lame delegation or an upward referral says
//     nothing about the name; read as NODATA it made records "missing".
//   - an answer section that holds something, but nothing for the
//     question: only records of another class, owner or type.
func newStep(resp *dns.Msg, name string, qtype uint16) (*step, error) {
	st := &step{rcode: resp.Rcode, answer: resp.Answer, ad: resp.AuthenticatedData}
	keep := func(rr dns.RR) bool {
		h := rr.Header()
		return h.Class == dns.ClassINET && (h.Rrtype == qtype || h.Rrtype == dns.TypeCNAME)
	}
	if !all(st.answer, keep) {
		st.answer = filter(st.answer, keep)
	}
	var ns *dns.NS
	for _, rr := range resp.Ns {
		if n, ok := rr.(*dns.NS); ok && ns == nil {
			ns = n
		}
	}
	st.setAuthority(resp.Ns)
	if resp.Rcode != dns.RcodeSuccess {
		return st, nil
	}
	switch {
	case len(resp.Answer) == 0 && ns != nil && len(st.zones) == 0:
		return nil, fmt.Errorf("%w: %w to the servers of %s (%s…), not an answer: a lame delegation or an upward referral",
			ErrTemporary, ErrReferral, strings.TrimSuffix(ns.Hdr.Name, "."), strings.TrimSuffix(ns.Ns, "."))
	case len(resp.Answer) > 0 && !answers(st.answer, name, qtype):
		h := resp.Answer[0].Header()
		return nil, fmt.Errorf("%w: unusable answer: %d records, none of type %s for %s in class IN (the first: %s %s %s)",
			ErrTemporary, len(resp.Answer), dns.TypeToString[qtype], strings.TrimSuffix(name, "."),
			strings.TrimSuffix(h.Name, "."), dns.ClassToString[h.Class], dns.TypeToString[h.Rrtype])
	}
	return st, nil
}

// answers reports whether rrs answer name/qtype: a record of the type at
// the name, or a CNAME at the name to follow.
func answers(rrs []dns.RR, name string, qtype uint16) bool {
	if qtype != dns.TypeCNAME && findCNAME(rrs, name) != nil {
		return true
	}
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype == qtype && h.Class == dns.ClassINET && strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

func all(rrs []dns.RR, f func(dns.RR) bool) bool {
	for _, rr := range rrs {
		if !f(rr) {
			return false
		}
	}
	return true
}

func filter(rrs []dns.RR, f func(dns.RR) bool) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if f(rr) {
			out = append(out, rr)
		}
	}
	return out
}

type stepFunc func(ctx context.Context, name string, qtype uint16) (*step, error)

// chase asks name/qtype and follows CNAMEs, asking again where a server
// returned only the alias (authoritative servers do for a target in another
// zone). RFC 1034 §3.6.2, RFC 6604.
func chase(ctx context.Context, name string, qtype uint16, maxHops int, ask stepFunc) (*Answer, error) {
	return chaseFrom(ctx, name, qtype, maxHops, nil, ask)
}

// chaseFrom is chase with the first step's answer already known (first,
// when not nil): ask is asked from the second step on.
func chaseFrom(ctx context.Context, name string, qtype uint16, maxHops int, first *step, ask stepFunc) (*Answer, error) {
	if first != nil && first.whole != nil {
		return first.whole, nil // the answer the cache holds: not built again
	}
	ans := &Answer{Name: name, Type: qtype, AD: true}
	cur := name
	var seen map[string]bool // made at the first CNAME: a cache hit without one allocates nothing more
	for {
		st := first
		first = nil
		if st == nil {
			var err error
			if st, err = ask(ctx, cur, qtype); err != nil {
				return nil, err
			}
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
		if len(ans.Records) > 0 || !progressed || st.rcode == dns.RcodeNameError || negativeFor(st.zones, cur) {
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
		if c, ok := rr.(*dns.CNAME); ok && c.Hdr.Class == dns.ClassINET && strings.EqualFold(c.Hdr.Name, owner) {
			return c
		}
	}
	return nil
}

// negativeFor reports whether one of zones (the owners of a response's
// SOAs) encloses name: the server's authoritative NODATA for it.
func negativeFor(zones []string, name string) bool {
	for _, z := range zones {
		if dns.IsSubDomain(z, name) {
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
