package check_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// The adversarial suite: every record and every answer below is hostile
// input. Each case asserts its outcome, that it ends within a time bound,
// and that it sent at most a bounded number of queries (dnstest counts
// them). Fixtures: testdata/hostile.

var hostileZones = []resolver.ZoneSource{
	{File: "testdata/hostile/spf.zone"},
	{File: "testdata/hostile/dkim.zone"},
	{File: "testdata/hostile/dmarc.zone"},
	{Origin: "hostile", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"},
}

func hostileServer(t *testing.T) *dnstest.Server { return dnstest.New(t, hostileZones...) }

type hostileCase struct {
	name       string
	maxElapsed time.Duration
	maxQueries int
	run        func(ctx context.Context, r resolver.Resolver) (outcome string, err error)
	want       string // substring of the outcome
}

// record prints a line per case for the closing note: go test -v -run Hostile.
//
// Each case gets a server of its own (newServer): a count shared with the
// last case could take in that case's packets still in the server's queue
// (questions asked ahead, then cancelled) — on a loaded machine, handled
// a few cases later.
func runHostile(t *testing.T, newServer func(t *testing.T) *dnstest.Server, cfg resolver.Config, cases []hostileCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			cfg := cfg
			cfg.Servers = []string{srv.Addr}
			c, err := resolver.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			outcome, err := tc.run(context.Background(), c)
			elapsed := time.Since(start)
			if err != nil {
				outcome += " error: " + err.Error()
			}
			q := srv.Total()
			t.Logf("outcome %q, %v, %d queries", outcome, elapsed.Round(time.Millisecond), q)
			if !strings.Contains(outcome, tc.want) {
				t.Errorf("outcome %q, want it to contain %q", outcome, tc.want)
			}
			if elapsed > tc.maxElapsed {
				t.Errorf("took %v, bound %v", elapsed, tc.maxElapsed)
			}
			if q > tc.maxQueries {
				t.Errorf("sent %d queries, bound %d", q, tc.maxQueries)
			}
		})
	}
}

func spfCase(domain string) func(context.Context, resolver.Resolver) (string, error) {
	return func(ctx context.Context, r resolver.Resolver) (string, error) {
		rep, fs, err := spf.Linter{SkipSPFType: true}.Lint(ctx, r, domain)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%v lookups=%d void=%d truncated=%v errors=%d", fixture.RuleIDs(fs), rep.Lookups, rep.VoidLookups, rep.Truncated, len(rep.Errors)), nil
	}
}

func dkimCase(selector string) func(context.Context, resolver.Resolver) (string, error) {
	return func(ctx context.Context, r resolver.Resolver) (string, error) {
		s, fs, err := dkim.Lookup(ctx, r, "dkim.hostile", selector)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %v", s.Status, fixture.RuleIDs(fs)), nil
	}
}

func dmarcCase(domain string) func(context.Context, resolver.Resolver) (string, error) {
	return func(ctx context.Context, r resolver.Resolver) (string, error) {
		d, fs, err := dmarc.Lookup(ctx, r, domain)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%v walk=%d reports=%d", fixture.RuleIDs(fs), len(d.RFC9989.Queried), len(d.Reports)), nil
	}
}

