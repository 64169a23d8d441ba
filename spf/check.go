package spf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"blitiri.com.ar/go/spf"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
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
// the HELO name is checked then, as "postmaster@helo"). Evaluation is done
// by blitiri.com.ar/go/spf over r; in front of it stands this package's
// strict parser, so every record evaluation reaches is checked against the
// whole grammar first and a broken one is a permerror (RFC 7208 §4.6),
// even where a matching term comes before the error.
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
	g := &gate{NetAdapter: resolver.NetAdapter{R: r}, ip: ip.Unmap()}
	res, err := spf.CheckHostWithSender(net.IP(ip.Unmap().AsSlice()), helo, macroSender(sender, helo),
		spf.WithResolver(g), spf.WithContext(ctx))
	if cerr := ctx.Err(); cerr != nil {
		return v, cerr
	}
	v.Result = Result(res)
	switch {
	case res == spf.PermError && g.syntax() != nil:
		v.Reason = g.syntax().Error()
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

// gate checks each SPF record that evaluation fetches with the strict
// parser, and hands a record that fails it to the evaluator as one that
// fails at once. It also rewrites the terms the evaluator would read
// differently from RFC 7208 (see rewrite), and asks only the address type
// RFC 7208 §5 calls for.
type gate struct {
	resolver.NetAdapter
	ip  netip.Addr
	mu  sync.Mutex
	err error
}

// brokenRecord makes the evaluator return permerror at its first term.
const brokenRecord = "v=spf1 !rejected-by-strict-parser"

// gated is what the gate makes of a TXT answer: the strings handed to the
// evaluator, and the strict parser's first error. Kept with a cached
// answer (resolver.Answer.Memo): made once per sweep for a provider's
// record.
type gated struct {
	out    []string
	perr   error
	expand []int // the records that use the %{p} macro, expanded per check
}

type gatedKey struct{}

func gateTXT(a *resolver.Answer) gated {
	var g gated
	for _, ss := range a.TXT() {
		t := strings.Join(ss, "")
		if IsSPF(t) {
			rec, perr := Parse(t)
			switch {
			case perr != nil && !errors.Is(perr, ErrNotSPF):
				if g.perr == nil {
					g.perr = perr
				}
				t = brokenRecord
			case rec != nil:
				t = rewrite(rec)
				if strings.Contains(strings.ToLower(t), "%{p") {
					g.expand = append(g.expand, len(g.out))
				}
			}
		}
		g.out = append(g.out, t)
	}
	return g
}

func (g *gate) LookupTXT(ctx context.Context, name string) ([]string, error) {
	name = truncate(unhide(name))
	a, err := g.NetAdapter.LookupAnswer(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	gt := a.Memo(gatedKey{}, func() (any, int) {
		g := gateTXT(a)
		size := 64 + 16*len(g.out) + 8*len(g.expand)
		for _, t := range g.out {
			size += len(t) // a rewritten record is a copy; one as published is not, an overestimate
		}
		return g, size
	}).(gated)
	if gt.perr != nil {
		g.mu.Lock()
		if g.err == nil {
			g.err = fmt.Errorf("SPF record of %s: %w", strings.TrimSuffix(name, "."), gt.perr)
		}
		g.mu.Unlock()
	}
	out := gt.out
	if len(gt.expand) > 0 {
		out = slices.Clone(gt.out) // the memo's is shared
		for _, i := range gt.expand {
			out[i] = g.expandP(ctx, out[i], strings.TrimSuffix(strings.ToLower(name), "."))
		}
	}
	return out, nil
}

// Markers in the domain-specs handed to the evaluator; the gate's lookups
// take them out again.
const (
	// slash stands for "/" in domain-specs, which the evaluator would take
	// for a CIDR length. RFC 7208 §7.1 allows any visible character but
	// "%" in a domain-spec.
	slash = "_domainlint-slash_"
	// existsMark ends an exists target: RFC 7208 §5.7 asks for A records
	// even when the client is IPv6, where the evaluator asks for A and
	// AAAA, and so would count a name with only AAAA records as no void
	// lookup (§4.6.4).
	existsMark = "_domainlint-exists_"
)

// rewrite returns the record as the evaluator is to read it:
//   - "/" in domain-specs becomes slash;
//   - an exists target ends in existsMark;
//   - an ip6 network inside ::ffff:0:0/96 matches no client, and is left
//     out: the evaluator
//     (net.IPNet) would match IPv4 clients against it, but RFC 7208 §5.6
//     tests an IPv4 client with ip4 only (the test suite's cidr6-ip4), and
//     Check treats an IPv4-mapped client as IPv4 (§5).
func rewrite(rec *Record) string {
	var b strings.Builder
	last := 0
	for _, t := range rec.Terms {
		switch {
		case t.Kind == Mechanism && t.Name == "exists":
			t.Domain = strings.ReplaceAll(t.Domain, "/", slash) + existsMark
		case t.Kind == Mechanism && t.Name == "ip6" && t.Prefix.Masked().Addr().Is4In6():
			// A term that matches nothing, and costs nothing, is left out.
			b.WriteString(rec.Raw[last:t.Span.Start])
			last = t.Span.End
			continue
		case strings.Contains(t.Domain, "/"):
			t.Domain = strings.ReplaceAll(t.Domain, "/", slash)
		default:
			continue
		}
		b.WriteString(rec.Raw[last:t.Span.Start])
		b.WriteString(t.String())
		last = t.Span.End
	}
	if last == 0 {
		return rec.Raw
	}
	b.WriteString(rec.Raw[last:])
	return b.String()
}

func unhide(name string) string { return strings.ReplaceAll(name, slash, "/") }

// maxExpansion is the longest name a macro expansion is looked up as.
const maxExpansion = 253

// truncate shortens a name that macro expansion made longer than
// maxExpansion characters (a trailing dot not counted), as RFC 7208 §7.3
// has it: "When the result of macro expansion is used in a domain name
// query, if the expanded domain name exceeds 253 characters (the maximum
// length of a domain name in this format), the left side is truncated to
// fit, by removing successive labels (and their following dots) until the
// total length does not exceed 253 characters." Names without macros are
// never that long: the parser rejects them.
func truncate(name string) string {
	n, fqdn := strings.CutSuffix(name, ".")
	for len(n) > maxExpansion {
		i := strings.IndexByte(n, '.')
		if i < 0 {
			break
		}
		n = n[i+1:]
	}
	if fqdn {
		return n + "."
	}
	return n
}

func (g *gate) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return g.NetAdapter.LookupMX(ctx, truncate(unhide(name)))
}

// LookupIPAddr asks for the addresses the evaluator compares with the
// client: A records for an IPv4 client, AAAA for an IPv6 one (RFC 7208
// §5.3, §5.4, §5.5), and A records for an exists target whatever the
// client (§5.7). A name with none of the type asked for is a void lookup
// (§4.6.4), even when it has addresses of the other type.
func (g *gate) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	want := dns.TypeAAAA
	if g.ip.Is4() {
		want = dns.TypeA
	}
	host = unhide(host)
	if h, ok := strings.CutSuffix(host, existsMark); ok {
		host, want = h, dns.TypeA
	}
	host = truncate(host)
	if host == "." || host == "" {
		// The target of a null MX (RFC 7505 §3): the root has no
		// addresses, and need not be asked.
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return resolver.NetAdapter{R: onlyType{g.NetAdapter.R, want}}.LookupIPAddr(ctx, host)
}

// onlyType answers questions for address types other than want with
// NODATA, without asking, so that NetAdapter.LookupIPAddr asks one type.
type onlyType struct {
	resolver.Resolver
	want uint16
}

func (o onlyType) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if (qtype == dns.TypeA || qtype == dns.TypeAAAA) && qtype != o.want {
		return &resolver.Answer{Name: dns.Fqdn(strings.ToLower(name)), Type: qtype, Rcode: dns.RcodeSuccess}, nil
	}
	return o.Resolver.Lookup(ctx, name, qtype)
}

