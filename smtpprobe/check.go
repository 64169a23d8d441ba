package smtpprobe

import (
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/miekg/dns"
)

// Input is what Probe and Check know of the domain besides its servers.
// The zero value probes the domain's MX hosts and checks TLS alone.
type Input struct {
	// MX are the hosts to probe, in preference order; nil: the domain's
	// MX records are looked up.
	MX []string
	// Policy is the domain's MTA-STS policy in effect (mtasts.ParsePolicy
	// of the file mtasts.Lookup fetched), nil when it has none. In mode
	// enforce or testing, each server's certificate is checked as an
	// MTA-STS sender checks it (RFC 8461 §4); mode none checks nothing.
	Policy *mtasts.Policy
	// TLSA maps an MX host (lower case, no trailing dot) to the TLSA
	// RRset at _25._tcp.<host> (dane.Lookup's answers): pass only RRsets
	// that DNSSEC authenticated, as senders use no others (RFC 7672
	// §2.2). Each is matched against the chain the host serves.
	TLSA map[string][]*dns.TLSA
}

// Check returns the findings of a report: per address, STARTTLS and the
// handshake, the TLS version, the certificate's validity, names and
// trust, the MTA-STS policy's view of it and each TLSA record against it.
// A report whose Status is NotChecked (no server reachable from here) has
// none: that is this network's state, not the domain's. Addresses that
// were not probed, had no address, or refused the prober's greeting are
// not findings either.
func Check(rep *Report, in Input) []lint.Finding {
	if rep == nil || rep.Status != OK {
		return nil
	}
	if len(in.TLSA) > 0 {
		// Keys as the caller wrote them: MX.Example.COM. is mx.example.com.
		norm := make(map[string][]*dns.TLSA, len(in.TLSA))
		for k, v := range in.TLSA {
			k = strings.TrimSuffix(strings.ToLower(k), ".")
			norm[k] = append(norm[k], v...)
		}
		in.TLSA = norm
	}
	var c lint.Collector
	for i := range rep.Hosts {
		c.Add(checkHost(&rep.Hosts[i], in)...)
	}
	return c.Findings()
}

func checkHost(h *HostResult, in Input) []lint.Finding {
	var fs []lint.Finding
	where := h.Host
	if h.Addr != "" {
		where += " (" + h.Addr + ")"
	}
	add := func(r lint.Rule, sev lint.Severity, format string, args ...any) *lint.Finding {
		f := r.New(h.Host, where+": "+fmt.Sprintf(format, args...))
		f.Severity, f.Type = sev, "MX"
		fs = append(fs, f)
		return &fs[len(fs)-1]
	}
	policy := in.Policy
	if policy != nil && policy.Mode != mtasts.Enforce && policy.Mode != mtasts.Testing {
		policy = nil
	}
	stsSev := lint.Error
	if policy != nil && policy.Mode == mtasts.Testing {
		stsSev = lint.Warning
	}
	usable := 0
	for _, rr := range in.TLSA[h.Host] {
		if t, err := dane.ParseTLSA(fmt.Sprintf("%d %d %d %s", rr.Usage, rr.Selector, rr.MatchingType, rr.Certificate)); err == nil && t.Usable() {
			usable++
		}
	}
	switch h.Status {
	case NoSTARTTLS:
		sev, why := ruleNoSTARTTLS.Severity, "mail to it travels in the clear"
		switch {
		case usable > 0:
			sev, why = lint.Error, fmt.Sprintf("it publishes %d usable TLSA records, so DANE senders require TLS and defer mail to it", usable)
		case policy != nil && policy.Mode == mtasts.Enforce:
			sev, why = lint.Error, "the domain's MTA-STS policy is enforced, so senders that apply it do not deliver to it"
		}
		f := add(ruleNoSTARTTLS, sev, "%s; %s", h.Detail, why)
		f.Fixes = []lint.Fix{{Message: "enable STARTTLS on the server (Postfix: smtpd_tls_security_level = may, with a certificate for " + h.Host + ")"}}
	case TLSFailed:
		add(ruleSTARTTLSFailed, ruleSTARTTLSFailed.Severity, "%s", h.Detail)
	case ProtocolViolation:
		add(ruleProtocol, ruleProtocol.Severity, "%s", h.Detail)
	case Refused, Timeout, Unreachable, Dropped:
		add(ruleUnreachable, ruleUnreachable.Severity, "%s (%s)", h.Detail, h.Status)
	case OK:
		fs = append(fs, checkTLS(h, where, policy, stsSev, in.TLSA[h.Host])...)
	}
	return fs
}

