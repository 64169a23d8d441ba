package check_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// nsFlood is a zone listing 2,000 nameservers that have no addresses.
func nsFlood() string {
	var b strings.Builder
	b.WriteString("@ IN SOA ns0 h 1 3600 600 86400 300\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "@ IN NS ns%d.nsflood.hostile.\n", i)
	}
	return b.String()
}

// TestHostileNameServers: thousands of NS records cost a bounded number
// of packets, and unanswering nameservers end at the deadline with a
// message that says so.
func TestHostileNameServers(t *testing.T) {
	srv := dnstest.New(t, resolver.ZoneSource{Origin: "nsflood.hostile", Text: nsFlood()})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := resolver.WithBudget(context.Background(), 0)
	_, err = check.NameServers(ctx, c, "nsflood.hostile")
	bound := 2 + 2*check.MaxNameServers // NS over UDP then TCP, A and AAAA per host tried
	t.Logf("2,000 NS: %v; %d packets received, %d counted", err, srv.Total(), resolver.BudgetFrom(ctx).Used())
	if err == nil || !strings.Contains(err.Error(), "and 1992 more") {
		t.Errorf("error %v; want the hosts named and the rest counted", err)
	}
	if got := srv.Total(); got > bound {
		t.Errorf("%d packets for one domain's nameservers, bound %d", got, bound)
	}
	if used := resolver.BudgetFrom(ctx).Used(); used != srv.Total() {
		t.Errorf("budget counted %d packets, the server received %d", used, srv.Total())
	}

	// The same hosts never answering: the deadline ends it, and says so.
	for i := range check.MaxNameServers * 2 {
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			srv.SetFault(fmt.Sprintf("ns%d.nsflood.hostile", i), qt, dnstest.Fault{Drop: true})
		}
	}
	srv.SetFault("ns100.nsflood.hostile", dns.TypeA, dnstest.Fault{Drop: true})
	c2, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	dctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = check.NameServers(dctx, c2, "nsflood.hostile")
	elapsed := time.Since(start)
	t.Logf("unanswering nameservers: %v after %v", err, elapsed.Round(time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("error %v; want the deadline named", err)
	}
	if elapsed > time.Second {
		t.Errorf("took %v past a 300 ms deadline", elapsed)
	}
}

// blackhole is a DNS server address that never answers, over UDP or TCP.
func blackhole(t *testing.T) string {
	t.Helper()
	pc, ln, err := dnstest.Listen()
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return addr
}

