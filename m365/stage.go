package m365

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/miekg/dns"
)

// Stage is where a domain stands in Microsoft 365's onboarding order, as
// its DNS shows it. Microsoft's order is: verify the domain, create the
// mailboxes, move MX and autodiscover, then SPF, DKIM, DMARC at p=none,
// and enforce. The strings never change.
type Stage string

const (
	// StageUnknown: the report has no Microsoft 365 diff.
	StageUnknown Stage = ""
	// StageUnverified: no verification record, and mail does not reach
	// Microsoft 365.
	StageUnverified Stage = "unverified"
	// StageVerified: the verification record only; no MX yet.
	StageVerified Stage = "verified"
	// StageOldProvider: mail (MX) still goes to the previous provider.
	// Verification does not route mail.
	StageOldProvider Stage = "old-provider"
	// StageCutOver: MX points at Microsoft 365 (or at a filtering gateway
	// in front of it); autodiscover, SPF or the DKIM CNAMEs are not done.
	StageCutOver Stage = "cut-over"
	// StageDKIMPending: the DKIM CNAMEs are published but their targets
	// are not live: signing is not enabled yet.
	StageDKIMPending Stage = "dkim-pending"
	// StageSigning: SPF and DKIM in place, no DMARC record yet.
	StageSigning Stage = "signing"
	// StageMonitoring: DMARC at p=none — monitoring, Microsoft's first
	// DMARC step.
	StageMonitoring Stage = "dmarc-monitoring"
	// StageEnforcing: DMARC at p=quarantine or p=reject.
	StageEnforcing Stage = "enforcing"
)

// String returns the stage's name ("unknown" for StageUnknown).
func (s Stage) String() string {
	if s == StageUnknown {
		return "unknown"
	}
	return string(s)
}

// Onboarding is the stage and the one next step, for JSON output.
type Onboarding struct {
	Stage    Stage  `json:"stage"`
	NextStep string `json:"next_step,omitempty"`
}

// StageInput is what the stage is read from: the diff (the m365 check's
// Result), the DKIM, DMARC and enforce checks' results, and every
// finding of the domain's report.
type StageInput struct {
	Domain       string
	Diff         []Entry
	VerifyRecord bool // Result.VerifyRecord
	// ParentVerified is Result.ParentVerified: the parent domain whose
	// MS= record shows it verified.
	ParentVerified string
	DKIM           []*dkim.Selector
	DMARC          *dmarc.Discovery
	Enforcement    *enforce.Result
	Findings       []lint.Finding
}

// Onboard recognises the onboarding stage from the Microsoft 365 diff
// (and the DKIM lookups), and the one thing to do next, in Microsoft's
// order. It is the zero Onboarding (StageUnknown) without a diff.
func Onboard(in StageInput) Onboarding {
	if len(in.Diff) == 0 {
		return Onboarding{}
	}
	s := stageOf(&in)
	return Onboarding{Stage: s.stage, NextStep: s.next}
}

type stageState struct {
	stage Stage
	next  string
}

// entryOf returns the diff entry of purpose p, or nil when the set has none.
func (r *StageInput) entryOf(p records.Purpose) *Entry {
	for i := range r.Diff {
		if r.Diff[i].Purpose == p {
			return &r.Diff[i]
		}
	}
	return nil
}

