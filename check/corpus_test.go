package check_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/check/checktest"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// corpusDir holds zone files in the shapes real organisations publish
// (BIND files by hand, control panel and registrar exports, Cloudflare,
// Route 53 and Cloud DNS exports, $INCLUDEd key files) under example and
// .test names, each with `; want` comments for every finding it should
// get. Its *.inc files and subfolders are $INCLUDEd parts, not zones.
const corpusDir = "testdata/corpus"

// corpusFixture is one zone of the corpus: a top-level file named
// DOMAIN.zone or db.DOMAIN.
type corpusFixture struct {
	file string
	// tenant, when set, diffs the zone against records.M365 for that
	// Microsoft 365 tenant besides the default checks.
	tenant string
	// refused says that servers refuse the zone: a rule ID (zone.*) the
	// check must report, or text its load error must contain.
	refused string
	// notKnot says why Knot refuses a file other servers load (BIND's
	// $GENERATE, CRLF line ends): the check loads it.
	notKnot string
	// bindLoads says why BIND loads a file the check refuses as Knot does.
	bindLoads string
}

var corpus = []corpusFixture{
	{file: "db.aspen.test"},
	{file: "db.atlas.test"},
	{file: "db.bramble.test", refused: "zone.byte-order-mark"},
	{file: "db.bastion.test", tenant: "bastion"},
	{file: "db.bazaar.test"},
	{file: "db.beacon.test"},
	{file: "db.birch.test"},
	{file: "db.bolt.test"},
	{file: "db.brightsmile.test"},
	{file: "db.campus.test"},
	{file: "db.canyon.test", refused: "zone.cname-and-other-data"},
	{file: "db.cedar.test"},
	{file: "db.copper.test"},
	// A copy of another domain's file: its $ORIGIN makes it that domain's zone.
	{file: "db.copycat.test", refused: "does not hold copycat.test"},
	{file: "db.dune.test"},
	{file: "db.elm.test"},
	{file: "db.echo.test"},
	{file: "db.ember.test"},
	{file: "db.ferry.test"},
	{file: "db.fjord.test"},
	{file: "db.foundry.test", notKnot: "$GENERATE is a BIND extension (Knot: invalid directive)"},
	{file: "db.gable.test", notKnot: "a relative $ORIGIN, which BIND reads against the current origin (Knot: invalid FQDN zone origin)"},
	{file: "db.granite.test"},
	{file: "db.gravel.test"},
	{file: "db.harbor.test"},
	{file: "db.hazel.test"},
	{file: "db.hollow.test"},
	// The DNSSEC key files it includes are not in the repository.
	{file: "db.keyless.test", refused: "Kkeyless.test.+013+51023.key"},
	{file: "db.kiln.test"},
	{file: "db.lakeside.test"},
	{file: "db.ledger.test"},
	{file: "db.lantern.test"},
	{file: "db.lattice.test"},
	{file: "db.maple.test"},
	{file: "db.marble.test"},
	{file: "db.meadow.test"},
	{file: "db.northwind.test"},
	{file: "db.oldmill.test"},
	{file: "db.parapet.test"},
	{file: "db.pebble.test"},
	{file: "db.pinnacle.test"},
	{file: "db.prairie.test"},
	{file: "db.quarry.test"},
	{file: "db.quill.test"},
	{file: "db.quay.test", tenant: "quay"},
	{file: "db.relay.test"},
	{file: "db.relic.test"},
	{file: "db.ridge.test"},
	{file: "db.rivet.test"},
	{file: "db.saddle.test", notKnot: "CRLF line ends, as Windows DNS Server writes (Knot 3.2: unsupported CRLF newline)"},
	{file: "db.shop.example.org"},
	{file: "db.slate.test"},
	{file: "db.smudge.test", refused: "line 10"},
	{file: "db.splice.test"},
	{file: "db.summit.test"},
	{file: "db.tailspin.test", tenant: "tailspin"},
	{file: "db.tannery.test"},
	{file: "db.tundra.test"},
	{file: "db.thistle.test"},
	{file: "db.unclosed.test", refused: "garbage after rdata"},
	{file: "db.vacant.test"},
	{file: "db.vintage.test"},
	{file: "db.willow.test"},
	{file: "db.wingtip.test", tenant: "wingtip"},
	{file: "cobalt.test.zone"},
	{file: "example.com.zone"},
	{file: "example.net.zone", tenant: "examplenet"},
	// Cloudflare's export writes the SOA's owner relative ("example.org"
	// with no dot): it lands at example.org.example.org, and servers find
	// no SOA at the apex. The rest of the export is linted.
	{file: "example.org.zone", refused: "zone.missing-soa"},
	{file: "orchard.test.zone", refused: "zone.missing-soa"},
	{file: "topfarm.test.zone", refused: "REPLACE&ME", bindLoads: "BIND takes the escaped placeholder as a name, with a check-names warning (Knot: invalid domain name character)"},
}