func TestHostileRecords(t *testing.T) {
	second := 2 * time.Second
	runHostile(t, hostileServer, resolver.Config{Timeout: 500 * time.Millisecond}, []hostileCase{
		// An include tree with fan-out 10 at every level, unbounded in depth
		// through a wildcard and %{d}: the walk stops at its bound, and the
		// questions asked ahead of it (as many terms) add at most as many.
		{"spf fan-out bomb", second, 2*spf.DefaultMaxWalk + 5, spfCase("bomb.spf.hostile"), "spf.lookup-limit"},
		{"spf include loop", second, 5, spfCase("loop-a.spf.hostile"), "spf.include-loop"},
		{"spf redirect loop", second, 5, spfCase("rloop-a.spf.hostile"), "spf.include-loop"},
		{"spf redirect chain of 50", second, spf.DefaultMaxWalk + 5, spfCase("chain0.spf.hostile"), "truncated=true"},
		{"spf mx with 50 names", second, 3, spfCase("mx50.spf.hostile"), "spf.mx-limit"},
		{"spf macros past 253 octets", second, 3, spfCase("longmacro.spf.hostile"), "void=2"},
		{"spf 10 KB record over TCP", second, 3, spfCase("big.spf.hostile"), "spf.too-long"},
		{"spf 500 strings at one name", second, 3, spfCase("many.spf.hostile"), "spf.too-long"},
		{"spf NUL byte", second, 2, spfCase("nul.spf.hostile"), "spf.syntax"},
		{"spf invalid UTF-8", second, 2, spfCase("utf8.spf.hostile"), "spf.syntax"},
		{"spf split in odd places", second, 2, spfCase("odd.spf.hostile"), "spf.string-boundary"},
		{"dkim CNAME chain of 20", second, resolver.DefaultMaxCNAMEHops + 2, dkimCase("hop0"), "dkim.cname-loop"},
		{"dkim CNAME loop", second, 3, dkimCase("loop"), "dkim.cname-loop"},
		{"dkim 16 KB p=", second, 3, dkimCase("huge"), "dkim.bad-key"},
		{"dkim p= not a key", second, 2, dkimCase("notkey"), "dkim.bad-key"},
		{"dkim k=rsa with ed25519 key", second, 2, dkimCase("rsaed"), "dkim.bad-key"},
		{"dkim k=ed25519 with RSA key", second, 2, dkimCase("edrsa"), "dkim.bad-key"},
		{"dmarc 100 records", second, 10, dmarcCase("hundred.dmarc.hostile"), "dmarc.multiple-records"},
		{"dmarc tags repeated", second, 10, dmarcCase("repeat.dmarc.hostile"), "dmarc.syntax"},
		{"dmarc 60 KB record", second, 12, dmarcCase("huge.dmarc.hostile"), "dmarc.unknown-tag"},
		// The MX of the first two external destinations is asked beside
		// their authorization, before it is known.
		{"dmarc 1,000 rua URIs", second, 8 + dmarc.MaxReportChecks + 2, dmarcCase("rua1000.dmarc.hostile"), fmt.Sprintf("reports=%d", dmarc.MaxReportChecks)},
		{"dmarc tree walk over 30 labels", second, dmarc.MaxTreeWalk + 4, dmarcCase(labels30()), "walk=8"},
	})
}

func labels30() string {
	var l []string
	for i := range 28 {
		l = append(l, fmt.Sprintf("l%d", i))
	}
	return strings.Join(l, ".") + ".dmarc.hostile"
}

func TestHostileTransport(t *testing.T) {
	timeout := 200 * time.Millisecond
	cfg := resolver.Config{Timeout: timeout, Tries: 2}
	faulty := func(t *testing.T) *dnstest.Server {
		srv := hostileServer(t)
		// One provider answers past the timeout; one SERVFAILs.
		srv.SetFault("slow.spf.hostile", dns.TypeTXT, dnstest.Fault{Delay: 5 * time.Second})
		srv.SetFault("broken.spf.hostile", dns.TypeTXT, dnstest.Fault{Rcode: dns.RcodeServerFailure})
		srv.SetFault("tcpdead.spf.hostile", dns.TypeTXT, dnstest.Fault{Truncate: true, DropTCP: true})
		srv.SetFault("wrongq.spf.hostile", dns.TypeTXT, dnstest.Fault{WrongQuestion: true})
		return srv
	}
	bound := 2*timeout*2 + time.Second
	runHostile(t, faulty, cfg, []hostileCase{
		// The slow branch is a temporary error; the fast include is still walked.
		{"slow provider", bound, 8, spfCase("slowinc.spf.hostile"), "lookups=2 void=0 truncated=false errors=1"},
		{"SERVFAIL include", bound, 6, spfCase("servfail.spf.hostile"), "lookups=2 void=0 truncated=false errors=1"},
		{"truncated, then TCP never answers", bound, 6, func(ctx context.Context, r resolver.Resolver) (string, error) {
			_, err := r.Lookup(ctx, "tcpdead.spf.hostile", dns.TypeTXT)
			return fmt.Sprintf("temporary=%v", errors.Is(err, resolver.ErrTemporary)), nil
		}, "temporary=true"},
		{"answer to another question", bound, 4, func(ctx context.Context, r resolver.Resolver) (string, error) {
			_, err := r.Lookup(ctx, "wrongq.spf.hostile", dns.TypeTXT)
			return fmt.Sprintf("temporary=%v", errors.Is(err, resolver.ErrTemporary)), nil
		}, "temporary=true"},
	})
}

