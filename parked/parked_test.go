package parked_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/parked"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

// grade runs every check over r as check.Domain would, grades the domain
// with Parked, and returns all the findings a parked domain keeps.
func grade(t *testing.T, r resolver.Resolver, domain string, declared bool) (in parked.Input, graded, all []lint.Finding) {
	t.Helper()
	ctx := context.Background()
	in = parked.Input{Domain: domain, Declared: declared}
	var fs, more []lint.Finding
	var err error
	if in.MX, fs, err = mx.Lookup(ctx, r, domain); err != nil {
		t.Fatal(err)
	}
	if in.SPF, more, err = spf.Lint(ctx, r, domain); err != nil {
		t.Fatal(err)
	}
	fs = append(fs, more...)
	if in.DMARC, more, err = dmarc.Lookup(ctx, r, domain); err != nil {
		t.Fatal(err)
	}
	fs = append(fs, more...)
	if in.DKIM, more, err = dkim.Discover(ctx, r, domain); err != nil {
		t.Fatal(err)
	}
	fs = append(fs, more...)
	graded = parked.Grade(in)
	if in.IsParked() {
		for _, f := range fs {
			if !parked.Waives(f.Rule) {
				all = append(all, f)
			}
		}
	} else {
		all = fs
	}
	return in, graded, append(all, graded...)
}

func TestParkedFixtures(t *testing.T) {
	const file = "testdata/parked.zone"
	z := zones(t, resolver.ZoneSource{File: file})
	rules := parked.Rules()
	fixture.Check(t, file, rules, func(t *testing.T, name string) []lint.Finding {
		_, graded, _ := grade(t, z, name, strings.HasPrefix(name, "declared"))
		for _, f := range graded {
			t.Logf("%s\n%s", f, f.FixText())
		}
		return graded
	})
}

// TestParkedAcceptance: a parked domain published correctly gets no
// warning from any check once the waived findings are dropped; with
// p=none the one finding says exactly what to change, keeping the rua.
func TestParkedAcceptance(t *testing.T) {
	z := zones(t, resolver.ZoneSource{File: "testdata/parked.zone"})
	for _, d := range []string{"good.parked.test", "goodrua.parked.test", "wild.parked.test", "sub.inh.parked.test"} {
		_, _, all := grade(t, z, d, false)
		for _, f := range all {
			if f.Severity != lint.Info {
				t.Errorf("%s: %v", d, f)
			}
		}
	}
	_, graded, all := grade(t, z, "pnone.parked.test", false)
	if len(graded) != 1 {
		t.Fatalf("pnone: %v", graded)
	}
	f := graded[0]
	wantMsg := "pnone.parked.test sends and receives no mail (it publishes a null MX), so it must also publish: DMARC p=reject (_dmarc.pnone.parked.test has p=none)"
	wantFix := "; delete: _dmarc.pnone.parked.test.\t3600\tIN\tTXT\t\"v=DMARC1; p=none; rua=mailto:dmarc@reports.parked.test\"\n" +
		"_dmarc.pnone.parked.test.\t3600\tIN\tTXT\t\"v=DMARC1; p=reject; rua=mailto:dmarc@reports.parked.test\""
	if f.Message != wantMsg || f.FixText() != wantFix {
		t.Errorf("pnone:\n%s\n%s\nwant\n%s\n%s", f.Message, f.FixText(), wantMsg, wantFix)
	}
	for _, f := range all {
		if f.Rule == "dmarc.policy-none" {
			t.Errorf("pnone: %v kept beside parked.incomplete, whose advice differs", f)
		}
	}

	// Every part missing at once: one finding, one fix that makes it all.
	_, graded, _ = grade(t, z, "declared.parked.test", true)
	if len(graded) != 1 || !strings.Contains(graded[0].Message, "a null MX") || graded[0].FixText() !=
		"; delete: declared.parked.test.\t300\tIN\tMX\t10 mail.declared.parked.test.\ndeclared.parked.test.\t3600\tIN\tMX\t0 ." {
		t.Errorf("declared: %v\n%s", graded, graded[0].FixText())
	}
	_, graded, _ = grade(t, z, "key.parked.test", false)
	if len(graded) != 1 || len(graded[0].Fixes) != 2 || !strings.Contains(graded[0].Fixes[1].Text(), "google._domainkey.key.parked.test.\t3600\tIN\tTXT\t\"v=DKIM1; p=\"") {
		t.Errorf("key: %v %+v", graded, graded[0].Fixes)
	}
	// Offline over its own zone, whether a PSD policy at _dmarc.test
	// applies is not known: DMARC is not graded. With the top-level zone
	// loaded too, the tree walk completes and finds no policy.
	_, graded, _ = grade(t, z, "nothing.parked.test", false)
	if len(graded) != 1 || strings.Contains(graded[0].Message, "DMARC") {
		t.Errorf("nothing, offline: %v", graded)
	}
	tld := zones(t, resolver.ZoneSource{File: "testdata/parked.zone"}, resolver.ZoneSource{Origin: "test", Text: "@ IN SOA ns h 1 3600 600 86400 300"})
	_, graded, _ = grade(t, tld, "nothing.parked.test", false)
	want := "nothing.parked.test.\t3600\tIN\tTXT\t\"v=spf1 -all\"\n_dmarc.nothing.parked.test.\t3600\tIN\tTXT\t\"v=DMARC1; p=reject\""
	if len(graded) != 1 || graded[0].FixText() != want {
		t.Errorf("nothing: %v\n%s", graded, graded[0].FixText())
	}
}

func zones(t *testing.T, srcs ...resolver.ZoneSource) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return z
}
