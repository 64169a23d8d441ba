// Package records holds the DNS record set Microsoft 365 expects for a
// custom domain, per cloud and workload.
//
// Several Microsoft 365 values cannot be derived from the domain name: MX
// tokens drop hyphens and gain suffixes, new domains get
// "<token>.<c>-v1.mx.microsoft" hosts, DKIM targets carry a per-domain
// partition letter. So an expectation is either exact (from Microsoft
// Graph's serviceConfigurationRecords, from Get-DkimSigningConfig, or
// derivable) or a pattern (from the templates in [M365]) that accepts every
// value Microsoft may have assigned and renders its best guess. Where
// Microsoft documents no value (DKIM outside the commercial cloud), a
// pattern suggests none and its note says where the value comes from.
//
// A tenant may be named by any cloud's initial domain ([ParseTenant]);
// [WithGraph] merges Graph's exact rows with the templates; a filtering
// gateway in front of Microsoft 365 is expected through Options.Gateways.
// Every expectation links its own cloud's Learn page ([DocTitle]).
package records

import (
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/miekg/dns"
)

// Purpose keys an expectation; the check package's diff is keyed by it.
type Purpose string

// The purposes. These strings never change.
const (
	Verify                 Purpose = "verify"
	MX                     Purpose = "mx"
	SPF                    Purpose = "spf"
	Autodiscover           Purpose = "autodiscover"
	SIPFederation          Purpose = "sip-federation"
	SIP                    Purpose = "sip"
	Lyncdiscover           Purpose = "lyncdiscover"
	SIPTLS                 Purpose = "sip-tls"
	EnterpriseRegistration Purpose = "enterpriseregistration"
	EnterpriseEnrollment   Purpose = "enterpriseenrollment"
	DKIM1                  Purpose = "dkim1"
	DKIM2                  Purpose = "dkim2"
	DMARC                  Purpose = "dmarc"
	MSOID                  Purpose = "msoid"
	// Other is a Graph record whose purpose this package does not know.
	Other Purpose = "other"
)

// Workload groups expectations the way the admin center does.
type Workload string

const (
	WorkloadVerify   Workload = "verify"
	WorkloadExchange Workload = "exchange"
	WorkloadTeams    Workload = "teams"
	WorkloadIntune   Workload = "intune"
	WorkloadDKIM     Workload = "dkim"
	WorkloadDMARC    Workload = "dmarc"
)

// AllWorkloads lists the workloads in the order sets are built.
func AllWorkloads() []Workload {
	return []Workload{WorkloadVerify, WorkloadExchange, WorkloadTeams, WorkloadIntune, WorkloadDKIM, WorkloadDMARC}
}

// ParseWorkloads parses a comma-separated list such as "exchange,dkim".
func ParseWorkloads(s string) ([]Workload, error) {
	var out []Workload
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		found := false
		for _, k := range AllWorkloads() {
			if string(k) == w {
				out, found = append(out, k), true
			}
		}
		if !found {
			return nil, fmt.Errorf("records: unknown workload %q (want verify, exchange, teams, intune, dkim or dmarc)", w)
		}
	}
	return out, nil
}

// Source says where an expectation came from.
type Source string

const (
	FromTemplate Source = "template"
	FromGraphAPI Source = "graph"
	// FromDKIMConfig is Get-DkimSigningConfig's Selector1CNAME and
	// Selector2CNAME.
	FromDKIMConfig Source = "dkim-signing-config"
)

// Want is what an expectation accepts: an exact record or a pattern.
type Want interface {
	// Match reports whether rr satisfies the expectation.
	Match(rr dns.RR) bool
	// String renders the expectation for a human.
	String() string
	// Guess is the record to publish: the exact record, or a pattern's
	// best guess.
	Guess() dns.RR
	// Exact reports whether Guess is the one right value.
	Exact() bool
}

