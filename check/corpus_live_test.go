package check_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/internal/unboundtest"
	"github.com/domainlint/domainlint/resolver"
	"github.com/google/go-cmp/cmp"
)

// TestCorpusOfflineLiveAgree: each corpus zone Knot loads is linted as
// a zone file in the three modes, in one world (Knot serves every corpus
// zone; offline, the same files are loaded beside it): offline, live
// (names outside the file asked of Knot) and from a snapshot recorded
// during the live run. The findings are the same, DNSSEC status aside: a
// file read one way and served another, or a snapshot that answers
// differently from what it recorded, would show here.
func TestCorpusOfflineLiveAgree(t *testing.T) {
	if _, err := exec.LookPath("knotd"); err != nil {
		t.Skip("knotd (Debian package knot) is not on PATH")
	}
	if testing.Short() {
		t.Skip("starts Knot")
	}
	var zones []unboundtest.Zone
	var fxs []corpusFixture
	for _, fx := range corpus {
		file := filepath.Join(corpusDir, fx.file)
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if fx.refused != "" || fx.notKnot != "" || strings.Contains(string(text), "$INCLUDE") {
			continue
		}
		zones = append(zones, unboundtest.Zone{Origin: fx.domain(), Text: string(text)})
		fxs = append(fxs, fx)
	}
	k := unboundtest.StartKnot(t, zones...)
	c, err := resolver.New(resolver.Config{Servers: []string{k.Addr}, Tries: 1, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := func(rep *check.Report) []string {
		var out []string
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Rule, "dnssec.") {
				continue
			}
			out = append(out, fmt.Sprintf("%s %s %s", f.Severity, f.Rule, f.Name))
		}
		slices.Sort(out)
		return out
	}
	for _, fx := range fxs {
		t.Run(fx.file, func(t *testing.T) {
			domain := fx.domain()
			own := resolver.ZoneSource{File: filepath.Join(corpusDir, fx.file), Domain: domain, AllowInclude: true}
			srcs := []resolver.ZoneSource{own}
			for _, o := range fxs {
				if o.file != fx.file {
					srcs = append(srcs, resolver.ZoneSource{File: filepath.Join(corpusDir, o.file), Domain: o.domain(), AllowInclude: true})
				}
			}
			all, err := resolver.NewZones(srcs...)
			if err != nil {
				t.Fatal(err)
			}
			alone, err := resolver.NewZones(own)
			if err != nil {
				t.Fatal(err)
			}
			opts := check.Options{}
			offline := check.Domain(context.Background(), all, domain, opts)
			rec := resolver.NewRecorder(c)
			live := check.Domain(context.Background(), alone.WithFallback(rec), domain, opts)
			var b strings.Builder
			if err := rec.WriteSnapshot(&b); err != nil {
				t.Fatal(err)
			}
			snap, err := resolver.ReadSnapshot(strings.NewReader(b.String()), "snap")
			if err != nil {
				t.Fatal(err)
			}
			replay := check.Domain(context.Background(), alone.WithFallback(snap), domain, opts)
			if diff := cmp.Diff(key(offline), key(live)); diff != "" {
				t.Errorf("offline and live (Knot) differ (-offline +live):\n%s", diff)
			}
			if diff := cmp.Diff(key(live), key(replay)); diff != "" {
				t.Errorf("live and its snapshot differ (-live +snapshot):\n%s", diff)
			}
		})
	}
}