func checkTLS(h *HostResult, where string, policy *mtasts.Policy, stsSev lint.Severity, tlsa []*dns.TLSA) []lint.Finding {
	var fs []lint.Finding
	t := h.TLS
	if t == nil {
		return nil
	}
	add := func(r lint.Rule, sev lint.Severity, format string, args ...any) {
		f := r.New(h.Host, where+": "+fmt.Sprintf(format, args...))
		f.Severity, f.Type = sev, "MX"
		fs = append(fs, f)
	}
	if t.VersionID < tls.VersionTLS12 {
		if t.AcceptsTLS12 {
			add(ruleTLSVersion, lint.Warning, "negotiated %s when offered TLS 1.0 to 1.3, though it completes a handshake at TLS 1.2 or later when TLS 1.0 and 1.1 are not offered", t.Version)
		} else {
			add(ruleTLSVersion, lint.Error, "negotiated %s and refuses TLS 1.2 and 1.3: senders that require TLS 1.2 (most) cannot use TLS with it", t.Version)
		}
	}
	var leaf *Certificate
	if len(t.Chain) > 0 {
		leaf = &t.Chain[0]
	}
	if leaf != nil && (t.Expired || t.NotYetValid) {
		if t.Expired {
			add(ruleCertExpired, ruleCertExpired.Severity, "the certificate (%s) expired on %s", leaf.Subject, leaf.NotAfter.Format("2006-01-02 15:04 MST"))
		} else {
			add(ruleCertExpired, ruleCertExpired.Severity, "the certificate (%s) is not valid before %s", leaf.Subject, leaf.NotBefore.Format("2006-01-02 15:04 MST"))
		}
	}
	if leaf != nil && !t.NameMatches {
		add(ruleCertName, ruleCertName.Severity, "the certificate names %s, not %s", names(leaf.DNSNames), h.Host)
	}
	if leaf != nil && policy == nil && !t.Trusted && !t.Expired && !t.NotYetValid {
		add(ruleCertUntrusted, ruleCertUntrusted.Severity, "the certificate does not verify to a trusted root: %s", t.VerifyError)
	}
	if policy != nil {
		mode := string(policy.Mode)
		if !t.Trusted {
			add(ruleMTASTSUntrusted, stsSev, "the domain's MTA-STS policy (mode %s) needs a certificate that chains to a trusted root and is valid now: %s", mode, t.VerifyError)
		}
		pat, covered := policy.Matches(h.Host)
		switch {
		case !covered:
			add(ruleMTASTSNames, stsSev, "the domain's MTA-STS policy (mode %s) does not cover %s: its mx patterns are %s (\"*.\" stands for exactly one label)", mode, h.Host, names(policy.MX))
		case !t.NameMatches:
			add(ruleMTASTSNames, stsSev, "the domain's MTA-STS policy (mode %s) covers %s (mx: %s), but the certificate names %s, not it (a wildcard stands for exactly the leftmost label)", mode, h.Host, pat, names(leafNames(leaf)))
		}
	}
	if len(tlsa) > 0 {
		fs = append(fs, checkDANE(h, where, tlsa)...)
	}
	return fs
}

func checkDANE(h *HostResult, where string, tlsa []*dns.TLSA) []lint.Finding {
	var fs []lint.Finding
	ms := Match(tlsa, chainOf(h.TLS.Chain), h.Host, h.TLS.Time)
	var matched []string
	for _, m := range ms {
		if m.Matched {
			matched = append(matched, m.Record)
		}
	}
	name := "_25._tcp." + h.Host
	for _, m := range ms {
		if !m.Usable || m.Matched {
			continue
		}
		var f lint.Finding
		if len(matched) > 0 {
			f = ruleDANENextKey.New(name, fmt.Sprintf("%s: the TLSA record %s matches nothing the server presents (%s), while %s matches: a next key published ahead of a rollover; remove it once it is no longer needed", where, clip(m.Record, 160), m.Reason, strings.Join(matched, ", ")))
		} else {
			served := "nothing"
			if len(m.Served) > 0 {
				served = strings.Join(m.Served, ", ")
			}
			f = ruleDANEMismatch.New(name, fmt.Sprintf("%s: the TLSA record publishes %s, but the server presents %s: %s; DANE senders defer mail to it", where, m.Published, served, m.Reason))
			f.Fixes = []lint.Fix{{Message: "publish the TLSA record of the certificate the server presents (3 1 1 <SHA2-256 of its public key>) beside the old one, or serve the certificate the record names"}}
		}
		f.Type, f.Record = "TLSA", m.Record
		fs = append(fs, f)
	}
	return fs
}

func leafNames(c *Certificate) []string {
	if c == nil {
		return nil
	}
	return c.DNSNames
}

// names lists a few names for a message.
func names(ns []string) string {
	switch {
	case len(ns) == 0:
		return "no DNS name"
	case len(ns) > 5:
		return strings.Join(ns[:5], ", ") + fmt.Sprintf(" and %d more", len(ns)-5)
	}
	return strings.Join(ns, ", ")
}
