package dmarc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/netip"
	"strings"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/emersion/go-msgauth/authres"
)

// Identifiers are what a receiver authenticated about a message.
type Identifiers struct {
	// From is the RFC5322.From domain.
	From string
	// SPF is the SPF result for MailFrom, the domain SPF checked (the
	// MAIL FROM domain, or the HELO name for bounces).
	SPF      spf.Result
	MailFrom string
	// DKIM are the message's signatures: d= domain and result.
	DKIM []DKIMResult
}

// DKIMResult is one signature's domain and result.
type DKIMResult struct {
	Domain string      `json:"domain"`
	Result dkim.Result `json:"result"`
}

// Result is DMARC's result for a message (RFC 7489 §11.2).
type Result string

// The DMARC results.
const (
	ResultPass Result = "pass" // an aligned SPF or DKIM pass
	ResultFail Result = "fail" // a policy, and no aligned pass
	ResultNone Result = "none" // no policy to apply
)

// Verdict is DMARC's outcome for a message under one algorithm.
type Verdict struct {
	Algorithm string `json:"algorithm"`
	// Result is one of the Result constants.
	Result      Result `json:"result"`
	SPFAligned  bool   `json:"spf_aligned"`
	DKIMAligned bool   `json:"dkim_aligned"`
	// PolicyDomain is where the applied record was found.
	PolicyDomain string `json:"policy_domain,omitempty"`
	// Applied is the tag whose policy applies: p, sp or np.
	Applied string `json:"applied,omitempty"`
	// Disposition is what a receiver does with the message: none,
	// quarantine or reject (after pct and t= are taken into account).
	Disposition string `json:"disposition"`
	// Steps explain the verdict, one line each.
	Steps []string `json:"steps"`
}

// Evaluation is the verdict under both standards.
type Evaluation struct {
	RFC9989 Verdict `json:"rfc9989"`
	RFC7489 Verdict `json:"rfc7489"`
}

// Evaluate checks identifier alignment (strict or relaxed per adkim and
// aspf; relaxed compares organizational domains — by the public suffix list
// for RFC 7489, by the DNS tree walk through r for RFC 9989) and the
// disposition a receiver applies: p for the policy domain itself, sp for
// its subdomains, np for subdomains that do not exist; pct (RFC 7489) and
// t=y (RFC 9989) soften it. A record without a valid p=, or with an
// invalid sp= (or np=, for RFC 9989), counts as p=none when its rua= holds
// a syntactically valid URI, and otherwise is not applied: result none
// (RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1). With a nil resolver, the
// RFC 9989 verdict uses the public suffix list too.
func Evaluate(ctx context.Context, r resolver.Resolver, d *Discovery, ids Identifiers) (*Evaluation, error) {
	from := canon(ids.From)
	f := &finder{ctx: ctx, r: r, seen: map[string]*found{}}
	orgs := map[string]string{}
	treeOrg := func(dom string) (string, error) {
		if o, ok := orgs[dom]; ok {
			return o, nil
		}
		o, _, err := f.orgTreeWalk(dom)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, resolver.ErrBudget) {
				return "", err
			}
			// A walk that could not finish: the public suffix list stands
			// in, as it does in discovery (an error cached as "" would
			// make two unknown domains look aligned).
			o = OrgDomainPSL(dom)
		}
		orgs[dom] = o
		return o, nil
	}
	psl := func(s string) (string, error) { return OrgDomainPSL(s), nil }
	if r == nil {
		treeOrg = psl
	}
	ev := &Evaluation{}
	var err error
	ev.RFC7489 = verdict(d.RFC7489, from, d.Exists, ids, psl)
	ev.RFC9989 = verdict(d.RFC9989, from, d.Exists, ids, treeOrg)
	if cerr := ctx.Err(); cerr != nil {
		err = cerr
	}
	return ev, err
}