// TestHostileCompareViews: comparing with a server that never answers
// ends at the domain's deadline with an error saying so, and every packet
// the comparison sends counts against the domain's one budget.
func TestHostileCompareViews(t *testing.T) {
	srv := dnstest.New(t, resolver.ZoneSource{File: loneZone})
	newClient := func(addr string) *resolver.Client {
		c, err := resolver.New(resolver.Config{Servers: []string{addr}, CacheSize: -1, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	live := newClient(srv.Addr)

	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	rep := check.Domain(ctx, live, loneDomain, check.Options{})
	start := time.Now()
	check.CompareViews(ctx, rep, live, newClient(blackhole(t)), "public", "internal")
	elapsed := time.Since(start)
	t.Logf("compare with a black hole: %v, errors %q", elapsed.Round(time.Millisecond), rep.Errors)
	if elapsed > time.Second {
		t.Errorf("comparing took %v past the deadline", elapsed)
	}
	if !strings.Contains(errText(rep), "stopped: context deadline exceeded") {
		t.Errorf("errors %q: want the deadline named", rep.Errors)
	}

	// One budget for the check and the comparison: no caches, every
	// question asked three times over, yet never more than the budget.
	srv.ResetCounts()
	const budget = 30
	bctx := resolver.WithBudget(context.Background(), budget)
	rep = check.Domain(bctx, live, loneDomain, check.Options{})
	check.CompareViews(bctx, rep, newClient(srv.Addr), newClient(srv.Addr), "a", "b")
	// The last packets may still be on their way to the server when the
	// check returns (their answers were no longer awaited): wait for them
	// before comparing the counts.
	for deadline := time.Now().Add(time.Second); srv.Total() < rep.Stats.Queries && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("budget %d: %d packets received, %d counted in the report", budget, srv.Total(), rep.Stats.Queries)
	if srv.Total() > budget || rep.Stats.Queries != srv.Total() {
		t.Errorf("%d packets sent, %d counted; budget %d", srv.Total(), rep.Stats.Queries, budget)
	}
}

// TestHostileOutputBounded: records built to multiply findings (a DMARC
// record of thousands of bad report URIs, an SPF record of one-octet
// strings, every boundary inside a term) give a bounded report.
func TestHostileOutputBounded(t *testing.T) {
	var uris []string
	for i := 0; len(strings.Join(uris, ",")) < 60_000; i++ {
		uris = append(uris, fmt.Sprintf("mailto:bad%d@@x", i))
	}
	dmarcText := "v=DMARC1; p=reject; rua=" + strings.Join(uris, ",")
	spfText := "v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 2_000) + "-all"
	quoted := func(s string, n int) string {
		var b strings.Builder
		for len(s) > 0 {
			k := min(n, len(s))
			fmt.Fprintf(&b, " %q", s[:k])
			s = s[k:]
		}
		return b.String()
	}
	zone := "@ IN SOA ns h 1 3600 600 86400 300\n" +
		"_dmarc IN TXT" + quoted(dmarcText, 255) + "\n" +
		"@ IN TXT" + quoted(spfText, 1) + "\n"
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "big.hostile", Text: zone})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep := check.Domain(context.Background(), z, "big.hostile", check.Options{})
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	perRule := map[string]int{}
	for _, f := range rep.Findings {
		perRule[f.Rule+" "+f.Name]++
	}
	t.Logf("%d URIs, %d SPF strings: %d findings, %d octets of JSON, %v", len(uris), len(spfText), len(rep.Findings), len(out), elapsed.Round(time.Millisecond))
	for k, n := range perRule {
		if n > lint.MaxPerRule+1 {
			t.Errorf("%s: %d findings, bound %d", k, n, lint.MaxPerRule+1)
		}
	}
	// The report's bound (SECURITY.md): linear in the records' size (their
	// parsed forms, both DMARC readings, the SPF tree's strings), plus a
	// bounded amount per rule and name; before, it grew with the square.
	perFinding := lint.MaxRecordBytes + lint.MaxMessageBytes + lint.MaxFixBytes + 512
	if bound := 20*(len(dmarcText)+len(spfText)) + len(perRule)*(lint.MaxPerRule+1)*perFinding; len(out) > bound {
		t.Errorf("%d octets of JSON, bound %d", len(out), bound)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
}

// heapProbe passes lookups to r and, after each, measures the live heap:
// what the check holds while it runs.
type heapProbe struct {
	r    resolver.Resolver
	mu   sync.Mutex
	peak uint64
}

func (h *heapProbe) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	a, err := h.r.Lookup(ctx, name, qtype)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.mu.Lock()
	h.peak = max(h.peak, m.HeapAlloc)
	h.mu.Unlock()
	return a, err
}

// TestHostileFindingsHeld: what a check holds while it runs is bounded as
// its output is. An SPF walk through records of one-octet strings makes a
// string-boundary finding per string; they were all held (about 100 MB a
// domain for nine records, 1.2–4.7 GB for a sweep of 64 such domains at
// concurrency 32) until Bound cut them at the end of the walk. They are
// bounded as they come (lint.Collector).
func TestHostileFindingsHeld(t *testing.T) {
	body := "v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 2100) + "-all"
	var b strings.Builder
	b.WriteString("@ IN SOA ns h 1 3600 600 86400 300\n@ IN TXT \"v=spf1")
	for k := range 9 {
		fmt.Fprintf(&b, " include:i%d.held.hostile", k)
	}
	b.WriteString(" -all\"\n")
	for k := range 9 {
		fmt.Fprintf(&b, "i%d IN TXT", k)
		for i := range len(body) {
			fmt.Fprintf(&b, " %q", body[i:i+1])
		}
		b.WriteString("\n")
	}
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "held.hostile", Text: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	probe := &heapProbe{r: z}
	rep := check.Domain(context.Background(), probe, "held.hostile", check.Options{})
	probe.mu.Lock()
	held := int64(probe.peak) - int64(base.HeapAlloc)
	probe.mu.Unlock()
	t.Logf("%d findings; %d MB held at most while checking", len(rep.Findings), held>>20)
	if held > 32<<20 {
		t.Errorf("%d MB held while checking one domain; bound 32 MB", held>>20)
	}
}
