package spf_test

// The differential test of issue 18: seeded, generated SPF worlds served by
// dnstest on 127.0.0.1, evaluated by spf.Check and by two independent
// implementations run as subprocesses (testdata/oracle): pyspf (Debian
// python3-spf) and Perl Mail::SPF (libmail-spf-perl). Every disagreement
// must be a known divergence (spfDivergences), each with the RFC section
// that makes domainlint right.
//
//	go test ./spf/ -run Differential -v                 # 300 worlds, seed 18
//	go test ./spf/ -run Differential -spf-worlds 3000 -spf-seed 7

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
)

var (
	spfWorlds = flag.Int("spf-worlds", 300, "differential test: number of generated SPF worlds")
	spfSeed   = flag.Uint64("spf-seed", 18, "differential test: generator seed")
)

// spfCase is one check_host() question about one world.
type spfCase struct {
	world        int
	ip           string
	helo, sender string
}

func (c spfCase) line() string { return c.ip + "\t" + c.helo + "\t" + c.sender + "\n" }

// spfDisagreement is one case on which domainlint and an oracle differ.
type spfDisagreement struct {
	world        []string // the world's zone lines
	c            spfCase
	ours, why    string // domainlint's result and reason
	theirs, tWhy string // the oracle's result and explanation
}

// has reports whether any of the world's lines contains one of subs,
// ignoring case.
func (d spfDisagreement) has(subs ...string) bool {
	for _, l := range joined(d.world) {
		for _, s := range subs {
			if strings.Contains(strings.ToLower(l), strings.ToLower(s)) {
				return true
			}
		}
	}
	return false
}

// joined returns the zone lines with each TXT record's strings joined.
func joined(world []string) []string {
	out := make([]string, len(world))
	for i, l := range world {
		out[i] = strings.ReplaceAll(l, `" "`, "")
	}
	return out
}

// spfDivergence is a known, justified disagreement with an oracle.
type spfDivergence struct {
	id     string
	oracle string // "pyspf", "Mail::SPF", or "" for both
	rfc    string // the section that makes domainlint right
	why    string
	match  func(d spfDisagreement) bool
}

// cnameHosts are the shared names that are CNAMEs, or have MX names that
// are.
var cnameHosts = []string{"cn.h.test", "cncn.h.test", "cn6.h.test", "cnx.h.test", "mxcn.h.test", "IN CNAME"}

