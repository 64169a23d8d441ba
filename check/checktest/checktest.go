// Package checktest lets a repository lint its DNS zone files in go test,
// before they are deployed:
//
//	func TestZone(t *testing.T) {
//		set, err := records.M365("contoso.com", records.Options{Tenant: "contoso"})
//		if err != nil {
//			t.Fatal(err)
//		}
//		checktest.Zone(t, "dns/contoso.com.zone", "contoso.com", check.Options{Set: &set})
//	}
//
// Zone fails the test with a readable list of every error finding, every
// expected record that is not ok and everything that could not be checked,
// and passes otherwise. It also fails when the expected set is empty (a
// diff against nothing passes whatever the zone says).
//
// The check is offline and hermetic: names outside the zone file (a
// provider's SPF include, the tenant a DKIM selector points into) are not
// asked. They are listed in the test log as not verified, the SPF lookup
// count is then a lower bound, and the test does not fail for them unless
// Config.FailUnverified is set. To check them too without the network,
// record their answers once with `domainlint -zone FILE -snapshot snap.txt
// DOMAIN` (live DNS), commit the snapshot and name it in Config.Snapshot.
// Like golang.org/x/tools' analysistest, a zone may carry expectations next
// to its records:
//
//	_dmarc IN TXT "v=DMARC1; p=none" ; want "dmarc.policy-none"
//
// Then the test fails on any error or warning finding whose rule is not
// wanted and on any wanted rule that no finding has ("want none" wants
// nothing). Rules are matched by ID anywhere in the report: a finding is
// often about a name the zone does not hold (a missing record).
package checktest

import (
	"context"
	"fmt"
	"iter"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dmarc/aggregate"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/domainlint/domainlint/zonesrc"
	"github.com/google/go-cmp/cmp"
)

// TB is the part of testing.TB that Zone uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
}

// Config changes how a zone is checked. The zero Config is what Zone uses.
type Config struct {
	// Zones are more zone files loaded beside the domain's own (zones of
	// its subdomains, or of domains it points into).
	Zones []string
	// Snapshot, when set, answers names outside the zone files from a
	// snapshot file written by `domainlint -snapshot` (see
	// resolver.ReadSnapshot); names it does not hold stay unverified.
	Snapshot string
	// FailUnverified makes anything not verified fail the test. With a
	// Snapshot, a name the zone needs that the snapshot does not hold
	// always fails it: the snapshot is older than the zone.
	FailUnverified bool
	// IncludeRoot is the folder $INCLUDE may read files under; empty:
	// each zone file's own folder.
	IncludeRoot string
	// Reports names the domain's DMARC aggregate reports (a file — XML,
	// .gz, .zip, .eml, mbox —, a folder or a Maildir): the zone's DMARC
	// policy is weighed against them, and the test fails when it would
	// quarantine or reject mail that passes today (enforce.breaks).
	// Reports of other domains in them are left aside.
	Reports string
	// EnforcePolicy asks about a policy other than the zone's.
	EnforcePolicy string
	// SMTP names a recording of the domain's mail servers (the CLI's
	// -smtp-record): the SMTP probe replays it, so STARTTLS, TLS, the
	// certificates and their match with TLSA records and the MTA-STS
	// policy are checked in go test, hermetically.
	SMTP string
	// Format is the files' format when it cannot be told from their
	// names and content: zonesrc.FormatOctoDNS, FormatDNSControl (the
	// JSON `dnscontrol print-ir` writes), FormatTerraform (a .tf file or a
	// module folder), FormatTerraformPlan, FormatRoute53; empty: told.
	Format zonesrc.Format
}

// Zone checks domain answering from file and the more zone files,
// offline, and reports as described in the package documentation. It
// returns the report for further checks (nil when the files could not be
// loaded).
func Zone(t TB, file, domain string, opts check.Options, more ...string) *check.Report {
	t.Helper()
	return Config{Zones: more}.Zone(t, file, domain, opts)
}

