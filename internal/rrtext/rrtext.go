// Package rrtext renders DNS records as text the way domainlint's packages
// compare and report them.
package rrtext

import (
	"strings"

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
