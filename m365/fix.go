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
// A fix is built as edits from the records themselves, never written as
// text to be read again: the records to delete and to add, in order (a
// replacement is a delete followed by an add), and advice, what to do by
// hand. fixes turns it into the finding's lint.Fix, edits for machines and
// a message for people.
type fix struct {
	edits  []lint.Edit
	advice []string
}

// deletes is the fix that deletes rrs.
func deletes(rrs []dns.RR) fix {
	var f fix
	for _, rr := range rrs {
		f.edits = append(f.edits, lint.Edit{Op: lint.Delete, RR: rr.String()})
	}
	return f
}

// add is the fix that publishes rr.
func add(rr dns.RR) fix { return fix{edits: []lint.Edit{{Op: lint.Add, RR: rr.String()}}} }

// advise is the fix that says what to do by hand.
func advise(s string) fix { return fix{advice: []string{strings.TrimSpace(s)}} }

// then returns f followed by more.
func (f fix) then(more ...fix) fix {
	out := fix{edits: append([]lint.Edit(nil), f.edits...), advice: append([]string(nil), f.advice...)}
	for _, m := range more {
		out.edits = append(out.edits, m.edits...)
		out.advice = append(out.advice, m.advice...)
	}
	return out
}

// empty reports whether f neither edits nor advises.
func (f fix) empty() bool { return len(f.edits) == 0 && len(f.advice) == 0 }

// fixes is f as a finding's fixes: one fix whose edits are f's and whose
// message is its advice (or a summary of the edits); nil for an empty f.
func (f fix) fixes() []lint.Fix {
	if f.empty() {
		return nil
	}
	msg := strings.Join(f.advice, "; ")
	if len(f.edits) == 0 {
		return []lint.Fix{{Message: msg}}
	}
	return []lint.Fix{lint.EditFix(msg, f.edits...)}
}

// txtRR builds a TXT record holding text (split into 255-octet strings).
func txtRR(name string, ttl uint32, text string) dns.RR {
	return &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: ttl}, Txt: resolver.EncodeTXT(text)}
}

// replace is the fix that replaces others with the expected record want:
// the deletes and the add when the record is known exactly, and advice
// otherwise — a record is never deleted before its replacement is known.
func replace(others []dns.RR, want fix) fix {
	if len(want.edits) > 0 {
		return deletes(others).then(want)
	}
	if len(others) == 0 {
		return want
	}
	var dels []string
	for _, rr := range others {
		dels = append(dels, rr.String())
	}
	return want.then(advise("then delete " + strings.Join(dels, ", ")))
}