// corpusKnownFalse lists fixtures whose check reports a finding that is
// not true of the zone (a product bug): the test expects them to fail and
// fails when one passes, so that the entry is removed with the fix.
var corpusKnownFalse = map[string]string{}

func (fx corpusFixture) domain() string {
	d := strings.TrimSuffix(fx.file, ".zone")
	return strings.TrimPrefix(d, "db.")
}

// TestCorpus lints every zone of the corpus offline as the CLI and
// checktest do (the domain's file read relative to the domain, $INCLUDE
// allowed under its folder) and fails on any error or warning finding no
// `; want` comment names, and on any wanted rule that is not found. In
// each zone's "knot" subtest (skipped when kzonecheck is not on PATH), Knot
// must load every zone the check loads and refuse every zone the check
// says servers refuse, but for the files only other servers load
// (notKnot); in its "bind" subtest (skipped without named-checkzone), BIND
// must refuse exactly the zones the check says BIND refuses.
func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".zone") || strings.HasPrefix(n, "db.")) {
			files = append(files, n)
		}
	}
	var listed []string
	for _, fx := range corpus {
		listed = append(listed, fx.file)
	}
	slices.Sort(listed)
	if !slices.Equal(files, listed) {
		t.Fatalf("the corpus table does not list the corpus folder's zones:\nfolder: %q\ntable:  %q", files, listed)
	}
	if len(corpus) < 30 {
		t.Errorf("the corpus has %d zones; it should have at least 30", len(corpus))
	}
	for name := range corpusKnownFalse {
		if !slices.Contains(listed, name) {
			t.Errorf("corpusKnownFalse names %s, which is not in the corpus", name)
		}
	}
	kzonecheck, kerr := exec.LookPath("kzonecheck")
	namedCheckzone, berr := exec.LookPath("named-checkzone")
	for _, fx := range corpus {
		t.Run(fx.file, func(t *testing.T) {
			file := filepath.Join(corpusDir, fx.file)
			refusedHere, bindRefusal := fx.check(t, file)
			t.Run("bind", func(t *testing.T) {
				if berr != nil {
					t.Skip("named-checkzone (BIND, Debian package bind9-utils) is not on PATH: the BIND oracle is skipped")
				}
				cmd := exec.Command(namedCheckzone, fx.domain(), filepath.Base(file))
				cmd.Dir = filepath.Dir(file) // $INCLUDE is read relative to BIND's directory
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					t.Fatalf("named-checkzone: %v", err)
				}
				if loads := err == nil; loads == bindRefusal && !(loads && fx.bindLoads != "") {
					t.Errorf("BIND loads the zone: %v; the check says BIND refuses it: %v. named-checkzone %s %s:\n%s", loads, bindRefusal, fx.domain(), fx.file, out)
				}
			})
			t.Run("knot", func(t *testing.T) {
				if kerr != nil {
					t.Skip("kzonecheck (Knot DNS, Debian package knot-dnssecutils) is not on PATH: the Knot oracle is skipped")
				}
				loads, out := knotLoads(t, kzonecheck, fx.domain(), file)
				switch {
				case fx.notKnot != "":
					if loads || refusedHere {
						t.Errorf("%s: Knot loads the zone: %v; the check says servers refuse it: %v; want Knot refusing it and the check loading it:\n%s", fx.notKnot, loads, refusedHere, out)
					}
				case loads == refusedHere:
					t.Errorf("Knot loads the zone: %v; the check says servers refuse it: %v. kzonecheck -o %s %s:\n%s", loads, refusedHere, fx.domain(), fx.file, out)
				}
			})
		})
	}
}