// spfDivergences is the short list of disagreements the test accepts.
var spfDivergences = []spfDivergence{{
	id: "ip6-mapped-ipv4", oracle: "Mail::SPF", rfc: "RFC 7208 §5.6, §5; the RFC 7208 test suite's cidr6-ip4",
	why: "Mail::SPF tests an IPv4 client against ip6 networks as an IPv4-mapped address (ip6:::/0, ip6:::ffff:0:0/96 match it); " +
		"an IPv4 client is matched by ip4 only",
	match: func(d spfDisagreement) bool { return ip6CoversMapped(d.world, d.c.ip) },
}, {
	id: "void-per-query", rfc: "RFC 7208 §4.6.4",
	why: "the oracle counts void lookups per DNS query — each address lookup of an mx's or a ptr's names, each name of a CNAME " +
		"chain, the PTR lookup behind %{p}; §4.6.4 limits the terms whose lookup is void, and the names of an mx or ptr are bounded by their own limit of 10",
	match: func(d spfDisagreement) bool {
		return d.theirs == "permerror" && d.ours != "permerror" && strings.Contains(strings.ToLower(d.tWhy), "void") &&
			(d.has("mx", "ptr", "%{p}") || d.has(cnameHosts...))
	},
}, {
	id: "cname-answer-not-void", oracle: "Mail::SPF", rfc: "RFC 7208 §4.6.4, RFC 2308 §2.1, §2.2",
	why: "Mail::SPF takes any answer section with records as not void, so a CNAME to a name without the address type (NODATA: no relevant " +
		"answer, RFC 2308 §2.2) or to no name at all (RCODE 3, RFC 2308 §2.1) escapes the void lookup limit",
	match: func(d spfDisagreement) bool {
		return d.ours == "permerror" && strings.Contains(d.why, "void lookup") && d.has(cnameHosts...)
	},
}, {
	id: "self-include-unreached", oracle: "pyspf", rfc: "RFC 7208 §4.6, §5.2",
	why: "pyspf rejects include of the record's own domain before evaluating (\"trivial recursion\"); a loop is an error when " +
		"evaluation reaches it (§5.2), and a term before it decided the result",
	match: func(d spfDisagreement) bool {
		return d.theirs == "permerror" && strings.Contains(d.tWhy, "trivial recursion") && d.ours != "permerror"
	},
}, {
	id: "domain-spec-no-dot", oracle: "Mail::SPF", rfc: "RFC 7208 §7.1, §4.6",
	why: "a domain-spec ends in \".\" toplabel or a macro (domain-end, §7.1): ptr:test is a syntax error, so permerror; Mail::SPF accepts it",
	match: func(d spfDisagreement) bool {
		return d.ours == "permerror" && strings.Contains(d.why, "has no dot")
	},
}, {
	id: "macro-zero-digit", rfc: "RFC 7208 §7.3, §4.6",
	why: "a macro's digit transformer \"MUST be nonzero\" (§7.3): %{i0} breaks the record, a permerror wherever it stands; " +
		"the oracles read it as \"all labels\"",
	match: func(d spfDisagreement) bool {
		return d.ours == "permerror" && strings.Contains(d.why, "keeping 0 labels")
	},
}, {
	id: "macro-letter-unknown", oracle: "Mail::SPF", rfc: "RFC 7208 §7.1, §4.6",
	why: "a macro letter outside the grammar's (%{z}) is a syntax error, so the record is a permerror wherever the term stands " +
		"(§4.6: \"any syntax errors anywhere in the record\"); Mail::SPF finds it only when it expands the term, and a term before it may match",
	match: func(d spfDisagreement) bool {
		return d.ours == "permerror" && strings.Contains(d.why, "is not a macro letter")
	},
}, {
	id: "redirect-unapplied-counted", rfc: "RFC 7208 §4.6.4, §6.1; the RFC 7208 test suite's redirect-after-mechanisms1",
	why: "the 10-lookup limit counts the terms that cause DNS queries during evaluation (§4.6.4); a redirect is applied only when no " +
		"mechanism matched (§6.1), so one that is not applied asks nothing and counts nothing (the test suite: a redirect that \"would " +
		"violate processing limits\" does not when \"it is never used\"). pyspf counts every redirect as it parses the record, " +
		"Mail::SPF as it processes the modifier, before it looks whether a mechanism matched",
	match: func(d spfDisagreement) bool {
		lim := strings.ToLower(d.tWhy)
		return d.theirs == "permerror" && d.ours != "permerror" && d.has("redirect=") &&
			(strings.Contains(lim, "too many dns lookups") || strings.Contains(lim, "dns-interactive terms limit"))
	},
}, {
	id: "duplicate-unknown-modifier", oracle: "pyspf", rfc: "RFC 7208 §6",
	why: "only redirect= and exp= may not appear twice (§6); pyspf rejects any repeated modifier, e.g. moo=cow moo=cow, which must be ignored",
	match: func(d spfDisagreement) bool {
		return d.theirs == "permerror" && strings.Contains(d.tWhy, "MUST appear at most once") &&
			!strings.Contains(d.tWhy, "redirect=") && !strings.Contains(d.tWhy, "exp=")
	},
}, {
	id: "empty-label", rfc: "RFC 7208 §4.6, §4.3; the RFC 7208 test suite's invalid-domain-empty-label accepts permerror",
	why: "a target with an empty label (a:foo..test) is no domain name; domainlint rejects the record (permerror) wherever the term " +
		"stands, pyspf treats the term as no match, Mail::SPF dies in Net::DNS",
	match: func(d spfDisagreement) bool { return d.ours == "permerror" && strings.Contains(d.why, "empty label") },
}}

var ip6Term = regexp.MustCompile(`(?i)ip6:([0-9a-f:.]+(?:/[0-9]+)?)`)

// ip6CoversMapped reports whether client is IPv4 and an ip6 term of the
// world holds its IPv4-mapped form.
func ip6CoversMapped(world []string, client string) bool {
	ip := netip.MustParseAddr(client)
	if !ip.Is4() {
		return false
	}
	mapped := netip.AddrFrom16(ip.As16())
	for _, l := range joined(world) {
		for _, m := range ip6Term.FindAllStringSubmatch(l, -1) {
			p, err := netip.ParsePrefix(m[1])
			if err != nil {
				a, err := netip.ParseAddr(m[1])
				if err != nil {
					continue
				}
				p = netip.PrefixFrom(a, 128)
			}
			if p.Contains(mapped) {
				return true
			}
		}
	}
	return false
}

