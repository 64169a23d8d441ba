package m365

import (
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
