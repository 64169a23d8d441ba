package resolver

import (
	"context"
	"testing"

	"github.com/miekg/dns"
)

// TestNegativeForChase: an alias answered with no data and SOAs stops the
// chase when one of the SOAs (any one, any case) encloses the target, and
// asks the target when none does; a negative TTL of 0 is not cached.
func TestNegativeForChase(t *testing.T) {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tc := range []struct {
		name  string
		soas  []string
		final bool
	}{
		{"second SOA, uppercase", []string{"unrelated.test. 60 IN SOA ns. h. 1 2 3 4 60", "OTHER.Example. 60 IN SOA ns. h. 1 2 3 4 60"}, true},
		{"no SOA encloses the target", []string{"a.example. 60 IN SOA ns. h. 1 2 3 4 60"}, false},
	} {
		m := new(dns.Msg)
		m.SetQuestion("a.example.", dns.TypeTXT)
		m.Answer = []dns.RR{rr("a.example. 60 IN CNAME b.other.example.")}
		for _, s := range tc.soas {
			m.Ns = append(m.Ns, rr(s))
		}
		st, err := newStep(m, "a.example.", dns.TypeTXT)
		if err != nil {
			t.Fatal(err)
		}
		asked := 0
		ask := func(ctx context.Context, name string, qtype uint16) (*step, error) {
			asked++
			if name != "b.other.example." {
				t.Errorf("%s: asked %s", tc.name, name)
			}
			return &step{rcode: dns.RcodeNameError}, nil
		}
		a, err := chaseFrom(context.Background(), "a.example.", dns.TypeTXT, 8, st, ask)
		if err != nil {
			t.Fatal(err)
		}
		if final := asked == 0; final != tc.final || len(a.Chain) != 1 {
			t.Errorf("%s: target asked %d times, chain %v; want final %v", tc.name, asked, a.Chain, tc.final)
		}
	}
	m := new(dns.Msg)
	m.SetQuestion("a.example.", dns.TypeTXT)
	m.Ns = []dns.RR{rr("example. 60 IN SOA ns. h. 1 2 3 4 0"), rr("example. 0 IN SOA ns. h. 1 2 3 4 60")}
	for i := range m.Ns {
		st, err := newStep(&dns.Msg{MsgHdr: m.MsgHdr, Ns: m.Ns[i : i+1]}, "a.example.", dns.TypeTXT)
		if err != nil {
			t.Fatal(err)
		}
		if ttl := stepTTL(st); ttl != 0 || len(st.zones) != 1 {
			t.Errorf("SOA %v: cached for %d s, zones %q; want 0", m.Ns[i], ttl, st.zones)
		}
	}
}

// TestAnswerStepNegative: the Zones fallback's negative answer past a
// CNAME chain ends the chase at its target, whatever its case.
func TestAnswerStepNegative(t *testing.T) {
	c := &dns.CNAME{Hdr: dns.RR_Header{Name: "a.example.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: "B.Other.Example."}
	st := answerStep(&Answer{Name: "a.example.", Type: dns.TypeTXT, Chain: []*dns.CNAME{c}})
	ask := func(ctx context.Context, name string, qtype uint16) (*step, error) {
		t.Errorf("asked %s", name)
		return &step{rcode: dns.RcodeNameError}, nil
	}
	a, err := chaseFrom(context.Background(), "a.example.", dns.TypeTXT, 8, st, ask)
	if err != nil || len(a.Chain) != 1 || a.Rcode != dns.RcodeSuccess {
		t.Errorf("answer %+v, error %v", a, err)
	}
	if stepTTL(st) != 0 {
		t.Errorf("the fallback's step is cacheable: %d s", stepTTL(st))
	}
}
