package enforce

import (
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/lint"
)

const rfc7489 = "https://www.rfc-editor.org/rfc/rfc7489"

// The rules of this package. Their IDs never change.
var (
	ruleBreaks = lint.Rule{ID: "enforce.breaks", Severity: lint.Error,
		Summary:  "The proposed zone would quarantine or reject mail that passes DMARC today, by the domain's aggregate reports: a sender it drops, a DKIM key it removes, an alignment it tightens.",
		Citation: "RFC 7489 §6.6.2, §7.2", URL: rfc7489 + "#section-7.2"}
	ruleNoReports = lint.Rule{ID: "enforce.no-reports", Severity: lint.Warning,
		Summary:  "Reports were given, but none holds a row for the domain (empty, of other domains, too old for -since, or unreadable): the policy is weighed against nothing.",
		Citation: "RFC 7489 §7.2", URL: rfc7489 + "#section-7.2"}
	ruleUnauthenticated = lint.Rule{ID: "enforce.unauthenticated", Severity: lint.Warning,
		Summary:  "Sources in the domain's aggregate reports fail DMARC today and would be quarantined or rejected under enforcement: legitimate senders not yet in SPF or signing with aligned DKIM, or forgeries.",
		Citation: "RFC 7489 §6.6.2, §7.2", URL: rfc7489 + "#section-7.2"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule { return []lint.Rule{ruleBreaks, ruleUnauthenticated, ruleNoReports} }

// Findings are what a Result says about the proposed zone, at its DMARC
// record (name and record as published): mail that passes today and
// would not, as an error; sources that fail today and would be
// quarantined or rejected, as a warning — an info when the policy is only
// asked about (Options.Policy), not proposed.
func (r *Result) Findings(dmarcName, record string, asked bool) []lint.Finding {
	var fs []lint.Finding
	if r.Messages == 0 {
		msg := fmt.Sprintf("the reports hold no row for %s", r.Domain)
		if r.NotEvaluated > 0 {
			msg += fmt.Sprintf(" (%s messages of other domains left aside)", count(r.NotEvaluated))
		}
		f := ruleNoReports.New(dmarcName, msg+": the policy is weighed against nothing")
		f.Type, f.Record = "TXT", record
		return append(fs, f)
	}
	if r.Breaks > 0 {
		f := ruleBreaks.New(dmarcName, fmt.Sprintf("under p=%s, %s of %s messages in the reports that pass DMARC today would be quarantined or rejected: %s", r.Policy, count(r.Breaks), count(r.Messages), r.top(func(s Source) int { return s.Breaks })))
		f.Type, f.Record = "TXT", record
		if asked {
			f.Severity = lint.Warning
		}
		fs = append(fs, f)
	}
	lost := r.Quarantined + r.Rejected - r.Breaks
	if lost > 0 {
		f := ruleUnauthenticated.New(dmarcName, fmt.Sprintf("under p=%s, %s of %s messages in the reports (%.1f%%) would be quarantined or rejected that fail DMARC already: %s", r.Policy, count(lost), count(r.Messages), 100*float64(lost)/float64(max(r.Messages, 1)), r.top(func(s Source) int { return s.Lost })))
		f.Type, f.Record = "TXT", record
		if asked {
			f.Severity = lint.Info
		}
		fs = append(fs, f)
	}
	return fs
}

// top names the sources with the most messages by n, three at most
// (why each fails, and what to add, are in Result.Sources: the text and
// JSON reports list them).
func (r *Result) top(n func(Source) int) string {
	var parts []string
	shown, more := 0, 0
	for _, s := range r.Sources {
		if n(s) == 0 {
			continue
		}
		if shown == 3 {
			more++
			continue
		}
		shown++
		p := fmt.Sprintf("%s from %s", count(n(s)), s.Addr)
		if s.PTR != "" {
			p += " (" + s.PTR + ")"
		}
		if len(s.Advice) > 0 {
			p += ": " + s.Advice[0]
		}
		parts = append(parts, p)
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("%d more sources", more))
	}
	return strings.Join(parts, "; ")
}

func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
