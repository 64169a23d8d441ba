// Package httpfetch is the bounded HTTPS GET that the mtasts and bimi
// packages use to fetch a policy file or an indicator.
//
// It differs from http.Get in what a linter needs:
//
//   - the host name is resolved through a resolver.Resolver (A, then AAAA),
//     so a zone file can point a name at a test server and an offline
//     check can never reach the network through it;
//   - only https: URLs; TLS is verified against the system roots (which
//     honour SSL_CERT_FILE and SSL_CERT_DIR, as Go does) plus the extra
//     roots given;
//   - redirects are refused, not followed (RFC 8461 §3.3);
//   - the body is read up to a size bound, the whole exchange within a
//     time bound, and ctx is honoured throughout;
//   - addresses that are not global (Global: IANA's special-purpose
//     registries, with the IPv4 address NAT64, 6to4 and Teredo embed) are
//     refused unless allowed, both among the host's addresses and on the
//     socket about to connect, so a hostile zone cannot point the fetcher
//     at the machine it runs on or its network;
//   - no proxy from the environment, no cookies, no caching, no
//     connection reuse.
//
// An error is an *Error whose Reason says what failed.
package httpfetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Defaults for the zero Options.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultMaxBytes = 64 << 10
	// MaxAddrs bounds the addresses tried for one host.
	MaxAddrs = 4
)

// Options bound and direct one fetch. The zero value fetches from port 443
// with DefaultTimeout and DefaultMaxBytes, verifying against the system
// roots, and refuses non-global addresses.
type Options struct {
	// Timeout bounds the whole fetch: address lookups, connection, TLS,
	// request and body (DefaultTimeout when 0).
	Timeout time.Duration
	// MaxBytes bounds the body (DefaultMaxBytes when 0); a longer body is
	// an error with Reason TooLarge.
	MaxBytes int64
	// Roots are trusted in addition to the system roots (a test server's
	// own CA).
	Roots []*x509.Certificate
	// Port replaces 443 when dialling (tests: an httptest server's port).
	// The URL, the Host header and the TLS server name are unchanged.
	Port int
	// AllowPrivate permits loopback, private, link-local and every other
	// address Global refuses (tests, or an intranet check).
	AllowPrivate bool
}

// Reason classifies a failed fetch.
type Reason int

const (
	// BadURL: not an absolute https: URL with a host name.
	BadURL Reason = iota + 1
	// Unverified: the host's addresses are outside the loaded zone files
	// and the check is offline (resolver.ErrUnverified); nothing was
	// fetched.
	Unverified
	// DNS: the host name has no A or AAAA records (NXDOMAIN or NODATA).
	DNS
	// DNSTemporary: the address lookup failed (timeout, SERVFAIL, …).
	DNSTemporary
	// Refused: every address is a non-global one and AllowPrivate is off.
	Refused
	// Connect: no address accepted a TCP connection.
	Connect
	// Certificate: the TLS handshake failed or the certificate did not
	// verify for the host name.
	Certificate
	// Redirect: the server answered 3xx; redirects are not followed.
	Redirect
	// Status: the server answered something other than 200.
	Status
	// TooLarge: the body is longer than MaxBytes.
	TooLarge
	// Timeout: the time bound passed.
	Timeout
	// Transport: any other failure (the connection dropped, bad HTTP).
	Transport
)

var reasonNames = [...]string{BadURL: "bad URL", Unverified: "not verified offline", DNS: "no address", DNSTemporary: "address lookup failed",
	Refused: "non-global address refused", Connect: "connection failed", Certificate: "TLS certificate not valid",
	Redirect: "redirect", Status: "HTTP status not 200", TooLarge: "too large", Timeout: "timed out", Transport: "transport failure"}

func (r Reason) String() string {
	if r <= 0 || int(r) >= len(reasonNames) {
		return fmt.Sprintf("reason(%d)", int(r))
	}
	return reasonNames[r]
}

// Error is a failed fetch.
type Error struct {
	URL    string
	Reason Reason
	// StatusCode is the HTTP status for Redirect and Status.
	StatusCode int
	// Location is a redirect's target.
	Location string
	Err      error
}

