package dmarc

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
)

// The edits a fix makes to DMARC records, on this package's own reading
// of the tag list: callers (the Microsoft 365 diff, zone fixers) parse
// nothing themselves.

// ErrMergeByHand is the cause of a merge only the owner can make: the
// records set different policies (p, sp or np). Which was meant is the
// owner's choice; a merge never picks the weaker for them.
var ErrMergeByHand = errors.New("dmarc: the records set different policies: merge them by hand")

// MergeAdvice is the advice for records Merge would not merge: err its
// ErrMergeByHand error, text the merged record it returned.
func MergeAdvice(err error, text string) string {
	return fmt.Sprintf("%s: merge them into one record with the policy you mean; its other tags and report addresses: %q", strings.TrimPrefix(err.Error(), "dmarc: "), text)
}

type tag struct{ name, value string }

func tagsOf(txt string) []tag {
	tvs, _ := tagvalue.Parse(txt)
	out := make([]tag, 0, len(tvs))
	for _, t := range tvs {
		out = append(out, tag{strings.ToLower(t.Name), t.Value})
	}
	return out
}

func render(tags []tag) string {
	parts := make([]string, len(tags))
	for i, t := range tags {
		parts[i] = t.name + "=" + t.value
	}
	return strings.Join(parts, "; ")
}

func index(tags []tag, name string) int {
	return slices.IndexFunc(tags, func(t tag) bool { return t.name == name })
}

func value(tags []tag, name string) string {
	if i := index(tags, name); i >= 0 {
		return tags[i].value
	}
	return ""
}

// set sets a tag's value in place, or adds it (p right after v).
func set(tags []tag, name, v string) []tag {
	if i := index(tags, name); i >= 0 {
		tags[i].value = v
		return tags
	}
	at := len(tags)
	if name == "p" {
		at = min(1, len(tags))
	}
	return slices.Insert(tags, at, tag{name, v})
}

// unionURIs joins comma-separated URI lists, dropping repeats.
func unionURIs(lists ...string) string {
	var out []string
	for _, l := range lists {
		for _, u := range strings.Split(l, ",") {
			if u = strings.TrimSpace(u); u != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, u) }) {
				out = append(out, u)
			}
		}
	}
	return strings.Join(out, ",")
}

// Merge merges several DMARC records at one name (which receivers discard
// all of, RFC 7489 §6.6.3) into one: the first record's tags in order, the
// tags only the others have after them, and every report URI of every
// record. Records that set different p, sp or np give ErrMergeByHand, with
// the merged text (the first record's policy) for advice.
func Merge(records []string) (string, error) {
	var tags []tag
	for _, rec := range records {
		for _, t := range tagsOf(rec) {
			j := index(tags, t.name)
			switch {
			case j < 0:
				tags = append(tags, t)
			case t.name == "rua" || t.name == "ruf":
				tags[j].value = unionURIs(tags[j].value, t.value)
			}
		}
	}
	text := render(tags)
	for _, name := range []string{"p", "sp", "np"} {
		var vs []string
		for _, rec := range records {
			if v := strings.ToLower(value(tagsOf(rec), name)); !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		if len(vs) > 1 {
			return text, fmt.Errorf("%w (%s=%s)", ErrMergeByHand, name, strings.Join(vs, ", "))
		}
	}
	return text, nil
}

// Repair changes what is at fault in one record only where the change is
// certain: a missing p becomes p=none (what receivers apply to such a
// record with a valid rua, RFC 7489 §6.6.3 step 6). An invalid p (which
// policy was meant?) and p=none without rua (which mailbox reads the
// reports?) are advice: nothing is guessed. Every other tag and URI stays.
// It returns the record (changed or not), what was set, and the advice.
func Repair(rec, domain string) (fixed, set_, advice string) {
	tags := tagsOf(rec)
	var whats, advices []string
	switch p := strings.ToLower(value(tags, "p")); {
	case p == None || p == Quarantine || p == Reject:
	case index(tags, "p") < 0:
		tags = set(tags, "p", None)
		whats = append(whats, "p=none")
	default:
		advices = append(advices, fmt.Sprintf("p=%s is not a policy: write the one meant, p=none, p=quarantine or p=reject", value(tags, "p")))
	}
	if strings.EqualFold(value(tags, "p"), None) && value(tags, "rua") == "" {
		advices = append(advices, fmt.Sprintf("add rua=mailto: with a mailbox of yours that reads the aggregate reports (at %s, or one that authorizes them)", domain))
	}
	return render(tags), strings.Join(whats, " and "), strings.Join(advices, "; ")
}
