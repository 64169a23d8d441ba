// Package parked grades a domain that sends and receives no mail — one
// with a null MX (RFC 7505), or declared parked — from the other checks'
// reports ([Input]): it must publish a null MX, SPF "v=spf1 -all"
// (RFC 7208 §4.6.2 leaves nothing to pass), DMARC p=reject, and no DKIM
// keys. What is missing is one parked.incomplete finding with the records
// the owner has. A parked domain is not graded for lacking rua or DKIM:
// [Waives] names the findings of other packages to drop for it.
package parked

import (
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// Input is what Grade grades: the reports the other checks made
// of one domain. A nil report is a part not checked, and not graded.
type Input struct {
	// Domain is the domain graded.
	Domain string
	// MX is Lookup's report. A null MX alone makes the domain parked.
	MX *mx.Report
	// Declared grades the domain as parked without a null MX (the CLI's
	// -parked): a null MX is then expected too.
	Declared bool
	// SPF is spf.Lint's report of the domain.
	SPF *spf.Report
	// DMARC is dmarc.Lookup's discovery for the domain.
	DMARC *dmarc.Discovery
	// DKIM are the selectors found (dkim.Discover, or dkim.Lookup of the
	// selectors known); those that exist are graded.
	DKIM []*dkim.Selector
}

// IsParked reports whether in describes a parked domain: a null MX alone,
// or Declared.
func (in Input) IsParked() bool { return in.Declared || in.MX.Null() }

// Grade grades a domain that sends and receives no mail (RFC 7505 §4
// names the set; M3AAWG and the UK NCSC publish the same advice). Such a
// domain must publish a null MX, the SPF record "v=spf1 -all" (only
// mechanism -all, no redirect), a DMARC policy of p=reject without t=y
// (its own, or inherited through sp=), and no DKIM key (none at all, or
// an empty p=, revoked). It returns nil when the domain is not parked
// (IsParked), and otherwise at most one parked.incomplete finding naming
// everything missing, with one fix that makes all of it: the records to
// delete and to add, exact, keeping any rua= the DMARC record has. When
// DKIM keys are published, a second fix revokes them (p= empty) instead
// of deleting them.
//
// A parked domain is never graded for lacking rua or DKIM: see
// Waives. Parts whose lookup failed or was not verified offline are
// not graded.
func Grade(in Input) []lint.Finding {
	if !in.IsParked() {
		return nil
	}
	d := strings.TrimSuffix(strings.ToLower(in.Domain), ".")
	var missing []string
	var edits, revokes []lint.Edit
	why := "it publishes a null MX"
	if !in.MX.Null() {
		why = "it is declared parked"
	}

	// Null MX, when declared parked.
	if m := in.MX; m != nil && !m.Null() && m.Status != mx.DomainUnverified && m.Status != mx.DomainNXDomain && len(m.Errors) == 0 {
		missing = append(missing, "a null MX (\"MX 0 .\")")
		for _, h := range m.Hosts {
			edits = append(edits, lint.Edit{Op: lint.Delete, RR: h.RR})
		}
		edits = append(edits, lint.Edit{Op: lint.Add, RR: nullMX(d)})
	}

	// SPF: exactly one record, whose one mechanism is -all.
	if s := in.SPF; s != nil && s.Root != nil {
		n := s.Root
		switch n.Status {
		case spf.StatusOK, spf.StatusNone, spf.StatusMultiple:
			if n.Status == spf.StatusOK && spfNoMail(n.Record) {
				break
			}
			switch n.Status {
			case spf.StatusNone:
				missing = append(missing, "SPF \"v=spf1 -all\" (none is published)")
			case spf.StatusMultiple:
				missing = append(missing, fmt.Sprintf("one SPF record \"v=spf1 -all\" (%d are published)", len(n.Strings)))
			default:
				missing = append(missing, fmt.Sprintf("SPF \"v=spf1 -all\" (it is %q)", n.Record))
			}
			for _, ss := range n.Strings {
				edits = append(edits, lint.Edit{Op: lint.Delete, RR: txtRR(d, ss)})
			}
			edits = append(edits, lint.Edit{Op: lint.Add, RR: txtRR(d, []string{"v=spf1 -all"})})
		}
	}

	// DMARC: p=reject applies to the domain.
	if disc := in.DMARC; disc != nil {
		eff := disc.Effective()
		switch {
		case eff == nil || eff.Record == nil && (eff.Incomplete != "" || disc.RFC7489 != nil && disc.RFC7489.Incomplete != ""):
			// Not known.
		case eff.Record == nil:
			missing = append(missing, "DMARC p=reject (no DMARC record applies)")
			edits = append(edits, lint.Edit{Op: lint.Add, RR: dmarcRR(d, "v=DMARC1; p=reject")})
		default:
			rec := eff.Record
			own := eff.PolicyDomain == d
			applied, tag := rec.P, "p"
			if !own && rec.SP != "" {
				applied, tag = rec.SP, "sp"
			}
			if applied == dmarc.Reject && rec.T != "y" {
				break
			}
			what := fmt.Sprintf("%s=%s", tag, applied)
			if applied == dmarc.Reject {
				what = "t=y, which softens reject to quarantine"
			}
			if own {
				missing = append(missing, fmt.Sprintf("DMARC p=reject (_dmarc.%s has %s)", d, what))
				edits = append(edits, lint.Edit{Op: lint.Delete, RR: dmarcRR(d, rec.Raw)})
			} else {
				missing = append(missing, fmt.Sprintf("DMARC p=reject (the policy inherited from _dmarc.%s has %s)", eff.PolicyDomain, what))
			}
			txt := "v=DMARC1; p=reject"
			if rua := keptRUA(rec); rua != "" {
				txt += "; rua=" + rua
			}
			edits = append(edits, lint.Edit{Op: lint.Add, RR: dmarcRR(d, txt)})
		}
	}

	// DKIM: no key, or only revoked ones.
	var keys []string
	for _, s := range in.DKIM {
		if s == nil || !s.Exists() || s.Status == dkim.StatusRevoked || s.Status == dkim.StatusUnverified {
			continue
		}
		keys = append(keys, s.Selector)
		owner := fqdn(strings.ToLower(s.Name))
		if len(s.Chain) > 0 {
			del := lint.Edit{Op: lint.Delete, RR: fmt.Sprintf("%s\t3600\tIN\tCNAME\t%s", owner, fqdn(s.Chain[0].Target))}
			edits = append(edits, del)
			revokes = append(revokes, del)
		} else {
			for _, ss := range s.Strings {
				del := lint.Edit{Op: lint.Delete, RR: txtRR(strings.TrimSuffix(owner, "."), ss)}
				edits = append(edits, del)
				revokes = append(revokes, del)
			}
		}
		revokes = append(revokes, lint.Edit{Op: lint.Add, RR: txtRR(strings.TrimSuffix(owner, "."), []string{"v=DKIM1; p="})})
	}
	if len(keys) > 0 {
		missing = append(missing, fmt.Sprintf("no DKIM keys (selector %s publishes one)", strings.Join(keys, ", ")))
	}

	if len(missing) == 0 {
		return nil
	}
	f := ruleParkedIncomplete.New(d, fmt.Sprintf("%s sends and receives no mail (%s), so it must also publish: %s", d, why, strings.Join(missing, "; ")))
	f.Fixes = []lint.Fix{lint.EditFix("publish the no-mail set", edits...)}
	if len(revokes) > 0 {
		// The same, with the keys revoked instead of deleted.
		alt := slices.DeleteFunc(slices.Clone(edits), func(e lint.Edit) bool { return slices.Contains(revokes, e) })
		f.Fixes = append(f.Fixes, lint.EditFix("publish the no-mail set, revoking the DKIM keys (empty p=) instead of deleting them", append(alt, revokes...)...))
	}
	return lint.Bound([]lint.Finding{f})
}

// Waives reports whether a finding of rule id should be dropped for
// a parked domain: advice for domains that send or receive mail (a
// report address, DKIM keys, moving DMARC or SPF to enforcement once
// every sender passes, publishing MX), or a no-mail record that is just
// what a parked domain publishes (a revoked key, a revoked wildcard key).
// What a parked domain lacks, parked.incomplete says, with the fix.
func Waives(id string) bool { return slices.Contains(waived, id) }

// waived are the rules Waives drops.
var waived = []string{"dmarc.no-rua", "dmarc.policy-none",
	"dkim.missing", "dkim.dangling-cname", "dkim.revoked", "dkim.wildcard",
	"spf.softfail-all", "spf.neutral-all", "spf.no-all",
	"mx.none"}

// spfNoMail reports whether an SPF record authorizes no one: its only
// mechanism is -all, and it has no redirect.
func spfNoMail(txt string) bool {
	rec, err := spf.Parse(txt)
	if err != nil || rec.Redirect() != nil {
		return false
	}
	mechs := 0
	for _, t := range rec.Terms {
		if t.Kind == spf.Mechanism {
			mechs++
		}
	}
	all := rec.All()
	return mechs == 1 && all != nil && all.Qualifier == '-'
}

// keptRUA is the record's rua= value, its usable URIs as published.
func keptRUA(rec *dmarc.Record) string {
	var uris []string
	for _, u := range rec.RUA {
		if u.Err == "" {
			uris = append(uris, u.Raw)
		}
	}
	return strings.Join(uris, ",")
}

// txtRR is a TXT record in master-file form with the character-strings
// given (raw octets, escaped here).
func txtRR(owner string, ss []string) string {
	var txt []string
	for _, s := range ss {
		txt = append(txt, resolver.EncodeTXT(s)...)
	}
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: fqdn(owner), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 3600}, Txt: txt}
	return rr.String()
}

func dmarcRR(domain, txt string) string {
	return txtRR("_dmarc."+domain, split255(txt))
}

// split255 cuts text into character-strings of at most 255 octets.
func split255(s string) []string {
	var out []string
	for len(s) > 255 {
		out = append(out, s[:255])
		s = s[255:]
	}
	return append(out, s)
}

// nullMX is the null MX record of domain (RFC 7505 §3).
func nullMX(domain string) string { return fmt.Sprintf("%s\t3600\tIN\tMX\t0 .", fqdn(domain)) }

// fqdn is name with its trailing dot.
func fqdn(name string) string { return strings.TrimSuffix(name, ".") + "." }