// check lints the fixture as checktest does and reports whether the check
// says servers refuse the zone (Knot and BIND: refused), and whether it
// says BIND does (refused, or a rule of what BIND alone refuses).
func (fx corpusFixture) check(t *testing.T, file string) (refused, bindRefuses bool) {
	t.Helper()
	domain := fx.domain()
	_, err := resolver.NewZones(resolver.ZoneSource{File: file, Domain: domain, AllowInclude: true})
	if err != nil {
		if fx.refused == "" || strings.HasPrefix(fx.refused, "zone.") {
			t.Errorf("the check cannot load a zone servers load: %v", err)
		} else if !strings.Contains(err.Error(), fx.refused) {
			t.Errorf("load error %q does not say %q", err, fx.refused)
		}
		return true, true
	}
	if fx.refused != "" && !strings.HasPrefix(fx.refused, "zone.") {
		t.Errorf("the check loads a zone servers refuse (%s)", fx.refused)
		return false, false
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Without a want comment checktest fails only on error findings; the
	// corpus is held to every finding.
	if !bytes.Contains(text, []byte("; want ")) {
		t.Errorf("%s has no `; want` comment: write the findings it should get, or `; want none`", file)
	}
	var opts check.Options
	if fx.tenant != "" {
		set, err := records.M365(domain, records.Options{Tenant: fx.tenant})
		if err != nil {
			t.Fatal(err)
		}
		opts.Set = &set
	}
	var rec tb
	rep := checktest.Zone(&rec, file, domain, opts)
	if rep != nil {
		for _, f := range rep.Findings {
			switch f.Rule {
			case "zone.missing-soa", "zone.cname-and-other-data", "zone.byte-order-mark":
				refused = true
			case "zone.txt-string-too-long", "zone.ns-no-address":
				bindRefuses = true
			}
		}
	}
	if refused != (fx.refused != "") {
		t.Errorf("the check says servers refuse the zone: %v; the corpus table: %q", refused, fx.refused)
	}
	bindRefuses = bindRefuses || refused
	if why, known := corpusKnownFalse[fx.file]; known {
		if len(rec.errs) == 0 {
			t.Errorf("known to fail (%s) but passes: remove it from corpusKnownFalse", why)
		} else {
			t.Logf("known product bug (%s):\n%s", why, strings.Join(rec.errs, "\n"))
		}
		return refused, bindRefuses
	}
	for _, e := range rec.errs {
		t.Error(e)
	}
	return refused, bindRefuses
}

// knotLoads runs kzonecheck on the zone and reports whether Knot loads it:
// no parse error and no serious semantic error (a missing NS is reported
// with exit status 1 but is not serious).
func knotLoads(t *testing.T, kzonecheck, domain, file string) (bool, string) {
	t.Helper()
	cmd := exec.Command(kzonecheck, "-v", "-o", domain, filepath.Base(file))
	cmd.Dir = filepath.Dir(file)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("kzonecheck: %v", err)
	}
	s := string(out)
	failed := strings.Contains(s, "failed to load zone") || strings.Contains(s, "failed to run semantic checks") ||
		strings.Contains(s, "Serious semantic error")
	if err != nil && !failed && !strings.Contains(s, "Error summary") {
		t.Fatalf("kzonecheck exited %v without saying why:\n%s", err, s)
	}
	return !failed, s
}
