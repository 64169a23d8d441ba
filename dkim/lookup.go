package dkim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// Status is what the lookup of a selector found.
type Status string

// The statuses of a selector.
const (
	StatusOK       Status = "ok"       // exactly one record, a valid key
	StatusMissing  Status = "missing"  // no TXT record at the name
	StatusDangling Status = "dangling" // a CNAME whose target does not exist or holds no TXT record
	StatusLoop     Status = "loop"     // a CNAME chain that loops or passes the hop limit
	StatusMultiple Status = "multiple" // more than one record
	StatusInvalid  Status = "invalid"  // a record with a problem a verifier rejects or misreads
	StatusRevoked  Status = "revoked"  // an empty p=: the key is revoked (RFC 6376 §3.6.1)
	// StatusUnverified: the name or its CNAME target is outside the zone
	// files and the check ran offline (resolver.ErrUnverified), so the
	// key was not looked at.
	StatusUnverified Status = "unverified"
)

// Selector is what one selector of a domain publishes.
type Selector struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	// Name is "<selector>._domainkey.<domain>".
	Name string `json:"name"`
	// Chain is the CNAMEs followed from Name (each written "owner ->
	// target" in JSON).
	// Microsoft 365 publishes selector1 and selector2 as CNAMEs into the
	// tenant's onmicrosoft.com domain.
	Chain []resolver.Hop `json:"chain,omitempty"`
	// Target is where the key was looked for: the end of the chain.
	Target string `json:"target"`
	// Strings are the TXT character-strings of each record at Target.
	Strings [][]string `json:"strings,omitempty"`
	// Status is one of the Status constants.
	Status Status `json:"status"`
	// Key is the parsed key, when there is exactly one record.
	Key *Key `json:"-"`

	// targetExists: the target of a dangling selector exists but holds
	// no TXT record (NODATA rather than NXDOMAIN).
	targetExists bool
}

// Dangling says what is wrong with a dangling selector (StatusDangling),
// without a cause: "selector s1 is a CNAME to t.example, which does not
// exist" (or "which holds no TXT record"). It is the start of the
// dkim.dangling-cname finding's message, for a check that knows the
// cause and writes its own. Empty for any other status.
func (s *Selector) Dangling() string {
	if s == nil || s.Status != StatusDangling {
		return ""
	}
	what := "does not exist"
	if s.targetExists {
		what = "holds no TXT record"
	}
	return fmt.Sprintf("selector %s is a CNAME to %s, which %s", s.Selector, s.Target, what)
}

// Exists reports whether the selector publishes a record.
func (s *Selector) Exists() bool {
	return s.Status != StatusMissing && s.Status != StatusDangling && s.Status != StatusLoop
}

// Lookup fetches the key record of selector at domain, following CNAME
// chains (bounded by the resolver's hop limit), and lints it. It costs one
// question per CNAME hop. The error is for an invalid argument, a
// cancelled context or a temporary DNS failure; a missing, dangling or
// looping selector is a finding.
func Lookup(ctx context.Context, r resolver.Resolver, domain, selector string) (*Selector, []lint.Finding, error) {
	dom, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	if selector == "" || strings.ContainsAny(selector, " \t;") {
		return nil, nil, fmt.Errorf("dkim: invalid selector %q", selector)
	}
	dom = strings.TrimSuffix(dom, ".")
	name := selector + "._domainkey." + dom
	fq, err := resolver.CanonicalName(name)
	if err != nil {
		return nil, nil, fmt.Errorf("dkim: selector %q: %w", selector, err)
	}
	s := &Selector{Domain: dom, Selector: selector, Name: strings.ToLower(name), Target: strings.ToLower(name)}
	var fs []lint.Finding
	add := func(rule lint.Rule, msg string) *lint.Finding {
		f := rule.New(s.Name, msg)
		f.Type = "TXT"
		fs = append(fs, f)
		return &fs[len(fs)-1]
	}
	a, err := r.Lookup(ctx, fq, dns.TypeTXT)
	if err != nil {
		var re *resolver.Error
		switch {
		case errors.Is(err, resolver.ErrCNAMELoop) || errors.Is(err, resolver.ErrCNAMEChain):
			s.Status = StatusLoop
			f := add(ruleCNAMELoop, fmt.Sprintf("selector %s: %v", selector, err))
			f.Type = "CNAME"
			return s, fs, nil
		case errors.Is(err, resolver.ErrUnverified) && errors.As(err, &re):
			// Offline, a CNAME into the tenant's zone: say where it points
			// and that the key there was not looked at. Not dangling, and
			// no word on whether signing is enabled.
			s.Status = StatusUnverified
			s.Chain = resolver.Hops(re.Chain)
			s.Target = strings.TrimSuffix(strings.ToLower(re.Name), ".")
			return s, fs, nil
		}
		return nil, nil, err
	}
	s.Chain = resolver.Hops(a.Chain)
	s.Target = strings.TrimSuffix(a.Target(), ".")
	s.Strings = a.TXT()
	switch {
	case len(s.Strings) == 0 && len(a.Chain) > 0:
		s.Status = StatusDangling
		s.targetExists = !a.NXDomain()
		f := add(ruleDanglingCNAME, s.Dangling())
		f.Type, f.Record = "CNAME", s.Target
		if strings.Contains(s.Target, ".onmicrosoft.") || strings.HasSuffix(s.Target, "dkim.mail.microsoft") {
			f.Message += ": DKIM signing is not enabled for this domain in Microsoft 365 (enable it in the Defender portal or with Set-DkimSigningConfig)"
		}
		return s, fs, nil
	case len(s.Strings) == 0:
		s.Status = StatusMissing
		add(ruleMissing, fmt.Sprintf("no key record at selector %s", selector))
		return s, fs, nil
	case len(s.Strings) > 1:
		s.Status = StatusMultiple
		var recs []string
		for _, ss := range s.Strings {
			recs = append(recs, strings.Join(ss, ""))
		}
		f := add(ruleMultipleRecords, fmt.Sprintf("%d TXT records at %s; publish exactly one key record", len(recs), s.Target))
		f.Record = strings.Join(recs, " | ")
		return s, fs, nil
	}
	txt := strings.Join(s.Strings[0], "")
	if why, fixed := spf.Unwrap(txt); why != "" && strings.HasPrefix(strings.ToLower(fixed), "v=dkim1") {
		// One defect, one finding: a key record pasted with its quotes
		// (every tag after it is then misread too).
		if k, err := ParseKey(fixed); err == nil {
			s.Status, s.Key = StatusInvalid, k
			f := add(ruleSyntax, fmt.Sprintf("the key record %s, so verifiers cannot read it; publish it without them", why))
			f.Record = txt
			return s, fs, nil
		}
	}
	k, probs := parseKey(txt)
	s.Key = k
	s.Status = StatusOK
	lintKey(s, txt, k, probs, &fs)
	return s, lint.Bound(fs), nil
}