func (g *gate) syntax() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// expandP replaces %{p} macros, which the evaluator always expands to
// "unknown", with the validated domain name of the client IP (RFC 7208
// §7.3): a PTR name whose addresses include the IP; the evaluated domain
// itself or a subdomain of it is preferred. At most 10 PTR names are tried
// (§4.6.4).
func (g *gate) expandP(ctx context.Context, rec, domain string) string {
	validated := "unknown"
	names, err := g.NetAdapter.LookupAddr(ctx, g.ip.String())
	if err == nil {
		best := -1
		for _, n := range names[:min(len(names), 10)] {
			n = strings.TrimSuffix(strings.ToLower(n), ".")
			addrs, err := g.LookupIPAddr(ctx, n)
			if err != nil {
				continue
			}
			for _, a := range addrs {
				if ip, ok := netip.AddrFromSlice(a.IP); !ok || ip.Unmap() != g.ip {
					continue
				}
				rank := 0
				switch {
				case n == domain:
					rank = 2
				case strings.HasSuffix(n, "."+domain):
					rank = 1
				}
				if rank > best {
					validated, best = n, rank
				}
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(rec); i++ {
		if rec[i] == '%' && i+1 < len(rec) && rec[i+1] != '{' {
			b.WriteString(rec[i : i+2])
			i++
			continue
		}
		if !strings.HasPrefix(rec[i:], "%{") || i+2 >= len(rec) || rec[i+2]|0x20 != 'p' {
			b.WriteByte(rec[i])
			continue
		}
		end := strings.IndexByte(rec[i:], '}')
		b.WriteString(transform(validated, rec[i+3:i+end]))
		i += end
	}
	return b.String()
}

// transform applies a macro's transformers (RFC 7208 §7.3): split at the
// delimiters (default "."), reverse on "r", keep the rightmost n parts,
// join with ".".
func transform(value, spec string) string {
	k := 0
	for k < len(spec) && isDigit(spec[k]) {
		k++
	}
	keep := 0
	if k > 0 {
		keep, _ = strconv.Atoi(spec[:k])
	}
	reverse := k < len(spec) && spec[k]|0x20 == 'r'
	if reverse {
		k++
	}
	delims := spec[k:]
	if delims == "" {
		delims = "."
	}
	parts := strings.FieldsFunc(value, func(r rune) bool { return strings.ContainsRune(delims, r) })
	if reverse {
		slices.Reverse(parts)
	}
	if keep > 0 && keep < len(parts) {
		parts = parts[len(parts)-keep:]
	}
	return strings.Join(parts, ".")
}
