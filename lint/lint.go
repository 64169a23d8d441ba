// Package lint is the findings model shared by every domainlint package.
//
// A [Finding] is one thing wrong (or worth knowing) about a domain's DNS
// records. It names the [Rule] that produced it by a stable ID such as
// "spf.lookup-limit", carries the record text and the byte [Span] it is about,
// and cites the standard that the rule enforces.
//
// An error returned by a domainlint function means a check could not be
// performed: bad arguments, a cancelled context, a DNS transport failure.
// Everything wrong with the records themselves is a Finding.
//
// Rules are data. Each package lists its own rules in an explicit slice
// returned by its Rules function; there is no global registry. [Validate]
// checks that a catalogue is well formed.
package lint

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Severity says how much a finding matters. The zero value is Error, the
// most severe, so that a forgotten severity is never silently downgraded.
type Severity int

const (
	// Error: mail will fail authentication or be misrouted.
	Error Severity = iota
	// Warning: works today but is fragile, weak or against advice.
	Warning
	// Info: worth knowing, no action required.
	Info
)

var severityNames = [...]string{Error: "error", Warning: "warning", Info: "info"}

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(severityNames) {
		return nil, fmt.Errorf("lint: invalid severity %d", int(s))
	}
	return []byte(severityNames[s]), nil
}

// UnmarshalText decodes "error", "warning" or "info".
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity parses "error", "warning" or "info" (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("lint: unknown severity %q (want error, warning or info)", name)
}

// Span is a half-open byte range [Start, End) within Finding.Record.
// The zero Span means "the whole record" or "no particular place".
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// IsZero reports whether the span points nowhere in particular.
func (s Span) IsZero() bool { return s.Start == 0 && s.End == 0 }

// Rule is the metadata of one check. Rules are values, declared once in the
// package that implements them.
type Rule struct {
	// ID is "package.kebab-name", e.g. "spf.lookup-limit". It never changes
	// once released.
	ID string `json:"id"`
	// Severity is the default severity of the rule's findings. A finding may
	// carry another (spf.lookup-limit is a warning at 9 or 10 lookups and an
	// error above).
	Severity Severity `json:"severity"`
	// Summary is one sentence saying what the rule catches.
	Summary string `json:"summary"`
	// Citation names the standard, e.g. "RFC 7208 §4.6.4".
	Citation string `json:"citation"`
	// URL points at the cited text, when there is one.
	URL string `json:"url,omitempty"`
}

// Finding is one result of a rule applied to a domain's records.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Name is the DNS owner name the finding is about (FQDN, no trailing dot).
	Name string `json:"name"`
	// Type is the DNS record type, e.g. "TXT", "CNAME", "MX"; empty when the
	// finding is about a name rather than a record.
	Type string `json:"type"`
	// Record is the record text as published (TXT strings joined).
	Record string `json:"record"`
	// Span is the part of Record the finding is about.
	Span Span `json:"span"`
	// Message says what is wrong, for a human.
	Message string `json:"message"`
	// Citation is the rule's citation, copied so a finding stands alone.
	Citation string `json:"citation"`
	// Fixes are the ways to resolve the finding, alternatives in order of
	// preference; none when there is no safe change to suggest.
	Fixes []Fix `json:"fixes,omitempty"`
	// Related are the rules that saw the same defect at the same name and
	// were folded into this finding: one defect, one finding.
	Related []string `json:"related,omitempty"`
}

// Fix is one way to resolve a finding: a message for people and, when
// the change can be made mechanically, the edits for machines.
type Fix struct {
	Message string `json:"message"`
	// Edits, applied in order, make the change; none when the fix is
	// advice only (a mailbox to create, a record in someone else's zone
	// is named in Message and as an edit all the same).
	Edits []Edit `json:"edits,omitempty"`
}

// Op is what an Edit does.
type Op string

const (
	// Delete removes the record RR names: the same owner, class, type and
	// data, whatever its TTL.
	Delete Op = "delete"
	// Add publishes RR.
	Add Op = "add"
)

// Edit adds or deletes one resource record. A replacement is a Delete
// followed by an Add.
type Edit struct {
	Op Op `json:"op"`
	// RR is the record in master-file form with an absolute owner name:
	// "example.com.	3600	IN	TXT	\"v=spf1 -all\"".
	RR string `json:"rr"`
}

// Text renders a fix as zone-file lines: "; delete: RR" for a deletion,
// the record for an addition, or "; message" when there are no edits.
func (x Fix) Text() string {
	if len(x.Edits) == 0 {
		return "; " + x.Message
	}
	lines := make([]string, len(x.Edits))
	for i, e := range x.Edits {
		if e.Op == Delete {
			lines[i] = "; delete: " + e.RR
		} else {
			lines[i] = e.RR
		}
	}
	return strings.Join(lines, "\n")
}

// FixText is the first fix's Text, or "" when there is none.
func (f Finding) FixText() string {
	if len(f.Fixes) == 0 {
		return ""
	}
	return f.Fixes[0].Text()
}

// EditFix returns a fix that makes the edits, with a message that says so
// unless one is given.
func EditFix(message string, edits ...Edit) Fix {
	if message == "" {
		var adds, dels int
		for _, e := range edits {
			if e.Op == Delete {
				dels++
			} else {
				adds++
			}
		}
		switch {
		case adds > 0 && dels > 0:
			message = "replace the record"
		case adds == 1:
			message = "add the record"
		case adds > 1:
			message = "add the records"
		case dels == 1:
			message = "delete the record"
		default:
			message = "delete the records"
		}
	}
	return Fix{Message: message, Edits: edits}
}

