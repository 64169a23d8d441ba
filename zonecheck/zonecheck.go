// Package zonecheck is the check of what only a zone file can get wrong:
// what the server of the zone that holds the domain refuses or ignores in
// its file (a CNAME beside other data, no SOA or NS at the apex, records
// outside the zone, a TXT string over 255 octets and an apex NS record
// whose in-zone server has no address, which BIND refuses; a byte order
// mark, which BIND and Knot refuse). It
// reads Pass.Zone, and does nothing over live DNS.
package zonecheck

import (
	"context"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/lint"
)

const rfc1035 = "https://www.rfc-editor.org/rfc/rfc1035"

// The rules of the zone check: what a zone file's server refuses or
// ignores. Their IDs never change.
var (
	ruleZoneCNAME = lint.Rule{ID: "zone.cname-and-other-data", Severity: lint.Error,
		Summary:  "A name holds a CNAME and other data (or two CNAMEs): servers refuse to load the zone, so none of its records is served.",
		Citation: "RFC 1034 §3.6.2, RFC 2181 §10.1", URL: "https://www.rfc-editor.org/rfc/rfc2181#section-10.1"}
	ruleZoneMissingSOA = lint.Rule{ID: "zone.missing-soa", Severity: lint.Error,
		Summary:  "No SOA record at the zone apex (often an SOA written as @ under `$ORIGIN .`): servers refuse to load the zone.",
		Citation: "RFC 1035 §5.2", URL: rfc1035 + "#section-5.2"}
	ruleZoneMissingNS = lint.Rule{ID: "zone.missing-ns", Severity: lint.Warning,
		Summary:  "No NS records at the zone apex: the zone names no nameservers.",
		Citation: "RFC 1034 §4.2.1, RFC 1035 §5.2", URL: rfc1035 + "#section-5.2"}
	ruleZoneOutOfZone = lint.Rule{ID: "zone.out-of-zone", Severity: lint.Warning,
		Summary:  "A record outside the zone's apex: servers ignore it, so it is not published (an origin mistake, or a record meant for another zone file).",
		Citation: "RFC 1035 §5.2", URL: rfc1035 + "#section-5.2"}
	ruleZoneTXTTooLong = lint.Rule{ID: "zone.txt-string-too-long", Severity: lint.Warning,
		Summary:  "A TXT string written longer than 255 octets (often a 2048-bit DKIM key pasted as one string): BIND refuses the whole zone; Knot splits the string.",
		Citation: "RFC 1035 §3.3", URL: rfc1035 + "#section-3.3"}
	ruleZoneNSNoAddress = lint.Rule{ID: "zone.ns-no-address", Severity: lint.Error,
		Summary:  "An NS record at the apex names a server inside the zone that the zone gives no address (A or AAAA), often a name written without its trailing dot, or names a CNAME: BIND refuses the zone, and resolvers cannot reach that server.",
		Citation: "RFC 1034 §4.2.1, RFC 2181 §10.3", URL: "https://www.rfc-editor.org/rfc/rfc1034#section-4.2.1"}
	ruleZoneBOM = lint.Rule{ID: "zone.byte-order-mark", Severity: lint.Error,
		Summary:  "The zone file starts with a UTF-8 byte order mark (as editors on Windows save it): BIND and Knot read it as part of the first word and refuse the zone.",
		Citation: "RFC 1035 §5.1", URL: rfc1035 + "#section-5.1"}
)

// BOMFix is the fix of zone.byte-order-mark, which edits the file, not a
// record: zonefix.Fix applies it when it finds it.
const BOMFix = "remove the byte order mark: the file's first three bytes, EF BB BF (save it as UTF-8 without a BOM)"

// Rules returns the rules of the zone check.
func Rules() []lint.Rule {
	return []lint.Rule{ruleZoneCNAME, ruleZoneMissingSOA, ruleZoneMissingNS, ruleZoneOutOfZone, ruleZoneTXTTooLong, ruleZoneNSNoAddress, ruleZoneBOM}
}

// NewCheck returns the zone check ("zone"). It has no result.
func NewCheck() *analysis.Check {
	return &analysis.Check{Name: "zone", Doc: "with zone files: what the zone's server refuses or ignores (a CNAME beside other data, no SOA or NS at the apex, records outside the zone, TXT strings over 255 octets, an apex NS without an address, a byte order mark)",
		Rules: Rules(), Run: func(_ context.Context, p *analysis.Pass) (any, error) { run(p); return nil, nil }}
}

// run reports what the server of the zone that holds the domain would
// refuse or ignore in its file.
func run(p *analysis.Pass) {
	if p.Zone == nil {
		return
	}
	apex := p.Zone.Zone(p.Domain)
	if apex == "" {
		return
	}
	for _, pr := range p.Zone.Problems() {
		if pr.Zone != apex {
			continue
		}
		var rule lint.Rule
		var typ string // the record type the problem is about, if one
		switch pr.Kind {
		case "cname-and-other-data":
			rule, typ = ruleZoneCNAME, "CNAME"
		case "missing-soa":
			rule, typ = ruleZoneMissingSOA, "SOA"
		case "missing-ns":
			rule, typ = ruleZoneMissingNS, "NS"
		case "out-of-zone":
			rule = ruleZoneOutOfZone
		case "txt-string-too-long":
			rule, typ = ruleZoneTXTTooLong, "TXT"
		case "ns-no-address":
			rule, typ = ruleZoneNSNoAddress, "NS"
		case "byte-order-mark":
			rule = ruleZoneBOM
		default:
			continue
		}
		f := rule.New(strings.TrimSuffix(pr.Name, "."), pr.Message)
		f.Type = typ
		if rule.ID == ruleZoneBOM.ID {
			// No record to edit: zonefix.Fix removes the mark itself.
			f.Fixes = []lint.Fix{{Message: BOMFix}}
		}
		p.Report(f)
	}
}