// Zone checks domain answering from file as cfg says; see the package
// documentation.
func (cfg Config) Zone(t TB, file, domain string, opts check.Options) *check.Report {
	t.Helper()
	files := append([]string{file}, cfg.Zones...)
	// The domain's own file is read as its server reads it: relative to
	// the domain when it sets no $ORIGIN. A DNS-as-code source (octoDNS,
	// DNSControl's IR, Terraform, Route 53) is read as the zones it
	// describes.
	set, err := zonesrc.Load(files, zonesrc.Config{Format: cfg.Format, Domain: domain, IncludeRoot: cfg.IncludeRoot, Snapshot: cfg.Snapshot})
	if err != nil {
		t.Errorf("checktest: %v", err)
		return nil
	}
	if err := cfg.options(t, domain, &opts); err != nil {
		t.Errorf("checktest: %v", err)
		return nil
	}
	var problems []string
	if opts.Set != nil && len(opts.Set.Items) == 0 {
		problems = append(problems, "the expected record set is empty, so the diff checks nothing (did records.M365 fail, or get no tenant?)")
	}
	exp, err := readExpectations(set, catalogue(opts))
	if err != nil {
		t.Errorf("checktest: %v", err)
		return nil
	}
	problems = append(problems, exp.problems...)
	rep := check.Domain(context.Background(), set.Zones, domain, opts)
	// The sources' own traps (a TXT string a tool does not split, an
	// unescaped ";" in octoDNS…) are findings of the domain too.
	rep.Findings = append(rep.Findings, zonesrc.Findings(set.Loaded)[rep.Domain]...)
	for _, l := range set.Loaded {
		for _, n := range l.Zone.NotEvaluated {
			t.Logf("checktest: %s:%d: not evaluated: %s", n.Pos.File, n.Pos.Line, n.Message)
		}
	}
	problems = append(problems, cfg.reportProblems(rep, domain)...)
	problems = append(problems, exp.unusedIgnores(rep)...)
	problems = append(problems, cfg.unverified(t, rep, file, domain)...)
	if exp.hasWants {
		problems = append(problems, exp.wantProblems(rep)...)
	} else {
		problems = append(problems, exp.errorProblems(rep)...)
	}
	if len(problems) > 0 {
		t.Errorf("checktest: %s (%s):\n%s", domain, file, strings.Join(problems, "\n"))
	}
	return rep
}

// options completes opts as cfg says: the DMARC reports to weigh, the
// SMTP recording to replay, the expected set of the domain.
func (cfg Config) options(t TB, domain string, opts *check.Options) error {
	if cfg.Reports != "" {
		if _, err := os.Stat(cfg.Reports); err != nil {
			return err
		}
		opts.EnforcePolicy = cfg.EnforcePolicy
		opts.Reports = func(ctx context.Context) iter.Seq[enforce.Row] {
			return enforce.Rows(aggregate.Open(ctx, cfg.Reports, aggregate.Options{}), func(err error) {
				t.Logf("checktest: %s: %v", cfg.Reports, err)
			})
		}
	}
	if cfg.SMTP != "" {
		f, err := os.Open(cfg.SMTP)
		if err != nil {
			return err
		}
		rec, err := smtpprobe.ReadRecording(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %v", cfg.SMTP, err)
		}
		if opts.SMTP, err = smtpprobe.NewReplay(rec, smtpprobe.Options{}); err != nil {
			return err
		}
	}
	if opts.Set == nil && opts.Expect != nil {
		set, err := opts.Expect(domain)
		if err != nil {
			return fmt.Errorf("%s: the expected record set: %v", domain, err)
		}
		opts.Set, opts.Expect = set, nil
	}
	return nil
}

// catalogue is the rules of the checks opts runs.
func catalogue(opts check.Options) []lint.Rule {
	if opts.Checks == nil {
		return check.Rules()
	}
	var rules []lint.Rule
	for _, c := range opts.Checks {
		rules = append(rules, c.Rules...)
	}
	return rules
}

// expectations are what the zones' comments want and waive, and where
// their records stand.
type expectations struct {
	wanted   map[string]bool
	hasWants bool
	ignores  []annotation
	problems []string // malformed comments, unknown rules
	// locs place a finding at its record's line, as the CLI does.
	locs []func(lint.Finding) (string, int)
}