// lintKey turns a key's problems and properties into findings.
func lintKey(s *Selector, txt string, k *Key, probs []*KeyError, fs *[]lint.Finding) {
	add := func(rule lint.Rule, span lint.Span, msg string) *lint.Finding {
		f := rule.New(s.Target, msg)
		f.Type, f.Record, f.Span = "TXT", txt, span
		*fs = append(*fs, f)
		return &(*fs)[len(*fs)-1]
	}
	if k == nil {
		s.Status = StatusInvalid
		for _, p := range probs {
			add(p.Rule, p.Span, p.Reason)
		}
		return
	}
	for _, p := range probs {
		s.Status = StatusInvalid
		f := add(p.Rule, p.Span, p.Reason)
		if p.Rule.ID == ruleNotEmail.ID && contains(k.Services, "tlsrpt") {
			// A key for signing TLS-RPT reports alone is as meant.
			f.Severity = lint.Warning
		}
	}
	if k.Revoked {
		s.Status = StatusRevoked
		add(ruleRevoked, k.Spans["p"], "p= is empty: the key is revoked")
	}
	if k.Type == "rsa" && k.Bits > 0 && k.Bits < 2048 {
		f := add(ruleWeakKey, k.Spans["p"], fmt.Sprintf("RSA key of %d bits; use 2048", k.Bits))
		if k.Bits < 1024 {
			f.Severity = lint.Error
			f.Message = fmt.Sprintf("RSA key of %d bits: verifiers reject keys under 1024 bits (RFC 8301 §3.2); use 2048", k.Bits)
		}
	}
	if k.Type == "rsa" && k.Bits > MaxRSABits {
		add(ruleLargeKey, k.Spans["p"], fmt.Sprintf("RSA key of %d bits: verifiers need accept no more than %d (RFC 8301 §3.2); some refuse larger keys, and then the signatures fail; use 2048", k.Bits, MaxRSABits))
	}
	if k.Testing() {
		add(ruleTesting, k.Spans["t"], "t=y: verifiers treat mail signed with this key as unsigned; remove the flag once DKIM works")
	}
	if len(k.Hashes) > 0 && !contains(k.Hashes, "sha256") {
		add(ruleSHA1, k.Spans["h"], fmt.Sprintf("h=%s allows no sha256 signatures; remove h= or include sha256", strings.Join(k.Hashes, ":")))
	}
}