// Expected is one record Microsoft 365 expects.
type Expected struct {
	Purpose  Purpose  `json:"purpose"`
	Workload Workload `json:"workload"`
	// Type is the record type, e.g. dns.TypeCNAME.
	Type uint16 `json:"-"`
	// Name is the owner name, a lowercase FQDN without the trailing dot.
	Name string `json:"name"`
	Want Want   `json:"-"`
	// Optional expectations (legacy Skype for Business records for
	// Teams-only tenants) are reported as info, not error.
	Optional bool   `json:"optional"`
	TTL      uint32 `json:"ttl"`
	Source   Source `json:"source"`
	// Doc is Microsoft's page about the record.
	Doc string `json:"doc"`
	// Note says what a reader should know: a preference, a hybrid
	// allowance, where an exact value comes from.
	Note string `json:"note,omitempty"`
	// Hybrid: the record may point on-premises during a staged migration;
	// other targets are info, not wrong.
	Hybrid bool `json:"hybrid,omitempty"`
	// Absent: the record must NOT exist (msoid outside 21Vianet).
	Absent bool `json:"absent,omitempty"`
	// Preferred, when set, is the value Microsoft prefers among those Want
	// accepts (enterpriseenrollment-s over enterpriseenrollment): a record
	// that matches Want but not Preferred is fine, with a note.
	Preferred Want `json:"-"`
	// Gateways are the filtering gateways (Options.Gateways) the MX may
	// point at instead of Microsoft 365.
	Gateways []string `json:"gateways,omitempty"`
	// Alternatives also satisfy the purpose (verification by MX or by the
	// legacy CNAME instead of TXT).
	Alternatives []Expected `json:"alternatives,omitempty"`
}

// TypeString returns the record type's mnemonic.
func (e Expected) TypeString() string { return dns.TypeToString[e.Type] }

// Set is an ordered list of expectations for one domain.
type Set struct {
	Domain string     `json:"domain"`
	Items  []Expected `json:"items"`
	// Findings are problems of the source itself, such as records Graph
	// could not generate (m365.unavailable).
	Findings []lint.Finding `json:"findings,omitempty"`
}

// ByPurpose returns the expectations with purpose p.
func (s Set) ByPurpose(p Purpose) []Expected {
	var out []Expected
	for _, e := range s.Items {
		if e.Purpose == p {
			out = append(out, e)
		}
	}
	return out
}

// Replace returns s with every purpose that other has replaced by other's
// expectations (e.g. exact DKIM targets from Get-DkimSigningConfig over the
// template's patterns); other's purposes that s lacks are appended.
func (s Set) Replace(other Set) Set {
	has := map[Purpose]bool{}
	for _, e := range other.Items {
		has[e.Purpose] = true
	}
	out := Set{Domain: s.Domain, Findings: append(append([]lint.Finding(nil), s.Findings...), other.Findings...)}
	done := map[Purpose]bool{}
	for _, e := range s.Items {
		if !has[e.Purpose] {
			out.Items = append(out.Items, e)
			continue
		}
		if !done[e.Purpose] {
			out.Items = append(out.Items, other.ByPurpose(e.Purpose)...)
			done[e.Purpose] = true
		}
	}
	for _, e := range other.Items {
		if !done[e.Purpose] {
			out.Items = append(out.Items, e)
		}
	}
	return out
}

// Zone renders the set as RFC 1035 master-file lines, ready to paste into
// a zone: exact records as they are; patterns as a comment saying what is
// accepted and the template's best guess; optional records and records
// that must not exist with a comment.
func (s Set) Zone() string {
	var b strings.Builder
	fmt.Fprintf(&b, "; Microsoft 365 records for %s\n", s.Domain)
	for _, e := range s.Items {
		writeExpected(&b, e, "")
	}
	return b.String()
}

func writeExpected(b *strings.Builder, e Expected, prefix string) {
	fmt.Fprintf(b, "\n; %s%s (%s, %s)", prefix, e.Purpose, e.Workload, e.Source)
	if e.Optional {
		b.WriteString(", optional")
	}
	b.WriteString("\n")
	if e.Note != "" {
		fmt.Fprintf(b, "; %s\n", e.Note)
	}
	if e.Absent {
		fmt.Fprintf(b, "; %s %s must not exist: delete it\n", e.Name, e.TypeString())
		return
	}
	switch {
	case e.Want.Guess() == nil:
		fmt.Fprintf(b, "; accepted: %s\n; no value to suggest: Microsoft documents none\n", e.Want)
	case !e.Want.Exact():
		fmt.Fprintf(b, "; accepted: %s\n; best guess, check the exact value in the admin center:\n", e.Want)
	}
	if g := e.Want.Guess(); g != nil {
		rr := dns.Copy(g)
		rr.Header().Ttl = e.TTL
		b.WriteString(rr.String() + "\n")
	}
	for _, alt := range e.Alternatives {
		writeExpected(b, alt, "or, instead: ")
	}
}

// The one rule of this package, about the sources of expectations.
var ruleUnavailable = lint.Rule{ID: "m365.unavailable", Severity: lint.Warning,
	Summary:  "Microsoft Graph could not generate a record (domainDnsUnavailableRecord): the expected set is incomplete.",
	Citation: "Microsoft Graph domainDnsUnavailableRecord", URL: "https://learn.microsoft.com/graph/api/resources/domaindnsunavailablerecord"}

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule { return []lint.Rule{ruleUnavailable} }