func (e *Error) Error() string {
	s := "fetch " + e.URL + ": " + e.Reason.String()
	switch {
	case e.Reason == Redirect:
		s += fmt.Sprintf(" (%d to %q)", e.StatusCode, e.Location)
	case e.Reason == Status:
		s += fmt.Sprintf(" (%d %s)", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Result is a successful fetch: status 200 and a body within the bound.
type Result struct {
	URL string `json:"url"`
	// Addr is the address the body came from.
	Addr        string `json:"addr"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"-"`
}

// Get fetches rawURL with a GET. Names are resolved through r; the error
// is an *Error, or ctx's error when ctx was cancelled before the fetch
// began.
func Get(ctx context.Context, r resolver.Resolver, rawURL string, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(reason Reason, err error) (*Result, error) {
		return nil, &Error{URL: rawURL, Reason: reason, Err: err}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fail(BadURL, err)
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return fail(BadURL, errors.New("want https://host/path"))
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	host := u.Hostname()
	port := 443
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return fail(BadURL, fmt.Errorf("bad port %q", p))
		}
	}
	if opts.Port > 0 {
		port = opts.Port
	}
	addrs, reason, err := addresses(ctx, r, host)
	if err != nil {
		if ctx.Err() != nil {
			return fail(Timeout, ctx.Err())
		}
		return fail(reason, err)
	}
	var usable []netip.Addr
	for _, a := range addrs {
		if opts.AllowPrivate || Global(a) {
			usable = append(usable, a)
		}
	}
	if len(usable) == 0 {
		return fail(Refused, fmt.Errorf("%s has only non-global addresses (%v)", host, addrs))
	}
	if len(usable) > MaxAddrs {
		usable = usable[:MaxAddrs]
	}

	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	for _, c := range opts.Roots {
		roots.AddCert(c)
	}
	var (
		mu     sync.Mutex
		used   string
		dialer = opts.dialer()
	)
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var errs []error
			for _, a := range usable {
				addr := netip.AddrPortFrom(a, uint16(port)).String()
				c, err := dialer.DialContext(ctx, "tcp", addr)
				if err == nil {
					mu.Lock()
					used = addr
					mu.Unlock()
					return c, nil
				}
				errs = append(errs, err)
			}
			return nil, &dialError{errors.Join(errs...)}
		},
		TLSClientConfig:        &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12},
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 16 << 10,
		ForceAttemptHTTP2:      false,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(BadURL, err)
	}
	req.Header.Set("User-Agent", "domainlint")
	resp, err := client.Do(req)
	if err != nil {
		return fail(classify(ctx, err), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, &Error{URL: rawURL, Reason: Redirect, StatusCode: resp.StatusCode, Location: resp.Header.Get("Location")}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{URL: rawURL, Reason: Status, StatusCode: resp.StatusCode}
	}
	if resp.ContentLength > maxBytes {
		return fail(TooLarge, fmt.Errorf("Content-Length %d is more than %d bytes", resp.ContentLength, maxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return fail(classify(ctx, err), err)
	}
	if int64(len(body)) > maxBytes {
		return fail(TooLarge, fmt.Errorf("more than %d bytes", maxBytes))
	}
	mu.Lock()
	defer mu.Unlock()
	return &Result{URL: rawURL, Addr: used, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

func classify(ctx context.Context, err error) Reason {
	var de *dialError
	var ce *tls.CertificateVerificationError
	var he x509.HostnameError
	var ue x509.UnknownAuthorityError
	var ie x509.CertificateInvalidError
	switch {
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case errors.Is(err, ErrNotGlobal):
		return Refused
	case errors.As(err, &de):
		return Connect
	case errors.As(err, &ce), errors.As(err, &he), errors.As(err, &ue), errors.As(err, &ie):
		return Certificate
	case strings.Contains(err.Error(), "tls:"):
		return Certificate
	}
	return Transport
}

// addresses looks up host's A and AAAA records through r; an IP literal
// is its own address.
func addresses(ctx context.Context, r resolver.Resolver, host string) ([]netip.Addr, Reason, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, 0, nil
	}
	var out []netip.Addr
	var errs []error
	unverified := 0
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		ans, err := r.Lookup(ctx, host, qt)
		if err != nil {
			if errors.Is(err, resolver.ErrUnverified) {
				unverified++
			}
			errs = append(errs, err)
			continue
		}
		out = append(out, ans.Addrs()...)
	}
	switch {
	case len(out) > 0:
		return out, 0, nil
	case unverified > 0:
		return nil, Unverified, errors.Join(errs...)
	case len(errs) > 0:
		var re *resolver.Error
		if errors.As(errs[0], &re) && errors.Is(re.Err, resolver.ErrInvalidName) {
			return nil, BadURL, errors.Join(errs...)
		}
		return nil, DNSTemporary, errors.Join(errs...)
	}
	return nil, DNS, fmt.Errorf("%s has no A or AAAA records", host)
}

// ErrNotGlobal is wrapped by the error of a dial the guard refused: the
// address about to be dialled is not global (Global).
var ErrNotGlobal = errors.New("non-global address refused")

// dialer returns the dialer a fetch uses: Dialer(o.AllowPrivate).
func (o Options) dialer() *net.Dialer { return Dialer(o.AllowPrivate) }

// Dialer returns the guarded dialer fetches use, for other protocols that
// dial addresses a domain names (the SMTP probe): unless allowPrivate, it
// checks the address it is about to connect to, as the socket has it,
// with Global, so whatever led to that address a non-global one is never
// dialled (the error wraps ErrNotGlobal).
func Dialer(allowPrivate bool) *net.Dialer {
	if allowPrivate {
		return &net.Dialer{}
	}
	return &net.Dialer{ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !Global(ap.Addr()) {
			return fmt.Errorf("%w: %s", ErrNotGlobal, address)
		}
		return nil
	}}
}