// DefaultSelectors returns the selectors Discover probes when none are
// given, a new slice each time. Selectors are chosen by whoever signs, so
// no list is complete; this one holds those that mail services document
// or publish at a fixed name:
//
//   - Microsoft 365: selector1, selector2 (CNAMEs into the tenant);
//   - Google Workspace: google;
//   - Mailchimp and Mandrill: k1, k2, k3, mandrill;
//   - SendGrid: s1, s2; Fastmail: fm1, fm2, fm3; Proton: protonmail,
//     protonmail2, protonmail3; Zoho: zoho, zmail; Mailjet: mailjet;
//     Postmark: pm; Campaign Monitor: cm;
//   - signing software defaults and common picks: default, dkim, mail,
//     smtp, email, mx, key1, key2, sig1, dkim1, dkim2, and the date-named
//     selectors of large senders (20161025, 20210112, 20230601).
//
// Services that generate a selector per customer (Amazon SES, Mailgun,
// HubSpot and others) cannot be found this way: name their selectors.
// The list is at most MaxSelectors long.
func DefaultSelectors() []string {
	return []string{
		"selector1", "selector2", // Microsoft 365
		"google",         // Google Workspace
		"k1", "k2", "k3", // Mailchimp, Mandrill and others
		"s1", "s2", // SendGrid and others
		"fm1", "fm2", "fm3", // Fastmail
		"default", "dkim", "mail", "smtp", "email",
		"mx", "key1", "key2", "sig1",
		"protonmail", "protonmail2", "protonmail3", // Proton
		"zoho", "zmail", // Zoho
		"mandrill", "mailjet", "pm", "cm",
		"dkim1", "dkim2", "20161025", "20210112", "20230601", // date-named selectors
	}
}

// MaxSelectors bounds the selectors one Discover probes.
const MaxSelectors = 64

// Discover probes selectors at domain concurrently (DefaultSelectors when
// none are given; at most MaxSelectors, more is an error) and returns
// those that publish a record, with findings for them. It runs at most 8
// probes at once; the resolver's own cap on queries in flight applies
// too. It costs one question per selector plus one per CNAME hop, and one
// more, first: a label no one publishes (a random one), so that a
// wildcard (*._domainkey.<domain>, or a wildcard above it) is not taken
// for real selectors. When that label answers, a selector whose answer is
// the same record (the same strings at the same CNAME target) is the
// wildcard's, not reported; an info finding, dkim.wildcard, says a
// wildcard answers, and discovery can then find only selectors whose
// record differs from it.
func Discover(ctx context.Context, r resolver.Resolver, domain string, selectors ...string) ([]*Selector, []lint.Finding, error) {
	if len(selectors) == 0 {
		selectors = DefaultSelectors()
	}
	if len(selectors) > MaxSelectors {
		return nil, nil, fmt.Errorf("dkim: %d selectors to discover, more than %d", len(selectors), MaxSelectors)
	}
	dom, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	dom = strings.TrimSuffix(dom, ".")
	probe := wildcardProbe()
	results := lookupAll(ctx, r, dom, append([]string{probe}, selectors...))
	var found []*Selector
	var fs []lint.Finding
	var errs []error
	wild := results[0].s
	if results[0].err != nil || wild == nil || !wild.Exists() {
		wild = nil
	}
	if wild != nil {
		f := ruleWildcard.New("*._domainkey."+dom, fmt.Sprintf("a selector no one publishes (%s) answers with a record: a wildcard answers for every selector of %s, so discovery reports only selectors whose record differs from it", probe, dom))
		f.Type, f.Record = "TXT", joinStrings(wild.Strings)
		if wild.Status == StatusRevoked {
			f.Message += "; it is a revoked key (empty p=), as published for a domain that sends no mail"
		}
		fs = append(fs, f)
	}
	for _, res := range results[1:] {
		if res.err != nil {
			errs = append(errs, res.err)
			continue
		}
		// A selector with nothing at its name is not published; one that
		// is there but broken (a dangling CNAME, a loop) is, and is
		// reported.
		if res.s.Status == StatusMissing || wild != nil && sameAnswer(res.s, wild) {
			continue
		}
		found = append(found, res.s)
		fs = append(fs, res.fs...)
	}
	if err := ctx.Err(); err != nil {
		return found, fs, err
	}
	return found, lint.Bound(fs), errors.Join(errs...)
}

// wildcardProbe returns a selector label no one publishes.
func wildcardProbe() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "domainlint-" + hex.EncodeToString(b)
}

// sameAnswer reports whether a selector got the wildcard's answer: the
// same records at the end of the chain, and, through a CNAME, the same
// target.
func sameAnswer(s, wild *Selector) bool {
	if s.Status != wild.Status || (len(s.Chain) > 0) != (len(wild.Chain) > 0) {
		return false
	}
	if len(s.Chain) > 0 && s.Target != wild.Target {
		return false
	}
	return slices.EqualFunc(s.Strings, wild.Strings, slices.Equal)
}

func joinStrings(sss [][]string) string {
	var recs []string
	for _, ss := range sss {
		recs = append(recs, strings.Join(ss, ""))
	}
	return strings.Join(recs, " | ")
}
