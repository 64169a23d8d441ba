// Package analysis is the framework a domain's checks are written
// against, in the shape of golang.org/x/tools/go/analysis: a [Check] is
// data — a name, the rules its findings may carry, the checks whose
// results it reads, the rules of other checks it may supersede, and Run —
// and a [Pass] is what one run of it works with.
//
// The map of the part:
//
//   - [Check] declares; [Validate] checks a slice of them (names, Run,
//     Requires cycles, Supersedes patterns) before anything runs, and
//     [SupersedesUnknown] the Supersedes patterns against a catalogue.
//   - [Pass] hands Run the domain, a resolver, the zone files when the
//     answers come from them, and [Pass.ResultOf]: the typed, read-only
//     results of the checks it Requires (Run's first return value).
//   - [Check.Ahead] names the questions a check will ask whatever the
//     checks it requires find: the driver asks them as the run starts,
//     so that a domain's latency is its longest chain of dependent
//     questions, not the sum of its checks'.
//   - A check says what it found with Pass.Report (lint.Finding values of
//     its declared rules), what it could not do with Pass.Fail (the cause
//     kept, so errors.Is tells why), which names it could not verify and
//     why with Pass.Unverified, and — only for the rules it declares in
//     Check.Supersedes — which findings of other checks its own replace,
//     with Pass.Supersede.
//
// The protocol packages (spf, dkim, dmarc, mx, mtasts, tlsrpt, bimi,
// dnssec, dane, parked, enforce, smtpprobe), m365 and zonecheck each
// export their check (NewCheck); package check is the driver that runs a slice of them for a
// domain and assembles the report. A check written outside this module
// runs the same way: append it to the slice given to check.Domain in
// check.Options.Checks.
//
// This package imports only lint and resolver.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
)

// A Check is one part of a domain's check, as data. A driver (package
// check) runs a slice of them: each after the checks it Requires, the
// others concurrently. The rule catalogue is what the slice declares; a
// finding of a rule its check does not declare is an error of the check,
// never a silent finding.
type Check struct {
	// Name is short and stable: "spf", "dmarc", "dkim", "m365".
	Name string
	// Doc says in a sentence what the check looks at.
	Doc string
	// Rules are every rule the check's findings may carry.
	Rules []lint.Rule
	// Requires are the checks that must have run first: Run reads their
	// results from Pass.ResultOf.
	Requires []*Check
	// Supersedes are the rules of other checks (IDs, or prefixes ending at
	// a dot: "dkim", "spf.") whose findings this check may edit or drop
	// with Pass.Supersede: the declared way for one check to say that its
	// finding replaces another's, or that another's does not apply.
	Supersedes []string
	// Ahead, when set, names the questions Run asks whatever the checks
	// it Requires find, from the domain alone (tlsrpt's _smtp._tls TXT,
	// bimi's default._bimi TXT). A driver may ask them as the run
	// starts, beside the checks that run first, so that a check waiting
	// for its Requires finds their answers ready: a domain's latency is
	// then its longest chain of dependent questions, not the sum of the
	// checks' chains. Questions Run surely asks belong here, and a
	// fallback it asks unless an answer makes it needless (BIMI's
	// organizational domain after a subdomain without a record): one
	// asked ahead and never asked by Run costs a packet for nothing.
	Ahead func(domain string) []Question
	// Run does the check and returns its result, which the checks that
	// require it read through Pass.ResultOf (nil: none). Its error means
	// the check could not run at all (the domain's own record could not be
	// fetched); failures of single lookups go through Pass.Fail and the
	// check goes on.
	Run func(ctx context.Context, p *Pass) (any, error)
}

func (c *Check) String() string { return c.Name }

// Question is a DNS question: a name and a type (dns.TypeTXT…).
type Question struct {
	Name string
	Type uint16
}

