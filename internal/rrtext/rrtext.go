// Package rrtext renders DNS records as text the way domainlint's packages
// compare and report them.
package rrtext

import (
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// TXT returns a TXT record's character-strings decoded and joined, as
// RFC 7208 §3.3 reads them; "" for any other record.
func TXT(rr dns.RR) string {
	if t, ok := rr.(*dns.TXT); ok {
		return strings.Join(resolver.DecodeTXT(t.Txt), "")
	}
	return ""
}

// RData renders a record's data the way a zone file does.
func RData(rr dns.RR) string {
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}

// Dotless returns, for a target written without its trailing dot
// in a zone whose origin is domain, the target meant: target is
// "<fqdn>.<domain>" where <fqdn> is itself a full domain name (it ends
// in a public suffix, as selector1-….onmicrosoft.com or
// mail.fabrikam.com do, with a host label below the registrable domain),
// or it doubles the origin. A live answer can carry the same mistake, made
// in the zone it was served from.
func Dotless(target, domain string) (string, bool) {
	t := strings.ToLower(strings.TrimSuffix(target, "."))
	prefix, ok := strings.CutSuffix(t, "."+domain)
	if !ok || !strings.Contains(prefix, ".") {
		return "", false
	}
	if prefix == domain || strings.HasSuffix(prefix, "."+domain) {
		return prefix, true // the origin doubled: mail.fabrikam.com.fabrikam.com
	}
	// A host under a registrable domain (one label more than the
	// registrable domain at least), so that a legitimate mx.eu.<domain>
	// is not mistaken for mx.eu.
	suffix, icann := publicsuffix.PublicSuffix(prefix)
	if !icann || strings.Count(prefix, ".") < strings.Count(suffix, ".")+2 {
		return "", false
	}
	return prefix, true
}