// The client addresses worlds are asked about.
var spfClients = []string{"192.0.2.1", "192.0.2.2", "198.51.100.7", "2001:db8::1", "2001:db8::2"}

// spfShared is the part of the DNS every world may point at: hosts with A,
// AAAA, CNAME and MX records, macro targets, and the reverse zones.
const spfShared = `
@            IN SOA ns h 1 3600 600 86400 300
a4.h         IN A     192.0.2.1
a4b.h        IN A     192.0.2.2
a6.h         IN AAAA  2001:db8::1
a46.h        IN A     192.0.2.1
a46.h        IN AAAA  2001:db8::1
six.h        IN AAAA  2001:db8::2
net.h        IN A     192.0.2.200
net.h        IN AAAA  2001:db8::ff
far.h        IN A     203.0.113.5
bad.h        IN A     192.0.2.99
txtonly.h    IN TXT   "hello"
cn.h         IN CNAME a4.h.test.
cncn.h       IN CNAME cn.h.test.
cnx.h        IN CNAME nx.h.test.
cn6.h        IN CNAME a6.h.test.
mx.h         IN MX    10 a4.h.test.
mx.h         IN MX    20 a6.h.test.
mxnet.h      IN MX    10 net.h.test.
mxnx.h       IN MX    10 nx.h.test.
mxnull.h     IN MX    0 .
mxcn.h       IN MX    10 cn.h.test.
mxfar.h      IN MX    10 far.h.test.
192.0.2.1.m  IN A     127.0.0.2
1.2.0.192.in-addr.m IN A 127.0.0.2
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.m IN A 127.0.0.2
user.l       IN A     127.0.0.2
postmaster.l IN A     127.0.0.2
first.l      IN A     127.0.0.2
a4.h.test.p  IN A     127.0.0.2
helo.h.test.hm IN A   127.0.0.2
ip6.v        IN A     127.0.0.2
`

const spfReverse = `
@ IN SOA ns h 1 3600 600 86400 300
1.2.0.192         IN PTR a4.h.test.
1.2.0.192         IN PTR cn.h.test.
2.2.0.192         IN PTR bad.h.test.
7.100.51.198      IN PTR nx.h.test.
`

const spfReverse6 = `
@ IN SOA ns h 1 3600 600 86400 300
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2 IN PTR a6.h.test.
`

// spfGen builds worlds: world n lives at wn.test and below.
type spfGen struct {
	r     *rand.Rand
	w     string   // the world's domain
	lines []string // its zone lines
	subs  int
}

func (g *spfGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *spfGen) chance(p float64) bool    { return g.r.Float64() < p }

func (g *spfGen) txt(owner string, strs ...string) {
	quoted := make([]string, len(strs))
	for i, s := range strs {
		quoted[i] = `"` + strings.Join(resolver.EncodeTXT(s), "") + `"`
	}
	g.lines = append(g.lines, owner+". IN TXT "+strings.Join(quoted, " "))
}

// record publishes an SPF record at owner, sometimes split into several
// character-strings (joined without spaces, RFC 7208 §3.3).
func (g *spfGen) record(owner, rec string) {
	if len(rec) > 12 && g.chance(0.15) {
		k := 6 + g.r.IntN(len(rec)-6)
		g.txt(owner, rec[:k], rec[k:])
		return
	}
	g.txt(owner, rec)
}

func (g *spfGen) host() string {
	return g.pick("a4", "a4b", "a6", "a46", "six", "net", "far", "bad", "txtonly", "cn", "cncn", "cnx", "cn6", "nx", "mx") + ".h.test"
}

func (g *spfGen) qualifier() string {
	if g.chance(0.6) {
		return ""
	}
	return g.pick("+", "-", "~", "?")
}

// sub makes a record for an include or redirect target below the world.
func (g *spfGen) sub(depth int) string {
	g.subs++
	name := fmt.Sprintf("s%d.%s", g.subs, g.w)
	switch {
	case g.chance(0.08):
		return "nx." + g.w // no such name: include is permerror, redirect too
	case g.chance(0.05):
		g.txt(name, "not spf") // no SPF record
		return name
	case g.chance(0.04):
		g.lines = append(g.lines, name+". IN CNAME "+fmt.Sprintf("s%dt.%s.", g.subs, g.w))
		g.record(fmt.Sprintf("s%dt.%s", g.subs, g.w), g.body(depth+1))
		return name
	}
	g.record(name, g.body(depth+1))
	return name
}

