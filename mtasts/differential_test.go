package mtasts_test

// The MTA-STS half of issue 25's differential test: seeded, generated
// policy files read by mtasts.ParsePolicy and by postfix-mta-sts-resolver
// (Debian postfix-mta-sts-resolver: its parse_mta_sts_policy and the
// checks its resolver makes of the result, testdata/oracle), run by
// /usr/bin/python3 (the python3 on PATH may be another one, without
// Debian's modules). The question is the one a sending MTA asks of the
// file: is it a policy to apply, and with which mode, max_age and mx
// patterns? The files vary what that depends on: repeated fields,
// extension fields (Mx:, MODE:), LF, CRLF and lone CR, whitespace, bad
// max_age values and mx patterns. Every disagreement must be a known
// divergence, with the RFC section that makes domainlint right.
//
//	go test ./mtasts/ -run Differential -v                     # 3000 policies, seed 25
//	go test ./mtasts/ -run Differential -mtasts-policies 50000 -mtasts-seed 7

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/mtasts"
)

var (
	mtastsPolicies = flag.Int("mtasts-policies", 3000, "differential test: number of generated MTA-STS policy files")
	mtastsSeed     = flag.Uint64("mtasts-seed", 25, "differential test: generator seed")
)

// stsVerdict is one implementation's reading of one policy file.
type stsVerdict struct {
	Valid  bool     `json:"valid"`
	Mode   string   `json:"mode"`
	MaxAge int64    `json:"max_age"`
	MX     []string `json:"mx"`
	why    string
}

func (v stsVerdict) String() string {
	if !v.Valid {
		return "invalid (" + v.why + ")"
	}
	return fmt.Sprintf("valid mode=%s max_age=%d mx=%q", v.Mode, v.MaxAge, v.MX)
}

// stsDivergence is a known, justified disagreement with
// postfix-mta-sts-resolver.
type stsDivergence struct {
	id, rfc, why string
	match        func(text string, ours, theirs stsVerdict) bool
}

// stsRepeatDiffers reports whether a version, mode or max_age field
// occurs more than once with another value (lines split as the oracle
// splits them: LF, CRLF or a lone CR).
func stsRepeatDiffers(text string) bool {
	first := map[string]string{}
	for _, line := range regexp.MustCompile(`\r\n|\n|\r`).Split(text, -1) {
		k, v, ok := strings.Cut(strings.TrimRight(line, " \t"), ":")
		if !ok || k != "version" && k != "mode" && k != "max_age" {
			continue
		}
		v = strings.TrimLeft(v, " \t")
		if f, seen := first[k]; seen && f != v {
			return true
		} else if !seen {
			first[k] = v
		}
	}
	return false
}

var stsDivergences = []stsDivergence{{
	id: "repeated-field", rfc: "RFC 8461 §3.2 (\"If any non-repeated field -- i.e., all fields excepting \"mx\" -- is duplicated, all entries except for the first SHALL be ignored.\")",
	why:   "postfix-mta-sts-resolver keeps the last of a repeated version, mode or max_age (a dict assignment per line)",
	match: func(text string, ours, theirs stsVerdict) bool { return stsRepeatDiffers(text) },
}, {
	id: "lone-cr", rfc: "RFC 8461 §3.2 (sts-policy-term = LF / CRLF)",
	why: "postfix-mta-sts-resolver splits lines with Python's str.splitlines, which also ends a line at a lone CR",
	match: func(text string, ours, theirs stsVerdict) bool {
		return !ours.Valid && strings.Contains(ours.why, "holds a CR")
	},
}, {
	id: "mx-pattern", rfc: "RFC 8461 §3.2 (sts-policy-mx-value = [\"*.\"] Domain), §4.1 (the wildcard is the whole leftmost label)",
	why: "postfix-mta-sts-resolver does not check the mx patterns (an empty value, *.*.example.com, mx*.example.com, a trailing dot pass)",
	match: func(text string, ours, theirs stsVerdict) bool {
		return !ours.Valid && theirs.Valid && strings.Contains(ours.why, ": mx ")
	},
}, {
	id: "max-age-syntax", rfc: "RFC 8461 §3.2 (sts-policy-max-age-value = 1*10(DIGIT))",
	why: "postfix-mta-sts-resolver reads max_age with Python's int(), which takes a sign, underscores between digits and more than 10 digits",
	match: func(text string, ours, theirs stsVerdict) bool {
		return !ours.Valid && theirs.Valid && strings.Contains(ours.why, "is not a number of seconds")
	},
}, {
	id: "field-syntax", rfc: "RFC 8461 §3.2 (sts-policy-field, sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / \"_\" / \"-\" / \".\"), sts-policy-ext-value = 1*(...))",
	why: "postfix-mta-sts-resolver ignores a line that is not a field (no colon, a space before the colon, a bad name, no value) instead of rejecting the file",
	match: func(text string, ours, theirs stsVerdict) bool {
		return !ours.Valid && theirs.Valid && (strings.Contains(ours.why, "is not \"key: value\"") ||
			strings.Contains(ours.why, "is not a valid key") || strings.Contains(ours.why, "has no value"))
	},
}}