func canon(s string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")) }

func aligned(mode, a, b string, org func(string) (string, error)) (bool, string) {
	a, b = canon(a), canon(b)
	if a == "" || b == "" {
		return false, "no domain"
	}
	if a == b {
		return true, "same domain"
	}
	if mode == "s" {
		return false, "strict alignment needs the same domain"
	}
	oa, err1 := org(a)
	ob, err2 := org(b)
	if err1 != nil || err2 != nil {
		return false, "organizational domain unknown (DNS failure)"
	}
	if oa == ob {
		return true, "relaxed: same organizational domain " + oa
	}
	return false, fmt.Sprintf("relaxed: organizational domains %s and %s differ", oa, ob)
}

func verdict(p *Policy, from string, exists bool, ids Identifiers, org func(string) (string, error)) Verdict {
	v := Verdict{Algorithm: p.Algorithm, Result: ResultNone, Disposition: None}
	step := func(format string, args ...any) { v.Steps = append(v.Steps, fmt.Sprintf(format, args...)) }
	step("From domain: %s", from)
	rec := p.Record
	if rec == nil {
		step("no DMARC policy for %s (asked %s): DMARC result none", from, strings.Join(p.Queried, ", "))
		return v
	}
	step("policy record at _dmarc.%s: %s", p.PolicyDomain, rec.Raw)
	// RFC 7489 §6.6.3 step 6 and RFC 9989 §4.10.1: "If a retrieved DMARC
	// Policy Record does not contain a valid "p" tag, or contains an "sp"
	// or "np" tag that is not valid, then: If a "rua" tag is present and
	// contains at least one syntactically valid reporting URI, the Mail
	// Receiver MUST act as if a record containing "p=none" was retrieved
	// and continue processing; Otherwise, the Mail Receiver applies no
	// DMARC processing to this message." (RFC 7489 knows no np.)
	asNone := false
	if bad := rec.unusablePolicy(p.Algorithm == RFC7489.String()); bad != "" {
		if !rec.hasReportURI() {
			step("%s, and no syntactically valid rua= URI: no DMARC processing (%s): DMARC result none", bad, stepRule(p.Algorithm))
			return v
		}
		asNone = true
		step("%s, but rua= holds a valid URI: processed as if the record were p=none (%s)", bad, stepRule(p.Algorithm))
	}
	v.PolicyDomain = p.PolicyDomain

	if ids.SPF == spf.Pass {
		ok, why := aligned(rec.ASPF, ids.MailFrom, from, org)
		v.SPFAligned = ok
		step("SPF pass for %s: %s (aspf=%s: %s)", ids.MailFrom, alignWord(ok), rec.ASPF, why)
	} else {
		step("SPF %s for %s: cannot align", orDash(string(ids.SPF)), orDash(ids.MailFrom))
	}
	if len(ids.DKIM) == 0 {
		step("DKIM: no signature")
	}
	for _, s := range ids.DKIM {
		if s.Result != dkim.Pass {
			step("DKIM %s for d=%s: cannot align", s.Result, s.Domain)
			continue
		}
		ok, why := aligned(rec.ADKIM, s.Domain, from, org)
		v.DKIMAligned = v.DKIMAligned || ok
		step("DKIM pass for d=%s: %s (adkim=%s: %s)", s.Domain, alignWord(ok), rec.ADKIM, why)
	}
	if v.SPFAligned || v.DKIMAligned {
		v.Result = ResultPass
		step("DMARC pass: an aligned identifier passed")
		return v
	}
	v.Result = ResultFail
	step("DMARC fail: no identifier that passed is aligned with %s", from)

	policy, tag := rec.P, "p"
	switch {
	case from == p.PolicyDomain:
	case !exists && rec.NP != "":
		policy, tag = rec.NP, "np"
	case rec.SP != "":
		policy, tag = rec.SP, "sp"
	}
	if asNone {
		policy = None
	}
	v.Applied = tag
	disp := policy
	switch {
	case p.Algorithm == RFC7489.String() && rec.Pct >= 0 && rec.Pct < 100 && policy != None:
		step("%s=%s applies to %d%% of failing mail; the rest gets the next weaker policy", tag, policy, rec.Pct)
	case p.Algorithm == RFC9989.String() && rec.T == "y" && policy != None:
		disp = weaker(policy)
		step("t=y (testing): %s=%s is applied as %s", tag, policy, disp)
	}
	v.Disposition = disp
	step("disposition: %s (%s=%s)", disp, tag, policy)
	return v
}

// stepRule names the section that decides a record without a usable
// policy.
func stepRule(algorithm string) string {
	if algorithm == RFC7489.String() {
		return "RFC 7489 §6.6.3"
	}
	return "RFC 9989 §4.10.1"
}

func weaker(p string) string {
	if p == Reject {
		return Quarantine
	}
	return None
}

func alignWord(ok bool) string {
	if ok {
		return "aligned"
	}
	return "not aligned"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// MessageResult is the whole-message verdict.
type MessageResult struct {
	From       string           `json:"from"`
	SPF        spf.Verdict      `json:"spf"`
	DKIM       []dkim.Signature `json:"dkim"`
	Discovery  *Discovery       `json:"discovery"`
	Evaluation *Evaluation      `json:"evaluation"`
	// Findings are about the records involved (keys, the DMARC record).
	Findings []lint.Finding `json:"findings,omitempty"`
	// AuthenticationResults is an RFC 8601 header field value.
	AuthenticationResults string `json:"authentication_results"`
}

// Explain returns the RFC 9989 verdict's steps as text, and the RFC 7489
// verdict when it differs.
func (m *MessageResult) Explain() string {
	var b strings.Builder
	for _, s := range m.Evaluation.RFC9989.Steps {
		b.WriteString(s + "\n")
	}
	if v7 := m.Evaluation.RFC7489; v7.Result != m.Evaluation.RFC9989.Result || v7.Disposition != m.Evaluation.RFC9989.Disposition {
		fmt.Fprintf(&b, "RFC 7489 receivers differ: %s, disposition %s\n", v7.Result, v7.Disposition)
	}
	return b.String()
}

// CheckMessage runs what a receiver runs on a message from ip that
// greeted with helo and gave mailFrom as MAIL FROM: spf.Check, dkim.Verify,
// DMARC discovery and evaluation, and renders an Authentication-Results
// field (RFC 8601) with go-msgauth's authres. The error is for an
// unreadable message, one whose From does not name exactly one address, or
// a cancelled context.
func CheckMessage(ctx context.Context, r resolver.Resolver, msg io.Reader, ip netip.Addr, helo, mailFrom string) (*MessageResult, error) {
	raw, err := io.ReadAll(io.LimitReader(msg, dkim.MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("dmarc: reading message: %w", err)
	}
	if len(raw) > dkim.MaxMessageSize {
		return nil, fmt.Errorf("dmarc: message larger than %d bytes", dkim.MaxMessageSize)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("dmarc: message header: %w", err)
	}
	addrs, err := m.Header.AddressList("From")
	if err != nil || len(addrs) != 1 {
		return nil, fmt.Errorf("dmarc: the From field must hold exactly one address (RFC 7489 §6.6.1): %q", m.Header.Get("From"))
	}
	from := canon(addrs[0].Address[strings.LastIndexByte(addrs[0].Address, '@')+1:])
	res := &MessageResult{From: from}

	if res.SPF, err = spf.Check(ctx, r, ip, helo, mailFrom); err != nil {
		return nil, err
	}
	sigs, kfs, err := dkim.Verify(ctx, r, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	res.DKIM = sigs
	res.Findings = append(res.Findings, kfs...)
	d, dfs, err := Lookup(ctx, r, from)
	if err != nil {
		return nil, err
	}
	res.Discovery = d
	res.Findings = append(res.Findings, dfs...)
	ids := Identifiers{From: from, SPF: res.SPF.Result, MailFrom: res.SPF.Domain}
	for _, s := range sigs {
		if s.Result != dkim.None {
			ids.DKIM = append(ids.DKIM, DKIMResult{Domain: s.Domain, Result: s.Result})
		}
	}
	if res.Evaluation, err = Evaluate(ctx, r, d, ids); err != nil {
		return nil, err
	}
	lint.Sort(res.Findings)

	results := []authres.Result{&authres.SPFResult{Value: authres.ResultValue(res.SPF.Result), From: mailFrom, Helo: helo}}
	for _, s := range sigs {
		results = append(results, &authres.DKIMResult{Value: authres.ResultValue(s.Result), Domain: s.Domain, Identifier: s.Identifier})
	}
	results = append(results, &authres.DMARCResult{Value: authres.ResultValue(res.Evaluation.RFC9989.Result), From: from})
	res.AuthenticationResults = authres.Format("domainlint", results)
	return res, nil
}