// New returns a finding of rule r with the rule's default severity and
// citation. Set the other fields on the result.
func (r Rule) New(name, message string) Finding {
	return Finding{Rule: r.ID, Severity: r.Severity, Name: name, Message: message, Citation: r.Citation}
}

// String renders a finding on one line: "error spf.missing example.com: …".
func (f Finding) String() string {
	s := fmt.Sprintf("%s %s %s: %s", f.Severity, f.Rule, f.Name, f.Message)
	if f.Citation != "" {
		s += " (" + f.Citation + ")"
	}
	return s
}

// Sort orders findings by severity (errors first), then name, then rule,
// then span, so output is stable.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Span.Start, b.Span.Start),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Count returns how many findings have severity sev.
func Count(fs []Finding, sev Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == sev {
			n++
		}
	}
	return n
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+\.[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks a rule catalogue: IDs unique and of the form
// "package.kebab-name", a valid severity, a summary and a citation for
// every rule. It returns all problems joined.
func Validate(rules []Rule) error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range rules {
		if !idPattern.MatchString(r.ID) {
			errs = append(errs, fmt.Errorf("rule %d: ID %q is not package.kebab-name", i, r.ID))
		}
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("rule %q: duplicate ID", r.ID))
		}
		seen[r.ID] = true
		if _, err := r.Severity.MarshalText(); err != nil {
			errs = append(errs, fmt.Errorf("rule %q: %v", r.ID, err))
		}
		if strings.TrimSpace(r.Summary) == "" {
			errs = append(errs, fmt.Errorf("rule %q: empty summary", r.ID))
		}
		if strings.TrimSpace(r.Citation) == "" {
			errs = append(errs, fmt.Errorf("rule %q: empty citation", r.ID))
		}
	}
	return errors.Join(errs...)
}

// Find returns the rule with the given ID from a catalogue.
func Find(rules []Rule, id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Bounds on what findings carry, so that output grows with the number of
// rules, not with the size of a hostile record: a record of a thousand
// bad URIs or of one-octet strings gives the same few findings.
const (
	// MaxPerRule is how many findings of one rule at one name are kept;
	// the rest are folded into one more finding that counts them.
	MaxPerRule = 20
	// MaxRecordBytes is the most of a record's text a finding carries: a
	// window around its span, marked with "…" where it was cut.
	MaxRecordBytes = 1024
	// MaxMessageBytes is the longest message kept.
	MaxMessageBytes = 1024
	// MaxFixBytes is the most text a finding's fixes may carry; longer
	// ones are dropped, since a cut fix must never be applied.
	MaxFixBytes = 4096
)

// Bound returns fs, sorted, with at most MaxPerRule+1 findings per rule
// and name (past that, the first MaxPerRule and one more that says how
// many were folded into it), each record cut to a window of
// MaxRecordBytes around its span and each message to MaxMessageBytes. It
// is idempotent, and may reorder and modify fs.
func Bound(fs []Finding) []Finding {
	Sort(fs)
	type key struct{ rule, name string }
	count := map[key]int{}
	for _, f := range fs {
		count[key{f.Rule, f.Name}]++
	}
	seen := map[key]int{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Rule, f.Name}
		seen[k]++
		switch n := seen[k]; {
		case n <= MaxPerRule || count[k] == MaxPerRule+1:
			out = append(out, clip(f))
		case n == MaxPerRule+1:
			out = append(out, foldNote(f, count[k]))
		default:
			// Folded: the fold keeps the most severe severity.
			for i := len(out) - 1; i >= 0; i-- {
				if out[i].Rule == f.Rule && out[i].Name == f.Name {
					out[i].Severity = min(out[i].Severity, f.Severity)
					break
				}
			}
		}
	}
	Sort(out)
	return out
}

// foldNote is the finding that stands for the findings of f's rule and
// name past the first MaxPerRule, count of them in all: f clipped, without
// span or fixes, its message counting the rest.
func foldNote(f Finding, count int) Finding {
	f = clip(f)
	f.Span, f.Fixes = Span{}, nil
	f.Message = fmt.Sprintf("and %d more %s findings at %s, not listed", count-MaxPerRule, f.Rule, f.Name)
	return f
}

// clip cuts a finding's record, message and fix to their bounds.
func clip(f Finding) Finding {
	if len(f.Message) > MaxMessageBytes {
		f.Message = strings.ToValidUTF8(f.Message[:MaxMessageBytes], "") + "…"
	}
	size := 0
	for _, x := range f.Fixes {
		size += len(x.Message)
		for _, e := range x.Edits {
			size += len(e.RR)
		}
	}
	if size > MaxFixBytes {
		f.Fixes = nil
		f.Message += " (the fix is too long to show)"
	}
	if len(f.Record) <= MaxRecordBytes {
		return f
	}
	s := min(max(f.Span.Start, 0), len(f.Record))
	start := max(0, s-MaxRecordBytes/4)
	end := min(len(f.Record), start+MaxRecordBytes)
	text := f.Record[start:end]
	span := Span{Start: min(f.Span.Start, end) - start, End: min(f.Span.End, end) - start}
	if f.Span.IsZero() || span.Start < 0 {
		span = Span{}
	}
	if start > 0 {
		text = "…" + text
		if !span.IsZero() {
			span.Start += len("…")
			span.End += len("…")
		}
	}
	if end < len(f.Record) {
		text += "…"
	}
	f.Record, f.Span = text, span
	return f
}