// macroTarget is an exists domain-spec with macros; about half of them
// have an A record behind them.
func (g *spfGen) macroTarget() string {
	return g.pick(
		"%{i}.m.test", "%{ir}.%{v}.m.test", "%{l}.l.test", "%{l1r.}.l.test", "%{o}.o.test",
		"%{d}.o.test", "%{d2}.o.test", "%{h}.hm.test", "%{p}.p.test", "%{v}.v.test",
		"%{l-}.l.test", "%{ir}.%{v}._spf.%{d}", "%%.%_.%-.m.test", "%{s}.s.test", "%{L}.l.test",
	)
}

func (g *spfGen) term(depth int) string {
	q := g.qualifier()
	switch g.r.IntN(20) {
	case 0, 1:
		return q + g.pick("ip4:192.0.2.1", "ip4:192.0.2.0/24", "ip4:192.0.2.0/31", "ip4:0.0.0.0/0",
			"ip4:198.51.100.0/24", "ip4:203.0.113.0/24", "ip4:192.0.2.2/32")
	case 2, 3:
		return q + g.pick("ip6:2001:db8::1", "ip6:2001:db8::/32", "ip6:::/0", "ip6:::ffff:192.0.2.1",
			"ip6:::FFFF:192.0.2.0/120", "ip6:::ffff:0:0/96", "ip6:2001:db8::2/128", "ip6:2001:db8::/127")
	case 4, 5, 6:
		h := g.host()
		return q + g.pick("a", "a:"+h, "a:"+h+"/24", "a:"+h+"//64", "a:"+h+"/24//64", "a/0", "a//0", "a:"+h+"/32")
	case 7, 8:
		return q + g.pick("mx", "mx:mx.h.test", "mx:mxnet.h.test/24", "mx:mxnet.h.test//64", "mx:mxnx.h.test",
			"mx:mxnull.h.test", "mx:mxcn.h.test", "mx:mxfar.h.test", "mx:nx.h.test", "mx:a4.h.test")
	case 9:
		return q + g.pick("ptr", "ptr:h.test", "ptr:"+g.w, "ptr:a4.h.test", "ptr:test")
	case 10, 11:
		if g.chance(0.3) {
			return q + "exists:" + g.host()
		}
		return q + "exists:" + g.macroTarget()
	case 12, 13, 14:
		if depth >= 3 {
			return q + "a:" + g.host()
		}
		if g.chance(0.1) {
			return q + "include:" + g.w // a loop
		}
		return q + "include:" + g.sub(depth)
	case 15:
		return q + "all"
	case 16:
		return g.pick("moo=cow", "x-unknown=%{d}", "exp=exp."+g.w, "foo.bar=baz")
	case 17:
		if !g.chance(0.3) {
			return q + "a:" + g.host()
		}
		// A syntax edge: most are errors, some are not.
		return g.pick("foo", "a:", "ip4:192.0.2", "ip4:192.0.2.1/33", "ip6:2001:db8::/129", "include:x",
			"exists:%{z}.test", "a:%{d}.%", "mx//129", "all:x", "ip4:192.0.2.1//24", "a:h.test/024",
			"-include", "=", "exists:%{i0}.m.test", "a:foo..test", "A:A4.H.TEST", "+MX", "ptr:%{d}",
			"exists:%{ir}.%{v}.m.test.", "a:a4.h.test.", "include:%{d}", "ip6:::1.2.3.4", "~ALL", "exp=", "redirect=")
	default:
		return q + "a:" + g.host()
	}
}

// body is an SPF record: terms, then usually all or redirect.
func (g *spfGen) body(depth int) string {
	terms := []string{g.pick("v=spf1", "v=spf1", "v=spf1", "V=SPF1")}
	for range g.r.IntN(5) {
		terms = append(terms, g.term(depth))
	}
	switch {
	case g.chance(0.55):
		terms = append(terms, g.qualifier()+"all")
	case g.chance(0.3) && depth < 3:
		terms = append(terms, "redirect="+g.sub(depth))
	}
	sep := " "
	if g.chance(0.05) {
		sep = "  "
	}
	rec := strings.Join(terms, sep)
	if g.chance(0.03) {
		rec += " "
	}
	return rec
}