// readExpectations reads the want and ignore comments of the loaded
// zone files, and how to place their findings on lines.
func readExpectations(set *zonesrc.Set, catalogue []lint.Rule) (*expectations, error) {
	exp := &expectations{wanted: map[string]bool{}}
	if len(set.Loaded) > 0 {
		exp.locs = append(exp.locs, func(f lint.Finding) (string, int) { return zonesrc.Locate(set.Loaded, f) })
	}
	for _, s := range set.Sources {
		src := zonedb.Source{File: s.File, Origin: s.Origin, Domain: s.Domain, AllowInclude: s.AllowInclude, IncludeRoot: s.IncludeRoot}
		if s.Text != "" {
			src.Text = []byte(s.Text)
		}
		z, err := zonedb.Parse(src)
		if err != nil {
			return nil, err
		}
		if s.Text == "" && len(set.Loaded) == 0 {
			if loc := zoneLocate(s); loc != nil {
				exp.locs = append(exp.locs, loc)
			}
		}
		anns, bad := annotations(z, catalogue)
		exp.problems = append(exp.problems, bad...)
		for _, a := range anns {
			if a.kind == "ignore" {
				exp.ignores = append(exp.ignores, a)
				continue
			}
			exp.hasWants = true
			for _, id := range a.ids {
				exp.wanted[id] = true
			}
		}
	}
	return exp, nil
}

// zoneLocate places a finding at its record's line in the zone file of
// s (nil when the file cannot be read again or parsed).
func zoneLocate(s resolver.ZoneSource) func(lint.Finding) (string, int) {
	origin := s.Origin
	if origin == "" {
		origin = s.Domain
	}
	_, zf, err := zoneedit.ReadFile(s.File, origin)
	if err != nil {
		return nil
	}
	file := s.File
	return func(f lint.Finding) (string, int) {
		return file, zf.Place(f, origin)
	}
}

// reportProblems are what could not be checked, reports that weigh
// nothing and a domain the files do not hold.
func (cfg Config) reportProblems(rep *check.Report, domain string) []string {
	var problems []string
	for _, e := range rep.Errors {
		problems = append(problems, "could not check: "+e.Error())
	}
	if cfg.Reports != "" && rep.Enforcement != nil && rep.Enforcement.Messages == 0 {
		problems = append(problems, fmt.Sprintf("the reports in %s hold no row for %s: the policy is weighed against nothing", cfg.Reports, domain))
	}
	if rep.NXDomain {
		problems = append(problems, fmt.Sprintf("%s does not exist in the zone files (NXDOMAIN): the file holds no record at that name (is the domain right, and does the file set $ORIGIN to it, or leave it to the domain?)", domain))
	}
	return problems
}

// unusedIgnores reports an ignore that waives nothing, as nolintlint
// does: the finding it was written for is gone, or it never matched.
func (exp *expectations) unusedIgnores(rep *check.Report) []string {
	var problems []string
	for _, a := range exp.ignores {
		for _, id := range a.ids {
			if !slices.ContainsFunc(rep.Waivers, func(w check.Waiver) bool { return w.Name == a.owner && w.Rule == id }) {
				problems = append(problems, fmt.Sprintf("%s:%d: ignore %q at %s waives no finding: remove it", a.file, a.line, id, a.owner))
			}
		}
	}
	return problems
}

// unverified logs what was not verified offline, or returns it as a
// problem: always with Config.FailUnverified, and with a Snapshot for a
// name the zone needs that the snapshot does not hold (it is older than
// the zone). What concerns the resolver, not the zone (the DNSSEC probe),
// never fails the test.
func (cfg Config) unverified(t TB, rep *check.Report, file, domain string) []string {
	if len(rep.Unverified) == 0 {
		return nil
	}
	var b, stale strings.Builder
	fmt.Fprintf(&b, "not verified offline (outside the zone files%s):", map[bool]string{false: "", true: " and the snapshot"}[cfg.Snapshot != ""])
	for _, u := range rep.Unverified {
		b.WriteString("\n  " + u.String())
		if cfg.Snapshot != "" && u.Check != "dnssec" {
			stale.WriteString("\n  " + u.String())
		}
	}
	switch {
	case stale.Len() > 0 && !cfg.FailUnverified:
		return []string{fmt.Sprintf("the snapshot %s does not hold names the zone now needs (record it again: domainlint -zone %s -snapshot %s %s):%s", cfg.Snapshot, file, cfg.Snapshot, domain, stale.String())}
	case cfg.FailUnverified:
		return []string{b.String()}
	}
	t.Logf("checktest: %s: %s", domain, b.String())
	return nil
}

// wantProblems compares the rules wanted with those found.
func (exp *expectations) wantProblems(rep *check.Report) []string {
	want := sortedKeys(exp.wanted)
	got := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Severity != lint.Info || exp.wanted[f.Rule] {
			got[f.Rule] = true
		}
		// A defect folded into another rule's finding is found too.
		for _, r := range f.Related {
			if exp.wanted[r] {
				got[r] = true
			}
		}
	}
	if diff := cmp.Diff(want, sortedKeys(got)); diff != "" {
		return []string{"rules (-wanted +found):\n" + diff + "findings:\n" + findings(rep.Findings, exp.locs, nil)}
	}
	return nil
}

