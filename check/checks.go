package check

import (
	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/bimi"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/m365"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/parked"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/spf"
	"github.com/domainlint/domainlint/tlsrpt"
	"github.com/domainlint/domainlint/zonecheck"
)

// Checks returns the checks Domain runs by default, new values each call,
// as the zero Options configure them: SPF, DMARC, DKIM, the Microsoft 365
// diff (which needs Options.Set or Expect), MX, parked domains, DNSSEC,
// DANE, MTA-STS, TLS-RPT and BIMI. Append a check of your own to run it
// too (Options.Checks); Options.DefaultChecks builds the slice for other
// options.
func Checks() []*analysis.Check { return Options{}.DefaultChecks() }

// DefaultChecks returns the checks Domain runs when Options.Checks is nil,
// configured by o, new values each call. Only DNS is asked unless o.Fetch
// allows the MTA-STS and BIMI fetches.
func (o Options) DefaultChecks() []*analysis.Check {
	f := o.HTTPS
	spfCheck := spf.NewCheck(o.SPF)
	dkimCheck := dkim.NewCheck(dkim.CheckOptions{Selectors: o.Selectors, Discover: o.Discover, Expected: m365.Selectors(o.Set)})
	dmarcCheck := dmarc.NewCheck()
	m365Check := m365.NewCheck(o.Set, spfCheck, dkimCheck)
	daneCheck := dane.NewCheck(dane.Options{RequireM365: o.DANE})
	mxCheck := mx.NewCheck()
	mtastsCheck := mtasts.NewCheck(mtasts.Options{Fetch: o.Fetch, Timeout: f.Timeout, Roots: f.Roots, Port: f.Port, AllowPrivate: f.AllowPrivate})
	return []*analysis.Check{zonecheck.NewCheck(), spfCheck, dmarcCheck, dkimCheck, m365Check, mxCheck,
		parked.NewCheck(o.Parked, spfCheck, dmarcCheck, dkimCheck, mxCheck),
		dnssec.NewCheck(), daneCheck, mtastsCheck,
		tlsrpt.NewCheck(mtastsCheck, daneCheck),
		bimi.NewCheck(bimi.Options{Fetch: o.Fetch, Timeout: f.Timeout, Roots: f.Roots, Port: f.Port, AllowPrivate: f.AllowPrivate}, dmarcCheck),
		enforce.NewCheck(enforce.CheckOptions{Reports: o.Reports, Policy: o.EnforcePolicy, PTR: o.Fetch}, dmarcCheck),
		smtpprobe.NewCheck(o.SMTP, o.Parked, mxCheck, daneCheck, mtastsCheck)}
}

// Rules returns the rule catalogue of the default checks: what Checks()
// declares, each rule once.
func Rules() []lint.Rule { return catalogue(Checks()) }

func catalogue(checks []*analysis.Check) []lint.Rule {
	var out []lint.Rule
	seen := map[string]bool{}
	for _, c := range checks {
		for _, r := range c.Rules {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	return out
}