// stsGen builds one policy file from parts that decide its verdict.
func stsGen(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	// odd returns one of the xs once in n times, and usual otherwise.
	odd := func(n int, usual string, xs ...string) string {
		if r.IntN(n) == 0 {
			return pick(xs...)
		}
		return usual
	}
	var lines []string
	field := func(key, value string) {
		lines = append(lines, key+odd(25, ": ", ":", ":\t", ":  ", " : ", " :")+value)
	}
	if r.IntN(20) != 0 {
		field(odd(15, "version", "Version", "VERSION"), odd(10, "STSv1", "stsv1", "STSv2", "", "STSv1 x"))
	}
	if r.IntN(20) != 0 {
		field(odd(15, "mode", "Mode", "MODE"), odd(10, pick("enforce", "testing", "none"), "Enforce", "", "reject", "enforce testing"))
	}
	if r.IntN(20) != 0 {
		field(odd(15, "max_age", "Max_Age", "max-age"),
			odd(5, pick("86400", "604800", "31557600", "0", "1"),
				"31557601", "99999999999", "0000086400", "00000086400", "+86400", "-1", "86_400", "1e5", "", "86400s", "0x100", "4294967296"))
	}
	for range 1 + r.IntN(3) - btoi(r.IntN(10) == 0) {
		field(odd(8, "mx", "Mx", "MX"),
			odd(6, pick("mx.example.com", "mx1.example.com", "*.example.com", "*.mail.example.net", "mail.example.org", "MX.Example.COM"),
				"*.com", "*.*.example.com", "mx*.example.com", "mx.example.com.", "", "-mx.example.com",
				"mx_1.example.com", "*example.com", "a..example.com"))
	}
	// Extension fields and lines that are not fields.
	for range r.IntN(3) {
		switch r.IntN(6) {
		case 0:
			lines = append(lines, pick("just text", "", " ", "\t", ":", ": value", "mx", "version:STSv1:x"))
		case 1, 2:
			field(odd(4, pick("ext", "x-note", "policy.id", "foo_bar", "1abc"), "_bad", "bad key", "a*b"), odd(6, pick("1", "yes", "a b c"), ""))
		}
	}
	// Repeats of the non-repeatable fields, with the same or another value.
	for range r.IntN(3) {
		switch r.IntN(12) {
		case 0:
			field("version", pick("STSv1", "STSv2"))
		case 1:
			field("mode", pick("enforce", "testing", "none", "bogus"))
		case 2:
			field("max_age", pick("86400", "1", "31557601", "x"))
		}
	}
	if r.IntN(3) == 0 {
		r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	}
	for i := range lines {
		lines[i] = odd(100, "", " ", "\t") + lines[i] + odd(20, "", " ", "\t", "  ")
	}
	eol := pick("\n", "\r\n")
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l)
		switch {
		case r.IntN(40) == 0:
			b.WriteString(pick("\r", "\n", "\r\n")) // a mixed line end
		case i < len(lines)-1 || r.IntN(4) != 0:
			b.WriteString(eol)
		}
	}
	return b.String()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stsOurs is domainlint's reading in the oracle's terms.
func stsOurs(text string) stsVerdict {
	p, err := mtasts.ParsePolicy(text)
	if err != nil {
		return stsVerdict{why: err.Error()}
	}
	return stsVerdict{Valid: true, Mode: string(p.Mode), MaxAge: p.MaxAge, MX: p.MX}
}

func TestDifferentialMTASTS(t *testing.T) {
	if exec.Command("/usr/bin/python3", "-c", "import postfix_mta_sts_resolver.utils").Run() != nil {
		t.Skip("postfix-mta-sts-resolver not installed, not compared: apt-get install postfix-mta-sts-resolver")
	}
	start := time.Now()
	r := rand.New(rand.NewPCG(*mtastsSeed, 25))
	// Issue 25's examples first, then the generated files.
	texts := []string{
		"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 86400\r\n",
		"version: STSv1\nmode: enforce\nmode: none\nmx: mx.example.com\nmax_age: 86400\n",
		"version: STSv1\nmode: enforce\nMx: mx.example.com\nmx: *.example.com\nmax_age: 86400\n",
		"version: STSv1\rmode: testing\rmx: mx.example.com\rmax_age: 86400\r",
		"version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: +86400\n",
	}
	for range *mtastsPolicies {
		texts = append(texts, stsGen(r))
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, text := range texts {
		if err := enc.Encode(text); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "testdata/oracle/mtastsresolver.py")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("postfix-mta-sts-resolver: %v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("postfix-mta-sts-resolver: %d verdicts for %d policies", len(lines), len(texts))
	}
	agree, valid, known := 0, 0, map[string]int{}
	for i, text := range texts {
		ours := stsOurs(text)
		var theirs stsVerdict
		if err := json.Unmarshal([]byte(lines[i]), &theirs); err != nil {
			t.Fatalf("postfix-mta-sts-resolver: %q: %v", lines[i], err)
		}
		theirs.why = "rejected"
		if ours.Valid == theirs.Valid && (!ours.Valid || ours.Mode == theirs.Mode && ours.MaxAge == theirs.MaxAge && slices.Equal(ours.MX, theirs.MX)) {
			agree++
			if ours.Valid {
				valid++
			}
			continue
		}
		id := ""
		for _, d := range stsDivergences {
			if d.match(text, ours, theirs) {
				id = d.id
				break
			}
		}
		if id != "" {
			known[id]++
			continue
		}
		t.Errorf("postfix-mta-sts-resolver disagrees on %q: domainlint %s, postfix-mta-sts-resolver %s", text, ours, theirs)
	}
	t.Logf("postfix-mta-sts-resolver: %d policies: %d agree (%d valid), %d known divergences %v; took %v",
		len(texts), agree, valid, len(texts)-agree, known, time.Since(start).Round(time.Millisecond))
}

// TestMTASTSDivergencesDocumented: each known divergence names its RFC
// section and reason, once.
func TestMTASTSDivergencesDocumented(t *testing.T) {
	fixture.CheckDivergences(t, stsDivergences, func(d stsDivergence) (string, string, string, bool) { return d.id, d.rfc, d.why, d.match != nil })
}
