package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// The fixes of the Microsoft 365 diff are computed from what is published,
// so that pasting one never loses a sender, a report address or a tag.
//
// A Fix is one or more lines, applied in order:
//
//	; delete: <zone line>    delete that record
//	<zone line>              add that record
//	; <advice>               nothing to apply: what to do by hand
//
// A replacement is a delete followed by an add. fixesOf turns the lines
// into the finding's lint.Fix, edits for machines and a message for people.

// deleteLine renders a record as a "; delete:" fix line.
func deleteLine(rr dns.RR) string { return "; delete: " + rr.String() }

// fixLines joins fix lines.
func fixLines(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// txtRR builds a TXT record holding text (split into 255-octet strings).
func txtRR(name string, ttl uint32, text string) dns.RR {
	return &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: ttl}, Txt: resolver.EncodeTXT(text)}
}

// dmarcTag is one tag of a DMARC record, as published.
type dmarcTag struct{ name, value string }

// parseDMARC splits a record into its tags in order; names lowercased.
func parseDMARC(txt string) []dmarcTag {
	var out []dmarcTag
	for _, part := range strings.Split(txt, ";") {
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			continue
		}
		out = append(out, dmarcTag{k, strings.TrimSpace(v)})
	}
	return out
}

func renderDMARC(tags []dmarcTag) string {
	var parts []string
	for _, t := range tags {
		parts = append(parts, t.name+"="+t.value)
	}
	return strings.Join(parts, "; ")
}

func tagIndex(tags []dmarcTag, name string) int {
	return slices.IndexFunc(tags, func(t dmarcTag) bool { return t.name == name })
}

// setTag sets a tag's value in place, or adds it after v and p.
func setTag(tags []dmarcTag, name, value string) []dmarcTag {
	if i := tagIndex(tags, name); i >= 0 {
		tags[i].value = value
		return tags
	}
	at := len(tags)
	if name == "p" {
		at = min(1, len(tags))
	}
	return slices.Insert(tags, at, dmarcTag{name, value})
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

// mergeDMARC merges several DMARC records into one: the first record's
// tags in order, the tags only the others have after them, and every
// report URI of every record.
func mergeDMARC(records []string) string {
	var tags []dmarcTag
	for _, rec := range records {
		for _, t := range parseDMARC(rec) {
			j := tagIndex(tags, t.name)
			switch {
			case j < 0:
				tags = append(tags, t)
			case t.name == "rua" || t.name == "ruf":
				tags[j].value = unionURIs(tags[j].value, t.value)
			}
		}
	}
	return renderDMARC(tags)
}

// fixDMARC changes only what is at fault in one DMARC record, and only
// where the change is certain: a missing p becomes p=none (Microsoft's
// first step, and what receivers apply to such a record with a valid rua,
// RFC 7489 §6.6.3). An invalid p (which policy was meant?) and p=none
// without rua (which mailbox reads the reports?) are advice: nothing is
// guessed. Every other tag and URI stays.
func fixDMARC(rec, domain string) (fixed, what, advice string) {
	tags := parseDMARC(rec)
	var whats, advices []string
	switch p := strings.ToLower(tagValue(tags, "p")); {
	case p == "none" || p == "quarantine" || p == "reject":
	case tagIndex(tags, "p") < 0:
		tags = setTag(tags, "p", "none")
		whats = append(whats, "p=none")
	default:
		advices = append(advices, fmt.Sprintf("p=%s is not a policy: write the one meant, p=none, p=quarantine or p=reject", tagValue(tags, "p")))
	}
	if strings.EqualFold(tagValue(tags, "p"), "none") && tagValue(tags, "rua") == "" {
		advices = append(advices, fmt.Sprintf("add rua=mailto: with a mailbox of yours that reads the aggregate reports (at %s, or one that authorizes them)", domain))
	}
	return renderDMARC(tags), strings.Join(whats, " and "), strings.Join(advices, "; ")
}

// dmarcPolicies returns the distinct values of tag name across records
// ("" for a record without it).
func dmarcPolicies(records []string, name string) []string {
	var out []string
	for _, rec := range records {
		v := strings.ToLower(tagValue(parseDMARC(rec), name))
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func tagValue(tags []dmarcTag, name string) string {
	if i := tagIndex(tags, name); i >= 0 {
		return tags[i].value
	}
	return ""
}

// replaceLines is the fix that replaces others with the expected record:
// an edit when the record is known exactly, and advice otherwise — a
// record is never deleted before its replacement is known.
func replaceLines(others []dns.RR, line string) string {
	if strings.HasPrefix(line, ";") || line == "" {
		var dels []string
		for _, rr := range others {
			dels = append(dels, rr.String())
		}
		if len(dels) == 0 {
			return line
		}
		return fixLines(line, "; then delete "+strings.Join(dels, ", "))
	}
	return fixLines(deletes(others), line)
}

// fixesOf turns fix lines into a finding's fixes: one fix whose edits are
// the delete and add lines and whose message is the advice lines (or a
// summary of the edits); nil for no lines.
func fixesOf(lines string) []lint.Fix {
	if strings.TrimSpace(lines) == "" {
		return nil
	}
	var edits []lint.Edit
	var advice []string
	for _, l := range strings.Split(lines, "\n") {
		switch {
		case strings.HasPrefix(l, "; delete: "):
			edits = append(edits, lint.Edit{Op: lint.Delete, RR: strings.TrimPrefix(l, "; delete: ")})
		case strings.HasPrefix(l, ";"):
			advice = append(advice, strings.TrimSpace(strings.TrimPrefix(l, ";")))
		case strings.TrimSpace(l) != "":
			edits = append(edits, lint.Edit{Op: lint.Add, RR: l})
		}
	}
	if len(edits) == 0 {
		return []lint.Fix{{Message: strings.Join(advice, "; ")}}
	}
	return []lint.Fix{lint.EditFix(strings.Join(advice, "; "), edits...)}
}