// errorProblems are the error findings and the expected records that are
// not ok, with no want comment to say otherwise.
func (exp *expectations) errorProblems(rep *check.Report) []string {
	var problems []string
	if fs := findings(rep.Findings, exp.locs, func(f lint.Finding) bool { return f.Severity == lint.Error }); fs != "" {
		problems = append(problems, "error findings:\n"+fs)
	}
	for _, e := range rep.Diff {
		if e.Status != check.OK && !e.Optional {
			problems = append(problems, fmt.Sprintf("%s %s %s: %s — %s", e.Status, e.Type, e.Name, e.Purpose, e.Why))
		}
	}
	return problems
}

// annotation is one `; want` or `; ignore` comment.
type annotation struct {
	kind  string // "want" or "ignore"
	file  string
	line  int
	owner string // no trailing dot
	ids   []string
}

var (
	// A directive written as one: the word, then what should be quoted
	// rule IDs.
	directiveRE = regexp.MustCompile(`\b(want|ignore)\s+("|none\b|[a-z0-9-]+\.[a-z0-9.-]*)`)
	wellFormed  = map[string]*regexp.Regexp{
		"want":   regexp.MustCompile(`\bwant\s+(none\b|(?:"[^"]+"\s*)+)`),
		"ignore": regexp.MustCompile(`\bignore\s+((?:"[^"]+"\s*)+)`),
	}
	quotedRE = regexp.MustCompile(`"([^"]+)"`)
)

// annotations reads the want and ignore comments of a zone, and says what
// is wrong with any: unquoted or unterminated rule IDs, unknown rules.
func annotations(z *zonedb.Zone, catalogue []lint.Rule) (out []annotation, problems []string) {
	for _, e := range z.Entries {
		c := strings.TrimSpace(strings.TrimPrefix(e.Comment, ";"))
		for _, m := range directiveRE.FindAllStringSubmatchIndex(c, -1) {
			kind := c[m[2]:m[3]]
			rest := c[m[0]:]
			w := wellFormed[kind].FindStringSubmatch(rest)
			if w == nil || !strings.HasPrefix(rest, w[0]) || strings.Count(strings.TrimSpace(w[0][len(kind):]), `"`)%2 != 0 || strings.Count(rest, `"`)%2 != 0 {
				problems = append(problems, fmt.Sprintf("%s:%d: malformed %s comment %q: write the rule IDs quoted, as %s \"dmarc.policy-none\"", e.File, e.Line, kind, c, kind))
				continue
			}
			a := annotation{kind: kind, file: e.File, line: e.Line, owner: strings.TrimSuffix(e.RR.Header().Name, "."), ids: []string{}}
			for _, q := range quotedRE.FindAllStringSubmatch(w[1], -1) {
				a.ids = append(a.ids, q[1])
			}
			for _, id := range a.ids {
				known := slices.ContainsFunc(catalogue, func(r lint.Rule) bool {
					return r.ID == id || kind == "ignore" && strings.HasPrefix(r.ID, id+".")
				})
				if !known {
					problems = append(problems, fmt.Sprintf("%s:%d: %s %q names no rule (domainlint rules lists them)", e.File, e.Line, kind, id))
				}
			}
			out = append(out, a)
		}
	}
	return out, problems
}

func sortedKeys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func findings(fs []lint.Finding, locs []func(lint.Finding) (string, int), keep func(lint.Finding) bool) string {
	var b strings.Builder
	for _, f := range fs {
		if keep == nil || keep(f) {
			at := ""
			for _, loc := range locs {
				if file, line := loc(f); line > 0 {
					at = fmt.Sprintf("%s:%d: ", file, line)
					break
				}
			}
			fmt.Fprintf(&b, "  %s%s\n", at, f)
			for _, x := range f.Fixes {
				fmt.Fprintf(&b, "      fix: %s\n", x.Message)
				for _, e := range x.Edits {
					fmt.Fprintf(&b, "        %s %s\n", map[lint.Op]string{lint.Add: "+", lint.Delete: "-"}[e.Op], e.RR)
				}
			}
		}
	}
	return b.String()
}
