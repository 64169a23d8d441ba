package dmarc_test

import (
	"context"
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
