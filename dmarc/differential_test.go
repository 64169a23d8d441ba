package dmarc_test

// The DMARC half of issue 18's differential test: seeded, generated
// records read by dmarc.Parse and by Perl Mail::DMARC (Debian
// libmail-dmarc-perl, testdata/oracle/maildmarc.pl). Mail::DMARC judges
// only the version and the p= policy (its is_valid), so the comparison is
// limited to that: whether the record is a usable DMARC record, and its
// policy. The records vary exactly what those verdicts depend on, and
// keep every other tag valid. Every disagreement must be a known
// divergence, with the RFC section that makes domainlint right.

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/fixture"
)

var (
	dmarcRecords = flag.Int("dmarc-records", 2000, "differential test: number of generated DMARC records")
	dmarcSeed    = flag.Uint64("dmarc-seed", 18, "differential test: generator seed")
)

// dmarcDivergence is a known, justified disagreement with Mail::DMARC.
type dmarcDivergence struct {
	id, rfc, why string
	match        func(txt, ours, theirs string) bool
}

var dmarcDivergences = []dmarcDivergence{{
	id: "version-value-case", rfc: "RFC 7489 §6.4 (DMARC1 is %x44 %x4d %x41 %x52 %x43 %x31: case-sensitive)",
	why: "Mail::DMARC compares the version upper-cased, so v=dmarc1 passes",
	match: func(txt, ours, theirs string) bool {
		return ours == "not-dmarc" && !strings.Contains(txt, "DMARC1") && strings.Contains(strings.ToUpper(txt), "DMARC1")
	},
}, {
	id: "leading-whitespace", rfc: "RFC 7489 §6.6.3 (records that do not start with v= are discarded), §6.4 ABNF",
	why:   "Mail::DMARC removes all whitespace before reading the record",
	match: func(txt, ours, theirs string) bool { return ours == "not-dmarc" && strings.TrimLeft(txt, " \t") != txt },
}, {
	id: "version-not-first", rfc: "RFC 7489 §6.6.3, §6.4 (dmarc-record begins with dmarc-version)",
	why: "Mail::DMARC reads the tags in any order, v= included",
	match: func(txt, ours, theirs string) bool {
		return ours == "not-dmarc" && !strings.HasPrefix(strings.ToLower(txt), "v")
	},
}, {
	id: "no-p-with-rua", rfc: "RFC 7489 §6.3 (p is REQUIRED), §6.6.3",
	why: "a record without a valid p= (none, or p= empty) is broken, and Parse says so (dmarc.syntax); §6.6.3 has receivers " +
		"apply it as p=none when rua= is valid, which dmarc.Evaluate does and Mail::DMARC folds into its parse",
	match: func(txt, ours, theirs string) bool {
		return theirs == "valid:none" && strings.Contains(txt, "rua=") &&
			(strings.Contains(ours, "no p= tag") || strings.Contains(ours, "p= is not valid"))
	},
}, {
	id: "duplicate-tag", rfc: "RFC 7489 §6.4 (DKIM's tag-value syntax), RFC 6376 §3.2",
	why:   "a tag name that occurs more than once makes the whole tag-list invalid; Mail::DMARC keeps the last value",
	match: func(txt, ours, theirs string) bool { return strings.Contains(ours, "appears more than once") },
}}

// dmarcGen builds one record from parts that decide its verdict.
func dmarcGen(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	version := "v=DMARC1"
	if r.IntN(3) == 0 {
		version = pick("V=DMARC1", "v=dmarc1", "v = DMARC1", "v=DMARC1", " v=DMARC1", "\tv=DMARC1", "v=DMARC2", "v=DMARC1x", "v=Dmarc1")
	}
	policy := pick("p=none", "p=reject", "p=quarantine", "p=REJECT", "P=reject", "p = quarantine", "p=bogus", "p=", "")
	var others []string
	for range r.IntN(4) {
		others = append(others, pick("sp=reject", "sp=none", "adkim=s", "aspf=r", "pct=50", "rua=mailto:d@example.com",
			"ruf=mailto:f@example.com", "fo=1", "ri=3600", "rf=afrf", "foo=bar", "x=1", "SP=quarantine", "np=reject", "t=y"))
	}
	var tags []string
	if policy != "" {
		tags = append(tags, policy)
	}
	tags = append(tags, others...)
	if r.IntN(8) == 0 && len(tags) > 1 {
		r.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	}
	sep := pick("; ", ";", " ; ", "; ")
	rec := version
	switch {
	case len(tags) == 0:
	case r.IntN(10) == 0:
		rec += " " + strings.Join(tags, sep) // the ";" after the version is missing
	default:
		rec += sep + strings.Join(tags, sep)
	}
	if r.IntN(12) == 0 {
		// The version somewhere else.
		rec = strings.Join(tags, sep) + sep + version
	}
	if r.IntN(4) == 0 {
		rec += ";"
	}
	return rec
}

// dmarcVerdict is domainlint's reading in Mail::DMARC's terms.
func dmarcVerdict(txt string) string {
	r, err := dmarc.Parse(txt, dmarc.RFC9989)
	switch {
	case r == nil:
		return "not-dmarc"
	case err != nil:
		return "invalid: " + err.Error()
	}
	return "valid:" + r.P
}

func TestDifferentialDMARC(t *testing.T) {
	if exec.Command("perl", "-MMail::DMARC::Policy", "-e1").Run() != nil {
		t.Skip("Mail::DMARC not installed, not compared: apt-get install libmail-dmarc-perl")
	}
	start := time.Now()
	r := rand.New(rand.NewPCG(*dmarcSeed, 18))
	// Issue 18's examples first, then the generated records.
	recs := []string{"V=DMARC1; p=reject", "v=DMARC1 sp=none; p=reject", " v=DMARC1; p=reject", "v=DMARC1; p=reject; foo=bar"}
	for range *dmarcRecords {
		recs = append(recs, dmarcGen(r))
	}
	var in bytes.Buffer
	for _, txt := range recs {
		in.WriteString(txt + "\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "perl", "testdata/oracle/maildmarc.pl")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Mail::DMARC: %v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(recs) {
		t.Fatalf("Mail::DMARC: %d verdicts for %d records", len(lines), len(recs))
	}
	agree, known := 0, map[string]int{}
	for i, txt := range recs {
		ours := dmarcVerdict(txt)
		res, why, _ := strings.Cut(lines[i], "\t")
		theirs := "invalid"
		if res == "valid" {
			theirs = "valid:" + why
		}
		if ours == theirs || theirs == "invalid" && (ours == "not-dmarc" || strings.HasPrefix(ours, "invalid")) {
			agree++
			continue
		}
		id := ""
		for _, d := range dmarcDivergences {
			if d.match(txt, ours, theirs) {
				id = d.id
				break
			}
		}
		if id != "" {
			known[id]++
			continue
		}
		t.Errorf("Mail::DMARC disagrees on %q: domainlint %s, Mail::DMARC %s (%s)", txt, ours, theirs, why)
	}
	t.Logf("Mail::DMARC: %d records: %d agree, %d known divergences %v; took %v",
		len(recs), agree, len(recs)-agree, known, time.Since(start).Round(time.Millisecond))
}

// TestDMARCDivergencesDocumented: each known divergence names its RFC
// section and reason, once.
func TestDMARCDivergencesDocumented(t *testing.T) {
	fixture.CheckDivergences(t, dmarcDivergences, func(d dmarcDivergence) (string, string, string, bool) { return d.id, d.rfc, d.why, d.match != nil })
}
