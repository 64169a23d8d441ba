package check

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
)

// Errors a check may report, besides the resolver's.
var (
	// ErrUndeclaredRule: a check reported a finding of a rule it does not
	// declare in Check.Rules (a bug in the check).
	ErrUndeclaredRule = errors.New("finding of an undeclared rule")
	// ErrCheckPanicked: a check panicked; the rest of the domain was
	// checked.
	ErrCheckPanicked = errors.New("check panicked")
	// ErrNotStarted: a domain's check was never started. Scan yields no
	// report for such a domain (it did before: a cancelled sweep now ends
	// without them); a caller making its own reports of domains it did
	// not check may use it.
	ErrNotStarted = errors.New("not checked")
	// ErrBadCheck: the checks given cannot run (a Requires cycle).
	ErrBadCheck = errors.New("checks cannot run")
)

// CheckError is something a check could not do. It wraps the cause, so
// errors.Is(err, resolver.ErrTemporary), resolver.ErrBudget or
// context.DeadlineExceeded tell why.
type CheckError struct {
	// Check is the check that failed ("spf", "dmarc", "dkim", "m365", …),
	// or empty for the domain as a whole.
	Check string
	// Name is the DNS name concerned, without the trailing dot.
	Name string
	Err  error

	kind string // set by UnmarshalJSON: the cause's type is not kept
}

func (e *CheckError) Error() string {
	msg := "unknown error"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Check == "" {
		return msg
	}
	return e.Check + ": " + msg
}

func (e *CheckError) Unwrap() error { return e.Err }

// Kind classifies the cause: "budget", "timeout", "canceled",
// "unverified", "invalid-name", "temporary" or "other".
func (e *CheckError) Kind() string {
	if e.kind != "" {
		return e.kind // as read back from JSON
	}
	switch {
	case errors.Is(e.Err, resolver.ErrBudget):
		return "budget"
	case errors.Is(e.Err, context.DeadlineExceeded) || timeout(e.Err):
		return "timeout"
	case errors.Is(e.Err, context.Canceled):
		return "canceled"
	case errors.Is(e.Err, resolver.ErrUnverified):
		return "unverified"
	case errors.Is(e.Err, resolver.ErrInvalidName):
		return "invalid-name"
	case errors.Is(e.Err, resolver.ErrTemporary):
		return "temporary"
	}
	return "other"
}

func timeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// MarshalJSON writes the error as {"check", "name", "kind", "message"}.
func (e *CheckError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Check   string `json:"check,omitempty"`
		Name    string `json:"name,omitempty"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	}{e.Check, e.Name, e.Kind(), e.Error()})
}

// UnmarshalJSON reads what MarshalJSON wrote; the cause becomes an error
// with the message (its type is not kept).
func (e *CheckError) UnmarshalJSON(b []byte) error {
	var v struct {
		Check, Name, Kind, Message string
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	msg := strings.TrimPrefix(v.Message, v.Check+": ")
	*e = CheckError{Check: v.Check, Name: v.Name, Err: errors.New(msg), kind: v.Kind}
	return nil
}

// selection is the rules a check reports (Options.Enable and Disable)
// and the waivers a zone file writes beside its records.
type selection struct {
	enable, disable []string
	comments        func(name string) []string // the zone file's comments at a name, or nil
}

func (s *selection) enabled(id string) bool {
	if s == nil {
		return true
	}
	if len(s.enable) > 0 && !slices.ContainsFunc(s.enable, func(p string) bool { return analysis.Matches(id, p) }) {
		return false
	}
	return !slices.ContainsFunc(s.disable, func(p string) bool { return analysis.Matches(id, p) })
}

var ignoreRE = regexp.MustCompile(`\bignore\s+((?:"[^"]+"\s*)+)`)
var quotedRE = regexp.MustCompile(`"([^"]+)"`)

// waived reports whether the zone file waives rule on a record at name:
//
//	_dmarc IN TXT "v=DMARC1; p=none; rua=…" ; ignore "dmarc.policy-none"
func (s *selection) waived(name, rule string) (pattern string, ok bool) {
	if s == nil || s.comments == nil {
		return "", false
	}
	for _, c := range s.comments(name) {
		m := ignoreRE.FindStringSubmatch(c)
		if m == nil {
			continue
		}
		for _, q := range quotedRE.FindAllStringSubmatch(m[1], -1) {
			if analysis.Matches(rule, q[1]) {
				return q[1], true
			}
		}
	}
	return "", false
}

// CheckRules validates a catalogue and that every rule ID given to
// Enable or Disable names a rule or a prefix of one.
func CheckRules(rules []lint.Rule, patterns ...string) error {
	var errs []error
	if err := lint.Validate(rules); err != nil {
		errs = append(errs, err)
	}
	for _, p := range patterns {
		if !slices.ContainsFunc(rules, func(r lint.Rule) bool { return analysis.Matches(r.ID, p) }) {
			errs = append(errs, errors.New("check: no rule is "+p+" or starts with "+strings.TrimSuffix(p, ".")+"."))
		}
	}
	return errors.Join(errs...)
}
