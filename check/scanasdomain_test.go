package check_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
)

// TestScanAsDomain: a sweep's reports (check.Scan, domains checked at
// once, sharing the Client's cache) are those check.Domain gives one by
// one, over every loadable zone of the corpus, offline and live.
func TestScanAsDomain(t *testing.T) {
	var srcs []resolver.ZoneSource
	var domains []string
	for _, fx := range corpus {
		src := resolver.ZoneSource{File: filepath.Join(corpusDir, fx.file), Domain: fx.domain(), AllowInclude: true}
		if fx.refused != "" || fx.notKnot != "" {
			continue
		}
		if _, err := resolver.NewZones(src); err != nil {
			continue
		}
		srcs = append(srcs, src)
		domains = append(domains, fx.domain())
	}
	if len(domains) < 20 {
		t.Fatalf("%d loadable zones", len(domains))
	}
	z, err := resolver.NewZones(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	srv := dnstest.New(t, srcs...)
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		name string
		r    resolver.Resolver
	}{{"offline", z}, {"live", c}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			got := map[string]string{}
			for rep := range check.Scan(ctx, tc.r, slices.Values(domains), check.ScanOptions{Concurrency: 4}) {
				got[rep.Domain] = reportJSON(t, rep)
			}
			for _, d := range domains {
				want := reportJSON(t, check.Domain(ctx, tc.r, d, check.Options{}))
				if got[d] != want {
					t.Errorf("%s: the sweep's report differs from check.Domain's:\nsweep  %s\ndomain %s", d, got[d], want)
				}
			}
		})
	}
}

// reportJSON is a report as JSON without what timing decides: the time
// taken and which domain's budget paid for a question the sweep shares.
func reportJSON(t *testing.T, rep *check.Report) string {
	t.Helper()
	rep.Stats.Elapsed, rep.Stats.Queries = 0, 0
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
