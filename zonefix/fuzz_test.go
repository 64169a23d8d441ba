package zonefix_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonefix"
)

// FuzzFix: on any zone text Fix returns without panicking; a zone it
// changed loads again, every refusal says why, and the DMARC policy
// written is never weaker than the one published.
func FuzzFix(f *testing.F) {
	for _, name := range []string{"db.aspen.test", "db.atlas.test", "cobalt.test.zone"} {
		b, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			f.Fatal(err)
		}
		domain := strings.TrimPrefix(strings.TrimSuffix(name, ".zone"), "db.")
		f.Add(string(b), domain)
	}
	for _, name := range []string{"mixed.example.com.zone", "parked.example.org.zone", "twospf.example.net.zone"} {
		b, err := os.ReadFile(filepath.Join("testdata/golden", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), strings.TrimSuffix(name, ".zone"))
	}
	f.Add("$ORIGIN fuzz.test.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n@ TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@fuzz.test\"\n", "fuzz.test")
	f.Add("$ORIGIN fuzz.test.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n@ TXT \"v=spf1 ip4:192.0.2.0/24\" \"~all\"\n_dmarc TXT \"v=DMARC1; p=quarantine; pct=50\"\n@ MX 0 .\n", "fuzz.test")
	f.Fuzz(func(t *testing.T, text, domain string) {
		if len(text) > 8<<10 {
			return
		}
		if _, err := resolver.CanonicalName(domain); err != nil || domain == "" || strings.HasSuffix(domain, ".") {
			return
		}
		src := resolver.ZoneSource{Text: text, Domain: domain, File: "fuzz.zone"}
		if _, err := resolver.NewZones(src); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := zonefix.Fix(ctx, []resolver.ZoneSource{src}, domain, zonefix.Options{Info: true, Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return
		}
		for _, r := range res.Refused {
			if r.Why == "" {
				t.Errorf("%s refused without a reason", r.Finding.Rule)
			}
		}
		if !res.Changed() {
			if res.After != res.Before {
				t.Errorf("nothing applied, but the text changed:\n%s", zonefix.Diff("fuzz.zone", res.Before, res.After))
			}
			return
		}
		src.Text = res.After
		if _, err := resolver.NewZones(src); err != nil {
			t.Fatalf("the fixed zone does not load: %v\n%s", err, zonefix.Diff("fuzz.zone", res.Before, res.After))
		}
		if res.Initial.DMARC != nil && res.Report.DMARC != nil {
			if b, a := res.Initial.DMARC.Effective().Record, res.Report.DMARC.Effective().Record; b != nil && (a == nil || rank(a.P) < rank(b.P)) {
				t.Errorf("DMARC weakened: %q -> %v\n%s", b.Raw, a, zonefix.Diff("fuzz.zone", res.Before, res.After))
			}
		}
	})
}
