package spf_test

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// fuzzWorld answers from memory: r0.fuzz. to r3.fuzz. hold the records
// the fuzzer wrote (one per line of its input), a.fuzz. and m.fuzz. hold
// an address and an MX, the reverse names a PTR to a.fuzz., and every
// other name is NXDOMAIN. It counts the questions asked.
type fuzzWorld struct {
	recs   []string
	copies int // r0.fuzz.'s record is published this many times (0: once)
	asked  atomic.Int64
}

func (w *fuzzWorld) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	w.asked.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	cname, err := resolver.CanonicalName(name)
	if err != nil {
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	a := &resolver.Answer{Name: cname, Type: qtype, Rcode: dns.RcodeSuccess}
	hdr := dns.RR_Header{Name: cname, Rrtype: qtype, Class: dns.ClassINET, Ttl: 60}
	switch {
	case strings.HasPrefix(cname, "r") && strings.HasSuffix(cname, ".fuzz.") && len(cname) == len("r0.fuzz."):
		i := int(cname[1] - '0')
		if i < 0 || i >= len(w.recs) {
			a.Rcode = dns.RcodeNameError
		} else if qtype == dns.TypeTXT {
			var ss []string
			for t := w.recs[i]; len(t) > 0; {
				n := min(len(t), 255)
				ss = append(ss, t[:n])
				t = t[n:]
			}
			for range max(1, w.copies*boolInt(i == 0)) {
				a.Records = append(a.Records, &dns.TXT{Hdr: hdr, Txt: ss})
			}
		}
	case cname == "a.fuzz." && qtype == dns.TypeA:
		a.Records = append(a.Records, &dns.A{Hdr: hdr, A: netip.MustParseAddr("192.0.2.1").AsSlice()})
	case cname == "a.fuzz." && qtype == dns.TypeAAAA:
		a.Records = append(a.Records, &dns.AAAA{Hdr: hdr, AAAA: netip.MustParseAddr("2001:db8::1").AsSlice()})
	case cname == "a.fuzz.":
	case cname == "m.fuzz." && qtype == dns.TypeMX:
		a.Records = append(a.Records, &dns.MX{Hdr: hdr, Preference: 10, Mx: "a.fuzz."})
	case cname == "m.fuzz.":
	case strings.HasSuffix(cname, ".arpa.") && qtype == dns.TypePTR:
		a.Records = append(a.Records, &dns.PTR{Hdr: hdr, Ptr: "a.fuzz."})
	default:
		a.Rcode = dns.RcodeNameError
	}
	return a, nil
}

// FuzzCheck: check_host() over records the fuzzer writes never panics,
// always gives one of the seven results, and asks a bounded number of
// questions: the first record's, then 10 DNS terms (§4.6.4) each with an
// mx's 10 names or a ptr's 10, and for each of the 11 records evaluated
// at most, %{p}'s validation (a PTR and 10 names).
func FuzzCheck(f *testing.F) {
	f.Add("v=spf1 include:r1.fuzz -all\nv=spf1 a:a.fuzz mx:m.fuzz ptr exists:%{ir}.%{v}.a.fuzz ~all", []byte{192, 0, 2, 1}, "user@r0.fuzz")
	f.Add("v=spf1 redirect=r1.fuzz\nv=spf1 redirect=r2.fuzz\nv=spf1 redirect=r0.fuzz", []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, "")
	f.Add("v=spf1 %{p}.a.fuzz include:%{P}.r1.fuzz\nv=spf1 ip4:192.0.2.0/24 ip6:::/0 -all", []byte{192, 0, 2, 1}, "%@r0.fuzz")
	f.Fuzz(func(t *testing.T, records string, ip []byte, sender string) {
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			addr = netip.MustParseAddr("192.0.2.1")
		}
		w := &fuzzWorld{recs: strings.SplitN(records, "\n", 4)}
		v, err := spf.Check(context.Background(), w, addr, "r0.fuzz", sender)
		if err != nil {
			t.Fatalf("error %v without a cancelled context", err)
		}
		switch v.Result {
		case spf.Pass, spf.Fail, spf.SoftFail, spf.Neutral, spf.None, spf.TempError, spf.PermError:
		default:
			t.Fatalf("result %q", v.Result)
		}
		if n := w.asked.Load(); n > 1+10*(1+10)+11*(1+10) {
			t.Fatalf("%d questions asked for %q", n, records)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestManyRecordsOneAnswer: a name publishing 50 SPF records, each with
// a %{p} macro, is a permerror (RFC 7208 §4.5) found from its one TXT
// answer: no PTR walk per record.
func TestManyRecordsOneAnswer(t *testing.T) {
	w := &fuzzWorld{recs: []string{"v=spf1 exists:%{p}.a.fuzz -all"}, copies: 50}
	v, err := spf.Check(context.Background(), w, netip.MustParseAddr("192.0.2.1"), "r0.fuzz", "")
	if err != nil || v.Result != spf.PermError {
		t.Fatalf("%+v, %v; want permerror", v, err)
	}
	if n := w.asked.Load(); n != 1 {
		t.Errorf("%d questions asked, want the TXT question alone", n)
	}
}
