package spf_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"
)

// The RFC 7208 test suite (testdata/rfc7208-tests.yml, see its LICENSE).

type suite struct {
	Description string
	Tests       map[string]suiteTest
	ZoneData    map[string][]map[string]yaml.Node `yaml:"zonedata"`
}

type suiteTest struct {
	Description string
	Spec        any
	Helo        string
	Host        string
	MailFrom    string `yaml:"mailfrom"`
	Result      strOrList
	Explanation string
	Skip        string
}

type strOrList []string

func (s *strOrList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	var one string
	if err := n.Decode(&one); err != nil {
		return err
	}
	*s = []string{one}
	return nil
}

func loadSuites(t testing.TB) []suite {
	f, err := os.Open("testdata/rfc7208-tests.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []suite
	dec := yaml.NewDecoder(f)
	for {
		var s suite
		if err := dec.Decode(&s); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// suiteZone turns a suite's zonedata into one root zone for the
// zone-backed resolver, and the set of names marked TIMEOUT.
func suiteZone(t testing.TB, s suite) (resolver.Resolver, error) {
	var lines []string
	timeouts := map[string]bool{}
	names := make([]string, 0, len(s.ZoneData))
	for n := range s.ZoneData {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		owner := dns.Fqdn(escapeName(name))
		hdr := dns.RR_Header{Name: owner, Class: dns.ClassINET, Ttl: 300}
		// The suite predates RFC 7208's TXT-only rule: as its other runners
		// do, serve SPF-type data as TXT too where a name has no TXT entry.
		hasTXT := false
		for _, rec := range s.ZoneData[name] {
			_, ok := rec["TXT"]
			hasTXT = hasTXT || ok
		}
		for _, rec := range s.ZoneData[name] {
			for typ, node := range rec {
				var rr dns.RR
				switch typ {
				case "TIMEOUT":
					timeouts[strings.ToLower(owner)] = true
					continue
				case "CNAMELOOP":
					// The original suite has a CNAME to itself here.
					h := hdr
					h.Rrtype = dns.TypeCNAME
					rr = &dns.CNAME{Hdr: h, Target: owner}
				case "SERVFAIL":
					return nil, fmt.Errorf("unsupported %s", typ)
				case "TXT", "SPF":
					var strs strOrList
					if err := node.Decode(&strs); err != nil {
						return nil, err
					}
					if len(strs) == 1 && strs[0] == "NONE" {
						continue
					}
					h := hdr
					if typ == "TXT" {
						h.Rrtype = dns.TypeTXT
						rr = &dns.TXT{Hdr: h, Txt: txtStrings(strs)}
					} else {
						h.Rrtype = dns.TypeSPF
						rr = &dns.SPF{Hdr: h, Txt: txtStrings(strs)}
						if !hasTXT {
							th := hdr
							th.Rrtype = dns.TypeTXT
							lines = append(lines, (&dns.TXT{Hdr: th, Txt: txtStrings(strs)}).String())
						}
					}
				case "A", "AAAA", "PTR", "CNAME":
					var vals strOrList
					if err := node.Decode(&vals); err != nil {
						return nil, err
					}
					for _, v := range vals {
						r, err := dns.NewRR(fmt.Sprintf("%s 300 IN %s %s", owner, typ, fqdnIf(typ, v)))
						if err != nil {
							return nil, fmt.Errorf("%s %s %s: %v", name, typ, v, err)
						}
						lines = append(lines, r.String())
					}
					continue
				case "MX":
					var mx []any
					if err := node.Decode(&mx); err != nil {
						return nil, err
					}
					h := hdr
					h.Rrtype = dns.TypeMX
					rr = &dns.MX{Hdr: h, Preference: uint16(mx[0].(int)), Mx: dns.Fqdn(mx[1].(string))}
				default:
					return nil, fmt.Errorf("unknown record type %s", typ)
				}
				lines = append(lines, rr.String())
			}
		}
	}
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: ".", AnyNames: true, File: s.Description, Text: strings.Join(lines, "\n") + "\n"})
	if err != nil {
		return nil, err
	}
	return timeoutResolver{z, timeouts}, nil
}

func escapeName(n string) string {
	var b strings.Builder
	for _, c := range []byte(n) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"()\;@$`, c) >= 0 {
			fmt.Fprintf(&b, "\\%03d", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func fqdnIf(typ, v string) string {
	if typ == "PTR" || typ == "CNAME" {
		return dns.Fqdn(v)
	}
	return v
}

// timeoutResolver follows the suite's convention: at a name marked
// TIMEOUT, questions for types it holds are answered and others time out.
type timeoutResolver struct {
	z        *resolver.Zones
	timeouts map[string]bool
}

func (r timeoutResolver) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	a, err := r.z.Lookup(ctx, name, qtype)
	if r.timeouts[strings.ToLower(dns.Fqdn(name))] && (err != nil || len(a.Records) == 0) {
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: fmt.Errorf("%w: suite TIMEOUT", resolver.ErrTemporary)}
	}
	return a, err
}

func TestRFC7208Suite(t *testing.T) {
	total, passed := 0, 0
	for _, s := range loadSuites(t) {
		r, err := suiteZone(t, s)
		if err != nil {
			t.Fatalf("%s: zonedata: %v", s.Description, err)
		}
		names := make([]string, 0, len(s.Tests))
		for n := range s.Tests {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			tc := s.Tests[name]
			total++
			ok := t.Run(name, func(t *testing.T) {
				ip, err := netip.ParseAddr(tc.Host)
				if err != nil {
					t.Fatalf("host %q: %v", tc.Host, err)
				}
				v, err := spf.Check(context.Background(), r, ip, tc.Helo, tc.MailFrom)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(tc.Result, string(v.Result)) {
					t.Errorf("%s\nhelo=%s host=%s mailfrom=%s\ngot %s (%s), want %v",
						strings.TrimSpace(tc.Description), tc.Helo, tc.Host, tc.MailFrom, v.Result, v.Reason, tc.Result)
				}
			})
			if ok {
				passed++
			}
		}
	}
	t.Logf("RFC 7208 suite: %d of %d scenarios pass", passed, total)
}

// TestParserAgreesWithSuite parses each scenario's own record: where the
// suite expects an evaluation (any result but permerror, none and
// temperror) Parse must accept it; where it expects permerror, Parse must
// reject it unless the permerror has another cause (limits, several
// records, a missing include target), which the evaluation test covers.
func TestParserAgreesWithSuite(t *testing.T) {
	accepted, rejected, otherPerm := 0, 0, 0
	for _, s := range loadSuites(t) {
		r, err := suiteZone(t, s)
		if err != nil {
			t.Fatal(err)
		}
		for name, tc := range s.Tests {
			domain := tc.Helo
			if at := strings.LastIndexByte(tc.MailFrom, '@'); at >= 0 {
				domain = tc.MailFrom[at+1:]
			}
			a, err := r.Lookup(context.Background(), escapeName(domain), dns.TypeTXT)
			if err != nil {
				continue
			}
			var recs []string
			for _, ss := range a.TXT() {
				if txt := strings.Join(ss, ""); spf.IsSPF(txt) {
					recs = append(recs, txt)
				}
			}
			if len(recs) != 1 {
				continue
			}
			_, perr := spf.Parse(recs[0])
			perm := slices.Contains(tc.Result, "permerror")
			onlyPerm := perm && len(tc.Result) == 1
			switch {
			case !perm && perr != nil:
				t.Errorf("%s: suite evaluates %q, Parse rejects it: %v", name, recs[0], perr)
			case !perm:
				accepted++
			case perr != nil:
				rejected++
			case onlyPerm:
				otherPerm++
				t.Logf("permerror not from syntax: %s: %q", name, recs[0])
			}
		}
	}
	t.Logf("parser agreement: %d evaluated records accepted, %d permerror records rejected by Parse, %d permerrors with a non-syntax cause", accepted, rejected, otherPerm)
}

// txtStrings encodes each suite string as one character-string.
func txtStrings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.Join(resolver.EncodeTXT(s), "")
	}
	return out
}