func (r *StageInput) hasFinding(rule string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// dmarcPolicy returns the p of the domain's own DMARC record ("" when
// there is none, "invalid" when it has no valid p).
func (r *StageInput) dmarcPolicy() (p string, rua bool) {
	e := r.entryOf(records.DMARC)
	if e == nil {
		if r.DMARC != nil && r.DMARC.RFC7489 != nil && r.DMARC.RFC7489.Record != nil {
			rec := r.DMARC.RFC7489.Record
			return strings.ToLower(rec.P), rec.Reports()
		}
		return "", false
	}
	if len(e.Found) == 0 {
		if e.Status == OK {
			// A subdomain inheriting its parent's record: the
			// subdomain policy (sp) applies, else p.
			if pol := r.inherited(); pol != nil {
				p := pol.P
				if pol.SP != "" {
					p = pol.SP
				}
				return strings.ToLower(p), pol.Reports()
			}
		}
		return "", false
	}
	rr, err := dns.NewRR("_dmarc. IN TXT " + e.Found[0])
	if err != nil || rr == nil {
		return "invalid", false
	}
	rec, err := dmarc.Parse(rrtext.TXT(rr), dmarc.RFC9989)
	if rec == nil || err != nil && rec.P == "" {
		return "invalid", rec != nil && rec.Reports()
	}
	switch rec.P {
	case dmarc.None, dmarc.Quarantine, dmarc.Reject:
		return rec.P, rec.Reports()
	}
	return "invalid", rec.Reports()
}

// inherited returns the DMARC record found above the domain (the one a
// subdomain without its own inherits), or nil.
func (r *StageInput) inherited() *dmarc.Record {
	if pol := inheritedPolicy(r.DMARC, r.Domain); pol != nil {
		return pol.Record
	}
	return nil
}

// stageOf places the domain on the onboarding path: the first stage whose
// work is not done, and the one step that finishes it. The stages are
// asked in the order an administrator moves through them.
func stageOf(r *StageInput) stageState {
	for _, stage := range []func() (stageState, bool){r.routingStage, r.cutOverStage, r.dmarcStage} {
		if s, ok := stage(); ok {
			return s
		}
	}
	return r.enforcingStage()
}

// settled says whether an entry needs no more work: it is right, or the
// report has no such expectation.
func settled(e *Entry) bool { return e == nil || e.Status == OK }

// mailIn says whether mail reaches Microsoft 365: MX points there (even
// beside another host), or through a gateway in front of it.
func (r *StageInput) mailIn(mx *Entry) bool {
	return mx != nil && (mx.Status == OK || mx.Status == Conflict || r.hasFinding(ruleGateway.ID))
}

// routingStage decides whether the domain is still unverified, verified
// but not routing mail, or still with its old provider.
func (r *StageInput) routingStage() (stageState, bool) {
	verify, mx := r.entryOf(records.Verify), r.entryOf(records.MX)
	mailIn := r.mailIn(mx)

	// Verified only with evidence: the MS= record, or DKIM keys live in
	// the tenant (Microsoft creates them only for a verified domain).
	// MX or SPF pointing at Microsoft 365 is no evidence: anyone can
	// publish them.
	if r.verifiedBy(verify) == "" {
		next := "Verify the domain in the Microsoft 365 admin center (Settings > Domains): publish " + verifyRecord(verify) + "; nothing in this zone shows it is verified (no MS= record, no DKIM keys live in the tenant)."
		if mx != nil && len(mx.Found) > 0 && !mailIn {
			next += " Mail still flows to " + strings.Join(mx.Found, ", ") + "."
		}
		return stageState{StageUnverified, next}, true
	}
	if mx == nil || mailIn {
		return stageState{}, false
	}
	if mx.Status == Missing {
		return stageState{StageVerified, "Create the mailboxes, then point MX at Microsoft 365 (" + mx.Expected + ") and autodiscover at Microsoft 365: verifying the domain does not route mail."}, true
	}
	if mx.otherCloud {
		return stageState{StageOldProvider, sentence(mx.Why)}, true
	}
	return stageState{StageOldProvider, fmt.Sprintf("Mail still flows to %s: when the mailboxes are ready (and the mail migrated), point MX at Microsoft 365 (%s) and autodiscover at Microsoft 365, and remove the other MX records.", strings.Join(mx.Found, ", "), mx.Expected)}, true
}

// cutOverStage decides whether the cut-over is unfinished (MX,
// autodiscover, SPF or the DKIM CNAMEs) or DKIM signing is still off.
// Mail reaches Microsoft 365 here (or the report has no MX expectation).
func (r *StageInput) cutOverStage() (stageState, bool) {
	mx, ad, spfE := r.entryOf(records.MX), r.entryOf(records.Autodiscover), r.entryOf(records.SPF)
	dk1, dk2 := r.entryOf(records.DKIM1), r.entryOf(records.DKIM2)
	if mx != nil && mx.Status == Conflict {
		return stageState{StageCutOver, "Finish the MX cut-over: " + sentence(mx.Why)}, true
	}
	if !settled(ad) {
		return stageState{StageCutOver, "Point autodiscover at Microsoft 365: " + sentence(ad.Why)}, true
	}
	if !settled(spfE) {
		return stageState{StageCutOver, "SPF: " + sentence(spfE.Why)}, true
	}
	for _, dk := range []*Entry{dk1, dk2} {
		if dk != nil && (dk.Status == Conflict || dk.Status == Wrong) {
			return stageState{StageCutOver, "DKIM: " + sentence(dk.Why)}, true
		}
	}
	if !settled(dk1) || !settled(dk2) {
		return stageState{StageCutOver, "DKIM: publish the selector1 and selector2 CNAMEs (exact values: Get-DkimSigningConfig -Identity " + r.Domain + " | Format-List Selector1CNAME,Selector2CNAME); then enable signing."}, true
	}
	if dk1 != nil && !r.dkimLive() {
		return stageState{StageDKIMPending, "Enable DKIM signing: the CNAMEs are published but their targets are not live yet. Turn it on in the Defender portal or with Set-DkimSigningConfig -Identity " + r.Domain + " -Enabled $true."}, true
	}
	return stageState{}, false
}

// dmarcStage decides whether DMARC is missing, broken, monitoring or at
// quarantine: every policy short of p=reject is a stage of its own.
func (r *StageInput) dmarcStage() (stageState, bool) {
	p, rua := r.dmarcPolicy()
	dmarcE := r.entryOf(records.DMARC)
	switch {
	case p == "" && dmarcE != nil && dmarcE.Status == Error:
		// Not read (not verified offline, a timeout): nothing is known
		// to be missing, so nothing is to be published over it.
		return stageState{StageSigning, "Read the DMARC record before going on: " + sentence(dmarcE.Why) + " The stage past signing follows from its policy."}, true
	case p == "":
		return stageState{StageSigning, "Publish DMARC at p=none with reports (_dmarc." + r.Domain + " TXT \"v=DMARC1; p=none; rua=mailto:<a mailbox that reads the reports>\"), then read the reports."}, true
	case p == "invalid" || dmarcE != nil && dmarcE.Status == Conflict:
		return stageState{StageSigning, "Fix the DMARC record: " + sentence(dmarcE.Why)}, true
	case p == "none" && !rua:
		return stageState{StageMonitoring, "Add an aggregate report address (rua) to the DMARC record: p=none without reports shows nothing."}, true
	case p == "none" && r.Enforcement != nil && r.Enforcement.Messages > 0:
		return monitoringByReports(r.Enforcement), true
	case p == "none":
		return stageState{StageMonitoring, "When the DMARC reports show every legitimate sender passing SPF or DKIM aligned, move to p=quarantine, then p=reject."}, true
	case p == "quarantine":
		return stageState{StageEnforcing, "When the reports stay clean at p=quarantine, move to p=reject."}, true
	}
	return stageState{}, false
}

// monitoringByReports decides, from the DMARC reports weighed, whether
// p=none can move to the stricter policy or which senders must pass first.
func monitoringByReports(e *enforce.Result) stageState {
	if e.Safe(minSourceMessages) {
		return stageState{StageMonitoring, fmt.Sprintf("p=%s is safe by the reports: every source that sent at least %d of the %d messages aligns. Move to p=%s, then p=reject.", e.Policy, minSourceMessages, e.Messages, e.Policy)}
	}
	return stageState{StageMonitoring, fmt.Sprintf("Not yet p=%s: it would quarantine or reject %d of %d messages in the reports; first make these senders pass (SPF or aligned DKIM): %s.", e.Policy, e.Quarantined+e.Rejected, e.Messages, topSources(e))}
}

// enforcingStage decides what is left at p=reject. Done only when nothing
// required is left: a required record still missing (the Teams federation
// SRV), then any error finding.
func (r *StageInput) enforcingStage() stageState {
	for _, e := range r.Diff {
		if !e.Optional && e.Status != OK && e.Status != Error {
			// A record that must not exist (msoid) is deleted, a wrong
			// one fixed; only a missing one is published.
			verb := "Fix"
			switch {
			case strings.HasPrefix(e.Expected, "no "):
				verb = "Delete"
			case e.Status == Missing:
				verb = "Publish"
			}
			return stageState{StageEnforcing, fmt.Sprintf("%s the %s record (%s %s): %s", verb, e.Purpose, e.Type, e.Name, sentence(e.Why))}
		}
	}
	for _, f := range r.Findings {
		if f.Severity == lint.Error {
			return stageState{StageEnforcing, fmt.Sprintf("Fix %s at %s: %s", f.Rule, f.Name, sentence(f.Message))}
		}
	}
	return stageState{StageEnforcing, "Done: keep reading the DMARC reports and add new senders to SPF and DKIM before they send."}
}

// minSourceMessages: a source with fewer messages in the reports does not
// hold up enforcement (a forgery, a one-off).
const minSourceMessages = 10

// topSources names the sources that would lose the most mail.
func topSources(e *enforce.Result) string {
	var parts []string
	for i, s := range e.Sources {
		if i == 3 {
			break
		}
		n := s.Quarantined + s.Rejected
		if n == 0 {
			continue
		}
		p := fmt.Sprintf("%s (%d messages", s.Addr, n)
		if s.PTR != "" {
			p += ", " + s.PTR
		}
		p += ")"
		if len(s.Advice) > 0 {
			p += ": " + s.Advice[0]
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// verifiedBy says what shows the domain is verified in a tenant, or "".
func (r *StageInput) verifiedBy(verify *Entry) string {
	if verify != nil && verify.Status == OK && len(verify.Found) > 0 || r.VerifyRecord {
		return "the MS= verification record"
	}
	if r.ParentVerified != "" {
		return "the MS= record of " + r.ParentVerified + ": a subdomain added to the tenant of a verified domain is verified automatically"
	}
	for _, s := range r.DKIM {
		if (s.Selector == "selector1" || s.Selector == "selector2") && s.Status == dkim.StatusOK && (strings.Contains(s.Target, ".onmicrosoft.") || strings.HasSuffix(s.Target, ".dkim.mail.microsoft")) {
			return "DKIM keys live in the tenant, which Microsoft creates only for a verified domain"
		}
	}
	return ""
}

// verifyCodeRE is an exact verification code in an expectation.
var verifyCodeRE = regexp.MustCompile(`MS=ms[0-9]{8}`)

// verifyRecord names the verification record: exactly, when the code was
// given, otherwise in words (never a placeholder).
func verifyRecord(verify *Entry) string {
	if verify != nil {
		if code := verifyCodeRE.FindString(verify.Expected); code != "" {
			return fmt.Sprintf("the TXT record %q at %s", code, verify.Name)
		}
	}
	return "the TXT record with the MS=ms… code the admin center shows (-verify CODE checks it)"
}

// dkimLive reports whether selector1 and selector2 lead to a key (true
// when the report did not look them up).
func (r *StageInput) dkimLive() bool {
	for _, s := range r.DKIM {
		if (s.Selector == "selector1" || s.Selector == "selector2") && (s.Status == dkim.StatusDangling || s.Status == dkim.StatusMissing) {
			return false
		}
	}
	return true
}

// sentence ends s with one period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