// Pass is what one run of a Check works with. The driver fills it; a
// check reads its fields and calls its functions, which are safe for
// concurrent use.
type Pass struct {
	Check *Check
	// Domain is the domain checked: lowercase, no trailing dot.
	Domain string
	// Resolver asks through the driver: its questions are counted and
	// charged to the domain's budget (through the context).
	Resolver resolver.Resolver
	// Zone is the zone files' capability when the answers come from zone
	// files (resolver.Zones), else nil: what only a file can show (a CNAME
	// beside other data, the names it holds).
	Zone resolver.ZoneFiles
	// ResultOf holds the results of the checks in Check.Requires, by
	// check; they finished before Run started. Read them, never change
	// them: other checks read the same values.
	ResultOf map[*Check]any

	// Report adds findings. The driver drops those of rules the run does
	// not select or that a zone file waives; a finding of a rule the
	// check does not declare becomes an error of the check.
	Report func(fs ...lint.Finding)
	// Fail records that a part of the check could not be done: name is
	// the DNS name concerned (the domain when empty), err the cause,
	// kept so that errors.Is(err, resolver.ErrBudget) and the like tell
	// why.
	Fail func(name string, err error)
	// Unverified says why the check asked about name, when the answer
	// could not be verified (resolver.ErrUnverified: a name outside the
	// zone files checked offline): e.g. "SPF target: its lookups are not
	// counted". The first reason given for a name is kept.
	Unverified func(name, why string)
	// Supersede registers fold, which the driver calls once every check
	// has run, with the findings left (selected, not waived), in report
	// order, of this check's own rules and of the rules its
	// Check.Supersedes names. fold may edit them (not their Rule or Name)
	// and sets drop[i] to drop fs[i]. Folds run in the reverse order of
	// the checks' slice (a check's own in the order registered), each
	// seeing what the ones before it left: the checks listed first have
	// the last word.
	Supersede func(fold func(fs []lint.Finding, drop []bool))
}

// Matches reports whether rule id is selected by pattern: the ID itself,
// or a prefix ending at a dot ("spf", "spf.", "m365").
func Matches(id, pattern string) bool {
	pattern = strings.TrimSuffix(pattern, ".")
	return id == pattern || strings.HasPrefix(id, pattern+".")
}

// ErrInvalid is wrapped by the errors of Validate.
var ErrInvalid = errors.New("invalid checks")

// Validate reports what keeps checks from running as one slice: a check
// without a name or Run, two checks of one name, a check that requires
// itself through Requires, and a Supersedes pattern that is empty or
// names a rule of the check itself. The checks a check requires belong to
// the slice even when not listed in it: a driver runs them too. Rules may
// be shared: a rule ID declared by two checks is one rule. A Supersedes
// pattern may name rules of checks the slice does not run (the Microsoft
// 365 check supersedes DMARC's findings when the DMARC check runs);
// SupersedesUnknown tells which name no rule of a catalogue.
func Validate(checks []*Check) error {
	if c := cycle(checks); c != nil {
		return fmt.Errorf("%w: %s requires itself through Requires", ErrInvalid, c.Name)
	}
	checks = closure(checks)
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
	}
	names := map[string]bool{}
	for _, c := range checks {
		switch {
		case c.Name == "":
			bad("a check has no name")
		case names[c.Name]:
			bad("two checks are named %q", c.Name)
		}
		names[c.Name] = true
		if c.Run == nil {
			bad("check %q has no Run", c.Name)
		}
		for _, p := range c.Supersedes {
			switch {
			case strings.Trim(p, ".") == "":
				bad("check %q supersedes an empty pattern", c.Name)
			case slices.ContainsFunc(c.Rules, func(r lint.Rule) bool { return Matches(r.ID, p) }):
				bad("check %q supersedes %q, which names its own rules", c.Name, p)
			}
		}
	}
	return errors.Join(errs...)
}

// SupersedesUnknown returns the Supersedes patterns of checks that no rule
// of catalogue is or starts with: typos, or rules renamed.
func SupersedesUnknown(checks []*Check, catalogue []lint.Rule) []string {
	var out []string
	for _, c := range closure(checks) {
		for _, p := range c.Supersedes {
			if !slices.ContainsFunc(catalogue, func(r lint.Rule) bool { return Matches(r.ID, p) }) {
				out = append(out, c.Name+": "+p)
			}
		}
	}
	return out
}

// closure returns checks and, after them, the checks they require that
// the slice does not list.
func closure(checks []*Check) []*Check {
	out := slices.Clone(checks)
	for i := 0; i < len(out); i++ {
		for _, r := range out[i].Requires {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// cycle returns a check that requires itself through Requires, or nil.
func cycle(checks []*Check) *Check {
	state := map[*Check]int{} // 1: on the path, 2: done
	var visit func(c *Check) *Check
	visit = func(c *Check) *Check {
		switch state[c] {
		case 1:
			return c
		case 2:
			return nil
		}
		state[c] = 1
		for _, r := range c.Requires {
			if bad := visit(r); bad != nil {
				return bad
			}
		}
		state[c] = 2
		return nil
	}
	for _, c := range checks {
		if bad := visit(c); bad != nil {
			return bad
		}
	}
	return nil
}