// world generates world n: its zone lines and the questions to ask.
func (g *spfGen) world(n int) ([]string, []spfCase) {
	g.w, g.lines, g.subs = fmt.Sprintf("w%d.test", n), nil, 0
	switch g.r.IntN(14) {
	case 0: // no record at all
		g.lines = append(g.lines, g.w+". IN A 192.0.2.1")
	case 1: // two SPF records
		g.record(g.w, g.body(0))
		g.record(g.w, "v=spf1 "+g.qualifier()+"all")
	case 2: // the lookup limit, reached by terms or a chain of includes
		if g.chance(0.5) {
			k := 9 + g.r.IntN(4)
			terms := []string{"v=spf1"}
			for i := range k {
				terms = append(terms, g.pick("a:a4b.h.test", "mx:mxfar.h.test", "exists:far.h.test", fmt.Sprintf("a:x%d.h.test", i)))
			}
			g.record(g.w, strings.Join(terms, " ")+" "+g.pick("ip4:192.0.2.1", "")+" -all")
		} else {
			k := 8 + g.r.IntN(5)
			for i := range k {
				g.record(fmt.Sprintf("c%d.%s", i, g.w), fmt.Sprintf("v=spf1 include:c%d.%s ~all", i+1, g.w))
			}
			g.record(fmt.Sprintf("c%d.%s", k, g.w), "v=spf1 "+g.pick("ip4:192.0.2.1", "a:a4.h.test", "")+" -all")
			g.record(g.w, "v=spf1 include:c0."+g.w+" -all")
		}
	case 3: // void lookups around the limit of 2
		terms := []string{"v=spf1"}
		for range 1 + g.r.IntN(4) {
			terms = append(terms, g.pick("a:nx1.h.test", "a:nx2.h.test", "mx:nx3.h.test", "exists:six.h.test",
				"a:txtonly.h.test", "a:six.h.test", "a:far.h.test", "mx:a4.h.test", "exists:%{l}.nxl.test", "a:cnx.h.test"))
		}
		g.record(g.w, strings.Join(terms, " ")+" "+g.pick("~all", "ip4:192.0.2.0/24 -all", "?all"))
	case 4: // a CNAME at the domain itself
		g.lines = append(g.lines, g.w+". IN CNAME t."+g.w+".")
		g.record("t."+g.w, g.body(0))
	case 5: // exp with macros
		g.record(g.w, "v=spf1 "+g.term(1)+" -all exp=exp."+g.w)
		g.txt("exp."+g.w, "%{i} is not one of %{d}'s senders")
	default:
		g.record(g.w, g.body(0))
		if g.chance(0.3) {
			g.txt(g.w, "google-site-verification=abc")
		}
	}
	// Targets of sender macros, for about half of the worlds.
	if g.chance(0.5) {
		for _, owner := range []string{g.w + ".o.test", "w.test.o.test", "1.2.0.192.in-addr._spf." + g.w, "user@" + g.w + ".s.test"} {
			g.lines = append(g.lines, strings.ReplaceAll(owner, "@", `\@`)+". IN A 127.0.0.2")
		}
	}
	var cases []spfCase
	for range 3 {
		c := spfCase{world: n, ip: spfClients[g.r.IntN(len(spfClients))], helo: "helo.h.test"}
		switch g.r.IntN(5) {
		case 0:
			c.helo = g.w // a null MAIL FROM: the HELO identity is checked
		case 1:
			c.sender = "first.last@" + g.w
		case 2:
			c.sender = "postmaster@" + g.w
		default:
			c.sender = "user@" + g.w
		}
		cases = append(cases, c)
	}
	return g.lines, cases
}

// spfOracle is one independent implementation, run as a subprocess.
type spfOracle struct {
	name string
	cmd  []string // the command, the port is appended
}

func findSPFOracles(t *testing.T) []spfOracle {
	var out []spfOracle
	var missing []string
	py := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import spf").Run() == nil {
			py = p
			break
		}
	}
	if py != "" {
		out = append(out, spfOracle{"pyspf", []string{py, "testdata/oracle/pyspf.py"}})
	} else {
		missing = append(missing, "pyspf (apt-get install python3-spf)")
	}
	if exec.Command("perl", "-MMail::SPF", "-e1").Run() == nil {
		out = append(out, spfOracle{"Mail::SPF", []string{"perl", "testdata/oracle/mailspf.pl"}})
	} else {
		missing = append(missing, "Mail::SPF (apt-get install libmail-spf-perl)")
	}
	if len(missing) > 0 {
		t.Logf("oracle not installed, not compared: %s", strings.Join(missing, ", "))
	}
	return out
}

