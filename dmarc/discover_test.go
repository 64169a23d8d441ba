package dmarc_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
	"github.com/google/go-cmp/cmp"
)

// counting counts the questions asked (a Resolver: safe for concurrent
// use).
type counting struct {
	r resolver.Resolver
	n atomic.Int64
}

func (c *counting) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	c.n.Add(1)
	return c.r.Lookup(ctx, name, qtype)
}

// TestDiscover: the discovery alone finds what Lookup finds, asking none
// of the lint's questions.
func TestDiscover(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{File: "testdata/dmarc.zone"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"clean.example", "unauth.example", "sub.inh.example", "a.b.diff.example", "nodmarc.example"} {
		lc, dc := &counting{r: z}, &counting{r: z}
		full, _, err := dmarc.Lookup(context.Background(), lc, d)
		if err != nil {
			t.Fatal(err)
		}
		only, err := dmarc.Discover(context.Background(), dc, d)
		if err != nil {
			t.Fatal(err)
		}
		full.Reports, full.ReportHosts = nil, nil // report destinations are the lint's
		if diff := cmp.Diff(full, only); diff != "" {
			t.Errorf("%s: Discover differs from Lookup (-lookup +discover):\n%s", d, diff)
		}
		if dc.n.Load() > lc.n.Load() {
			t.Errorf("%s: Discover asked %d questions, Lookup %d", d, dc.n.Load(), lc.n.Load())
		}
	}
}

// TestPolicyWhy: an incomplete walk carries the name it could not ask
// and why as data (Unasked, Failure, Why); Incomplete is the two as text.
func TestPolicyWhy(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "d.example.", Text: "@ IN SOA ns h 1 3600 600 86400 300\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := dmarc.Discover(context.Background(), z, "d.example")
	if err != nil {
		t.Fatal(err)
	}
	p := d.RFC9989
	if p.Unasked != "_dmarc.example" || !errors.Is(p.Failure, resolver.ErrUnverified) || p.Why() != "not verified offline" || p.Incomplete != p.Unasked+": "+p.Why() {
		t.Fatalf("unasked %q, failure %v, why %q, incomplete %q", p.Unasked, p.Failure, p.Why(), p.Incomplete)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back dmarc.Policy
	if err := json.Unmarshal(b, &back); err != nil || back.Failure != nil || back.Why() != p.Why() {
		t.Errorf("read back from JSON: why %q, %v; want %q", back.Why(), err, p.Why())
	}
	if d.RFC7489.Why() != "" || (*dmarc.Policy)(nil).Why() != "" {
		t.Errorf("a complete walk has a why: %q", d.RFC7489.Why())
	}
}
