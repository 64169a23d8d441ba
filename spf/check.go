package spf

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/domainlint/domainlint/resolver"
)

// Verdict is the outcome of check_host().
type Verdict struct {
	Result Result `json:"result"`
	// Domain is the domain whose policy was evaluated (the MAIL FROM
	// domain, or the HELO name when MAIL FROM is empty).
	Domain string `json:"domain"`
	// Reason says what decided the result, for a human.
	Reason string `json:"reason"`
}

// Check evaluates check_host() of RFC 7208 §4 for a message from ip, with
// the HELO name helo and the MAIL FROM address sender (empty for bounces:
// the HELO name is checked then, as "postmaster@helo"). Evaluation walks
// the terms of each record as this package's strict parser reads them,
// asking r for what they need; a record evaluation reaches that breaks the
// grammar anywhere is a permerror (RFC 7208 §4.6), even where a matching
// term comes before the error, and the parser's error is the Reason.
// A record fetched from a cached answer is parsed once while the answer
// is cached (resolver.Answer.Memo).
//
// DNS failures are results (temperror), not errors; the error is for a
// cancelled context only.
func Check(ctx context.Context, r resolver.Resolver, ip netip.Addr, helo, sender string) (Verdict, error) {
	domain := helo
	if at := strings.LastIndexByte(sender, '@'); at >= 0 {
		domain = sender[at+1:]
	} else if sender != "" {
		domain = sender
	}
	domain = strings.TrimSuffix(domain, ".")
	v := Verdict{Domain: strings.ToLower(domain)}
	if !ip.IsValid() {
		v.Result, v.Reason = PermError, "no valid client IP address"
		return v, nil
	}
	// RFC 7208 §4.3: a malformed or single-label domain yields none.
	if reason := initialDomainProblem(domain); reason != "" {
		v.Result, v.Reason = None, reason
		return v, nil
	}
	ms := macroSender(sender, helo)
	top := ms[strings.LastIndexByte(ms, '@')+1:]
	if top == "" {
		top = helo
	}
	e := newEvaluation(ctx, r, ip, helo, ms)
	res, err := e.check(top)
	if cerr := ctx.Err(); cerr != nil {
		return v, cerr
	}
	v.Result = res
	switch {
	case res == PermError && e.syntax != nil:
		v.Reason = e.syntax.Error()
	case err != nil:
		v.Reason = strings.TrimPrefix(err.Error(), "spf: ")
	}
	return v, nil
}

// macroSender is the <sender> that macros expand from (RFC 7208 §4.3,
// §7.3): a null MAIL FROM is "postmaster@" and the HELO name (§2.4), and a
// sender without a local-part gets "postmaster" as one, so %{l} is
// "postmaster" and %{s} a whole address.
func macroSender(sender, helo string) string {
	switch at := strings.LastIndexByte(sender, '@'); {
	case sender == "":
		return "postmaster@" + helo
	case at < 0:
		return "postmaster@" + sender
	case at == 0:
		return "postmaster" + sender
	}
	return sender
}

func initialDomainProblem(domain string) string {
	if _, err := resolver.CanonicalName(domain); err != nil {
		return err.Error()
	}
	if !strings.Contains(domain, ".") {
		return fmt.Sprintf("%q is not a multi-label domain name", domain)
	}
	for _, l := range strings.Split(domain, ".") {
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
				return fmt.Sprintf("%q is not a domain name", domain)
			}
		}
	}
	return ""
}