func runOracle(ctx context.Context, o spfOracle, port string, cases []spfCase) ([]string, error) {
	var in bytes.Buffer
	for _, c := range cases {
		in.WriteString(c.line())
	}
	cmd := exec.CommandContext(ctx, o.cmd[0], append(o.cmd[1:], port)...)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", o.name, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases) {
		return nil, fmt.Errorf("%s: %d results for %d cases: %s", o.name, len(lines), len(cases), stderr.String())
	}
	return lines, nil
}

func TestDifferentialSPF(t *testing.T) {
	oracles := findSPFOracles(t)
	if len(oracles) == 0 {
		t.Skip("no SPF oracle installed: apt-get install python3-spf libmail-spf-perl")
	}
	start := time.Now()
	g := &spfGen{r: rand.New(rand.NewPCG(*spfSeed, 18))}
	var zone []string
	var cases []spfCase
	worlds := make([][]string, *spfWorlds)
	for n := range *spfWorlds {
		lines, cs := g.world(n)
		worlds[n] = lines
		zone = append(zone, lines...)
		cases = append(cases, cs...)
	}
	srv := dnstest.New(t,
		// The root, so that a null MX's "." is answered (NODATA) as it
		// would be on the Internet, and not REFUSED.
		resolver.ZoneSource{Origin: ".", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"},
		resolver.ZoneSource{Origin: "test", Text: spfShared + strings.Join(zone, "\n") + "\n"},
		resolver.ZoneSource{Origin: "in-addr.arpa", Text: spfReverse},
		resolver.ZoneSource{Origin: "ip6.arpa", Text: spfReverse6},
	)
	_, port, _ := strings.Cut(srv.Addr, ":")
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ours, reasons := make([]string, len(cases)), make([]string, len(cases))
	for i, cs := range cases {
		v, err := spf.Check(ctx, c, netip.MustParseAddr(cs.ip), cs.helo, cs.sender)
		if err != nil {
			t.Fatal(err)
		}
		ours[i], reasons[i] = string(v.Result), v.Reason
	}
	for _, o := range oracles {
		theirs, err := runOracle(ctx, o, port, cases)
		if err != nil {
			t.Fatal(err)
		}
		agree, known := 0, map[string]int{}
		for i, cs := range cases {
			res, why, _ := strings.Cut(theirs[i], "\t")
			if ours[i] == res {
				agree++
				continue
			}
			if d := matchDivergence(o.name, spfDisagreement{worlds[cs.world], cs, ours[i], reasons[i], res, why}); d != "" {
				known[d]++
				continue
			}
			t.Errorf("%s disagrees: check_host(%s, helo %s, sender %q): domainlint %s (%s), %s %s (%s)\nworld:\n  %s",
				o.name, cs.ip, cs.helo, cs.sender, ours[i], reasons[i], o.name, res, why, strings.Join(worlds[cs.world], "\n  "))
		}
		t.Logf("%s: %d worlds, %d cases: %d agree, %d known divergences %v", o.name, len(worlds), len(cases), agree, len(cases)-agree, known)
	}
	t.Logf("differential run took %v", time.Since(start).Round(time.Millisecond))
}

func matchDivergence(oracle string, dis spfDisagreement) string {
	for _, d := range spfDivergences {
		if (d.oracle == "" || d.oracle == oracle) && d.match(dis) {
			return d.id
		}
	}
	return ""
}

// TestSPFDivergencesDocumented: every known divergence names its RFC
// section and reason, once.
func TestSPFDivergencesDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range spfDivergences {
		if d.id == "" || !strings.HasPrefix(d.rfc, "RFC ") || d.why == "" || d.match == nil || seen[d.id] {
			t.Errorf("divergence %q: needs an id, an RFC section, a reason and a matcher, once", d.id)
		}
		seen[d.id] = true
		if d.oracle != "" && !slices.Contains([]string{"pyspf", "Mail::SPF"}, d.oracle) {
			t.Errorf("divergence %q: unknown oracle %q", d.id, d.oracle)
		}
	}
}