func TestHostileInput(t *testing.T) {
	zones, err := resolver.NewZones(hostileZones...)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 64)
	for _, tc := range []struct {
		domain string
		ok     bool
	}{
		{long + ".example", false},
		{strings.Repeat("abcdefghi.", 25) + "example", false}, // 254 octets
		{"bücher.example", false},
		{"", false},
		{"   ", false},
		{"exa mple.com", false},
		{"MIXED.Case.SPF.hostile.", true},
		{"  nul.spf.hostile  ", true},
	} {
		rep := check.Domain(context.Background(), zones, tc.domain, check.Options{})
		bad := slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool {
			return errors.Is(e, resolver.ErrInvalidName)
		})
		if bad == tc.ok {
			t.Errorf("Domain(%q): errors %v, want ok=%v", tc.domain, rep.Errors, tc.ok)
		}
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		allow      bool
		want       string
	}{
		{"syntax.zone", "$ORIGIN s.example.\n@ IN SOA ns h 1 2 3 4 5\n\nwww IN A 1.2.3\n", false, "line: 4"},
		{"include.zone", "$ORIGIN i.example.\n$INCLUDE /etc/hostname\n", false, "include"},
	} {
		p := filepath.Join(dir, tc.name)
		os.WriteFile(p, []byte(tc.text), 0o644)
		_, err := resolver.NewZones(resolver.ZoneSource{File: p, AllowInclude: tc.allow})
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	huge := filepath.Join(dir, "huge.zone")
	f, _ := os.Create(huge)
	f.Truncate(40 << 20)
	f.Close()
	if _, err := resolver.NewZones(resolver.ZoneSource{File: huge, Origin: "h.example"}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("40 MiB zone: %v", err)
	}
}

// TestCancelMidWalk: cancelling in the middle of any walk returns within
// 100 ms with a clear error.
func TestCancelMidWalk(t *testing.T) {
	srv := dnstest.New(t, hostileZones...)
	srv.SetFault("0.bomb.spf.hostile", 0, dnstest.Fault{Delay: 10 * time.Second})
	srv.SetFault("_dmarc.bomb.spf.hostile", 0, dnstest.Fault{Delay: 10 * time.Second})
	c, _ := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 5 * time.Second})
	for _, walk := range []string{"check", "spf", "dmarc", "dkim"} {
		t.Run(walk, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			start := time.Now()
			time.AfterFunc(100*time.Millisecond, cancel)
			var msg string
			switch walk {
			case "check":
				rep := check.Domain(ctx, c, "bomb.spf.hostile", check.Options{})
				msg = errText(rep)
			case "spf":
				_, _, err := spf.Lint(ctx, c, "bomb.spf.hostile")
				msg = fmt.Sprint(err)
			case "dmarc":
				_, _, err := dmarc.Lookup(ctx, c, "bomb.spf.hostile")
				msg = fmt.Sprint(err)
			case "dkim":
				srv.SetFault("s._domainkey.bomb.spf.hostile", 0, dnstest.Fault{Delay: 10 * time.Second})
				_, _, err := dkim.Lookup(ctx, c, "bomb.spf.hostile", "s")
				msg = fmt.Sprint(err)
			}
			if late := time.Since(start) - 100*time.Millisecond; late > 100*time.Millisecond {
				t.Errorf("returned %v after the cancel, bound 100ms", late)
			}
			if !strings.Contains(msg, "context canceled") {
				t.Errorf("error %q does not say the context was cancelled", msg)
			}
		})
	}
}

// errText joins a report's errors.
func errText(rep *check.Report) string {
	var s []string
	for _, e := range rep.Errors {
		s = append(s, e.Error())
	}
	return strings.Join(s, "; ")
}
