package spf

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrMergeByHand is the cause of a merge that only the owner can make:
// the records end differently (-all beside ~all, or one without all), or
// one ends in +all. Which policy was meant is the owner's choice; a merge
// never picks the weaker one for them.
var ErrMergeByHand = errors.New("spf: the records end differently: merge them by hand")

// MergeAdvice is the advice for records Merge would not merge: err its
// ErrMergeByHand error, text the terms it returned.
func MergeAdvice(err error, text string) string {
	return fmt.Sprintf("%s, into one record ending with the strictest qualifier every sender passes (-all, then ~all; never +all); its terms: %q", strings.TrimPrefix(err.Error(), "spf: "), text)
}

// Merge merges SPF records (a name's several v=spf1 records, which
// receivers reject with permerror, RFC 7208 §4.5) into one, adding the
// includes in add unless present: every term of every record in the
// order published, duplicates dropped, one all last. A redirect beside an
// all is ignored by receivers (§6.1), so merged beside an all it becomes
// an include of the same domain; with no all, the first redirect stays
// last. Records that do not parse, or whose all qualifiers differ (or
// are +all), are not merged: the error says so (ErrMergeByHand) and the
// text returned is the terms as a person would merge them, for advice.
func Merge(records []string, add ...string) (string, error) {
	var terms, redirects, exps []Term
	seen := map[string]bool{}
	alls := map[byte]bool{}
	noAll := false
	for _, txt := range records {
		r, err := Parse(txt)
		if err != nil {
			return "", fmt.Errorf("spf: %q: %w", txt, err)
		}
		if r.All() == nil {
			noAll = true
		}
		for _, t := range r.Terms {
			if t.Kind == Mechanism && afterAll(r, t) {
				// Receivers never reach a mechanism after all: merged
				// before the one all, it would start to match.
				continue
			}
			switch {
			case t.Kind == Mechanism && t.Name == "all":
				alls[qualifierOf(t)] = true
			case t.Kind == Modifier && t.Name == "redirect":
				redirects = append(redirects, t)
			case t.Kind == Modifier && t.Name == "exp":
				if len(exps) == 0 {
					exps = append(exps, t)
				}
			default:
				if k := canonTerm(t); !seen[k] {
					seen[k] = true
					terms = append(terms, t)
				}
			}
		}
	}
	// The strictest all, for the text (an edit only when there is one).
	var all byte
	for _, q := range []byte{'+', '?', '~', '-'} {
		if alls[q] {
			all = q
		}
	}
	if len(alls) > 0 || len(redirects) > 1 {
		keep := 0
		if len(alls) == 0 {
			keep = 1 // the first redirect stays
		}
		for _, rd := range redirects[keep:] {
			inc := Term{Kind: Mechanism, Name: "include", Domain: rd.Domain, Bits4: -1, Bits6: -1}
			if k := canonTerm(inc); !seen[k] {
				seen[k] = true
				terms = append(terms, inc)
			}
		}
		redirects = redirects[:keep]
	}
	for _, d := range add {
		inc := Term{Kind: Mechanism, Name: "include", Domain: d, Bits4: -1, Bits6: -1}
		if k := canonTerm(inc); !seen[k] {
			seen[k] = true
			terms = append(terms, inc)
		}
	}
	out := []string{"v=spf1"}
	for _, t := range terms {
		out = append(out, t.String())
	}
	switch {
	case len(alls) > 0:
		out = append(out, string(all)+"all")
	case len(redirects) > 0:
		out = append(out, redirects[0].String())
	}
	for _, t := range exps {
		out = append(out, t.String())
	}
	text := strings.Join(out, " ")
	if len(alls) > 1 || len(alls) == 1 && noAll || alls['+'] {
		var qs []string
		for q := range alls {
			qs = append(qs, string(q)+"all")
		}
		if noAll {
			qs = append(qs, "no all")
		}
		slices.Sort(qs)
		return text, fmt.Errorf("%w (%s)", ErrMergeByHand, strings.Join(qs, ", "))
	}
	return text, nil
}

// afterAll reports whether mechanism t stands after r's all.
func afterAll(r *Record, t Term) bool {
	all := r.All()
	return all != nil && t.Span.Start > all.Span.Start
}

func qualifierOf(t Term) byte {
	if t.Qualifier == 0 {
		return '+'
	}
	return t.Qualifier
}

// canonTerm is a term's identity for merging: its canonical text with the
// default qualifier written, lowercase.
func canonTerm(t Term) string {
	s := strings.ToLower(t.String())
	if t.Kind == Mechanism && (t.Qualifier == 0 || t.Qualifier == '+') && !strings.HasPrefix(s, "+") {
		s = "+" + s
	}
	return s
}
