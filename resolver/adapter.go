package resolver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// NetAdapter gives a Resolver the lookup methods of *net.Resolver, so that
// libraries written against net run over it: blitiri.com.ar/go/spf's
// DNSResolver and, through TXTFunc, go-msgauth's VerifyOptions.LookupTXT.
//
// Those libraries classify errors by type assertion, not errors.As, so every
// error is a bare *net.DNSError: NXDOMAIN and NODATA have IsNotFound set;
// timeouts, SERVFAIL, REFUSED, network failures, a spent budget and a name
// not verified offline (ErrUnverified: evaluation cannot go on without its
// answer) have IsTemporary set (and IsTimeout for timeouts). Wrapping them would turn
// NXDOMAIN into a permanent error in those libraries.
//
// As *net.Resolver does, LookupTXT joins each record's character-strings
// (RFC 7208 §3.3); use the Resolver directly to see them apart.
type NetAdapter struct {
	R Resolver
}

func dnsError(name string, err error) *net.DNSError {
	de := &net.DNSError{Err: err.Error(), Name: strings.TrimSuffix(name, "."), UnwrapErr: err}
	if errors.Is(err, ErrInvalidName) {
		// RFC 7208 §4.8: a target that is no valid domain name (say a label
		// over 63 octets after macro expansion) is treated as non-existent.
		de.IsNotFound = true
		return de
	}
	var re *Error
	if errors.As(err, &re) {
		de.Server = re.Server
		de.IsTimeout = re.Timeout()
		de.IsTemporary = re.Temporary() || errors.Is(err, ErrBudget) || errors.Is(err, ErrUnverified)
	}
	return de
}

func notFound(name string) *net.DNSError {
	return &net.DNSError{Err: "no such host", Name: strings.TrimSuffix(name, "."), IsNotFound: true}
}

// EscapeName turns a name written as raw text, where every character
// stands for itself (an SPF domain-spec, RFC 7208 §7.1; what the net
// package passes), into the presentation form Lookup takes: dots stay
// label separators, and octets other than letters, digits, "-", "_" and a
// few harmless others become \DDD, so "a\.b.example" is the three labels
// "a\", "b" and "example", not the two "a.b" and "example".
func EscapeName(name string) string { return presentation(name) }

// presentation is EscapeName.
func presentation(name string) string {
	for i := 0; i < len(name); i++ {
		if !plain(name[i]) {
			var b strings.Builder
			for j := 0; j < len(name); j++ {
				if c := name[j]; plain(c) {
					b.WriteByte(c)
				} else {
					fmt.Fprintf(&b, "\\%03d", c)
				}
			}
			return b.String()
		}
	}
	return name
}

func plain(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte(`"()\;@$`, c) < 0
}

// LookupAnswer asks name/qtype as the other methods do, and returns the
// Answer itself: its failure a *net.DNSError, a void answer "no such
// host" (IsNotFound).
func (a NetAdapter) LookupAnswer(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	return a.lookup(ctx, name, qtype)
}

func (a NetAdapter) lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	ans, err := a.R.Lookup(ctx, presentation(name), qtype)
	if err != nil {
		return nil, dnsError(name, err)
	}
	if ans.Void() {
		return nil, notFound(name)
	}
	return ans, nil
}

// LookupTXT returns the TXT records at name, each record's strings joined.
func (a NetAdapter) LookupTXT(ctx context.Context, name string) ([]string, error) {
	ans, err := a.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ss := range ans.TXT() {
		out = append(out, strings.Join(ss, ""))
	}
	return out, nil
}

// LookupMX returns the MX records at name.
func (a NetAdapter) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	ans, err := a.lookup(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	var out []*net.MX
	for _, rr := range ans.Records {
		if mx, ok := rr.(*dns.MX); ok {
			out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
		}
	}
	return out, nil
}

// LookupIPAddr returns the A and AAAA addresses of host. It fails with
// IsNotFound when there are neither.
func (a NetAdapter) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	var tempErr error
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		ans, err := a.R.Lookup(ctx, presentation(host), qt)
		if err != nil {
			if ctx.Err() != nil {
				return nil, dnsError(host, err)
			}
			tempErr = err
			continue
		}
		for _, rr := range ans.Records {
			switch v := rr.(type) {
			case *dns.A:
				out = append(out, net.IPAddr{IP: v.A})
			case *dns.AAAA:
				out = append(out, net.IPAddr{IP: v.AAAA})
			}
		}
		if ans.NXDomain() {
			break // the name does not exist: no need to ask for AAAA
		}
	}
	if len(out) == 0 {
		if tempErr != nil {
			return nil, dnsError(host, tempErr)
		}
		return nil, notFound(host)
	}
	return out, nil
}

// LookupAddr returns the PTR names of addr.
func (a NetAdapter) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: addr}
	}
	ans, err := a.lookup(ctx, rev, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range ans.Records {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, p.Ptr)
		}
	}
	return out, nil
}

// TXTFunc returns LookupTXT bound to ctx, in the shape of go-msgauth's
// dkim.VerifyOptions.LookupTXT.
func (a NetAdapter) TXTFunc(ctx context.Context) func(name string) ([]string, error) {
	return func(name string) ([]string, error) { return a.LookupTXT(ctx, name) }
}
