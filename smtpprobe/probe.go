package smtpprobe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/domainlint/domainlint/internal/httpfetch"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Defaults for the zero Options.
const (
	DefaultPort             = 25
	DefaultEHLOName         = "domainlint.invalid"
	DefaultConnectTimeout   = 10 * time.Second
	DefaultBannerTimeout    = 30 * time.Second
	DefaultCommandTimeout   = 10 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultMaxLineBytes is four times RFC 5321's 512 octets (§4.5.3.1.5).
	DefaultMaxLineBytes  = 2048
	DefaultMaxReplyBytes = 64 << 10
	DefaultMaxHosts      = 10
	DefaultMaxAddrs      = 4
	DefaultMaxConns      = 32
	DefaultMaxPerIP      = 2
	// MaxTranscriptLines bounds the lines of a session's Transcript, and
	// MaxTranscriptLine each line; MaxDetailBytes bounds a Detail.
	MaxTranscriptLines = 64
	MaxTranscriptLine  = 512
	MaxDetailBytes     = 512
)

// Options configure a Prober. The zero value probes port 25 with the
// defaults above, verifies against the system roots, and refuses
// non-global addresses.
type Options struct {
	// Port replaces 25 (tests: a server on a high port).
	Port int
	// EHLOName is the name sent in EHLO: a host name or an address
	// literal ([192.0.2.1]); DefaultEHLOName when empty.
	EHLOName string
	// ConnectTimeout bounds the TCP connection, BannerTimeout the wait for
	// the whole greeting, CommandTimeout each command's whole reply, and
	// HandshakeTimeout the TLS handshake.
	ConnectTimeout, BannerTimeout, CommandTimeout, HandshakeTimeout time.Duration
	// MaxLineBytes bounds a reply line and MaxReplyBytes a whole reply;
	// past either the session ends with a ProtocolError.
	MaxLineBytes, MaxReplyBytes int
	// MaxHosts bounds the MX hosts probed per domain (by preference) and
	// MaxAddrs the addresses probed per host (IPv4 first).
	MaxHosts, MaxAddrs int
	// MaxConns bounds the connections open at once across everything the
	// Prober does; MaxPerIP those to one destination address.
	MaxConns, MaxPerIP int
	// Roots are trusted in addition to the system roots (SSL_CERT_FILE and
	// SSL_CERT_DIR honoured).
	Roots []*x509.Certificate
	// Time is the time certificates are verified at; the current time
	// when zero.
	Time time.Time
	// AllowPrivate permits loopback, private, link-local and every other
	// address httpfetch.Global refuses (tests, intranets).
	AllowPrivate bool
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt(&o.Port, DefaultPort)
	if o.EHLOName == "" {
		o.EHLOName = DefaultEHLOName
	}
	def(&o.ConnectTimeout, DefaultConnectTimeout)
	def(&o.BannerTimeout, DefaultBannerTimeout)
	def(&o.CommandTimeout, DefaultCommandTimeout)
	def(&o.HandshakeTimeout, DefaultHandshakeTimeout)
	defInt(&o.MaxLineBytes, DefaultMaxLineBytes)
	defInt(&o.MaxReplyBytes, DefaultMaxReplyBytes)
	defInt(&o.MaxHosts, DefaultMaxHosts)
	defInt(&o.MaxAddrs, DefaultMaxAddrs)
	defInt(&o.MaxConns, DefaultMaxConns)
	defInt(&o.MaxPerIP, DefaultMaxPerIP)
	return o
}

// Prober probes mail servers. It holds the connection limits shared by
// every probe made through it (a scan shares one Prober) and is safe for
// concurrent use.
type Prober struct {
	opts   Options
	lim    *limiter
	roots  *x509.CertPool
	dialer *net.Dialer
	replay *Recording
}

// New returns a Prober. The error is for an invalid EHLOName or Port.
func New(opts Options) (*Prober, error) {
	opts = opts.withDefaults()
	if !validEHLOName(opts.EHLOName) {
		return nil, fmt.Errorf("smtpprobe: EHLO name %q is not a host name or an address literal", opts.EHLOName)
	}
	if opts.Port > 65535 {
		return nil, fmt.Errorf("smtpprobe: port %d out of range", opts.Port)
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	for _, c := range opts.Roots {
		roots.AddCert(c)
	}
	return &Prober{opts: opts, lim: newLimiter(opts.MaxConns, opts.MaxPerIP), roots: roots, dialer: httpfetch.Dialer(opts.AllowPrivate)}, nil
}

// validEHLOName: a host name of letters, digits, hyphens and dots, or an
// address literal: nothing that could end the command line.
func validEHLOName(s string) bool {
	if lit, ok := strings.CutPrefix(s, "["); ok {
		lit, ok = strings.CutSuffix(lit, "]")
		if !ok {
			return false
		}
		_, err := netip.ParseAddr(strings.TrimPrefix(lit, "IPv6:"))
		return err == nil
	}
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Status is the outcome of probing one address of an MX host (or the
// host, when it has none), or of a whole report.
type Status string

const (
	// OK: STARTTLS offered and a TLS handshake completed.
	OK Status = "ok"
	// NoSTARTTLS: the server does not offer STARTTLS after EHLO (or does
	// not speak ESMTP: EHLO refused with 500 or 502).
	NoSTARTTLS Status = "no-starttls"
	// TLSFailed: STARTTLS offered but refused (454 and the like), or the
	// TLS handshake failed.
	TLSFailed Status = "tls-failed"
	// Refused: the TCP connection was refused.
	Refused Status = "refused"
	// Timeout: a time bound passed (Stage says which).
	Timeout Status = "timeout"
	// Unreachable: no route, or another failure to connect.
	Unreachable Status = "unreachable"
	// Rejected: the server's greeting or its answer to EHLO was 4xx or
	// 5xx (a busy server, or one that refuses the prober's address).
	Rejected Status = "rejected"
	// ProtocolViolation: a reply that is not SMTP, or breaks the bounds
	// on its size (Detail says how).
	ProtocolViolation Status = "protocol-error"
	// Dropped: the server closed the connection mid-session.
	Dropped Status = "dropped"
	// NoAddress: the host has no A or AAAA records.
	NoAddress Status = "no-address"
	// DNSFailed: the host's address lookup failed.
	DNSFailed Status = "dns-failed"
	// NotChecked: not probed — a non-global address, a name not verified
	// offline, an address missing from a replayed recording; for a
	// Report, no server answered at all (port 25 not reachable from here,
	// or nothing to probe).
	NotChecked Status = "not-checked"
)

// HostResult is what one address of one MX host said (or why it was not
// asked).
type HostResult struct {
	Host       string `json:"host"`
	Preference uint16 `json:"preference"`
	// Addr is the address and port probed; empty when the host has none.
	Addr   string `json:"addr,omitempty"`
	Status Status `json:"status"`
	// Stage is where the session stopped short of OK: "dns", "connect",
	// "banner", "ehlo", "starttls", "handshake"; empty when OK.
	Stage string `json:"stage,omitempty"`
	// Detail says why, for a status other than OK.
	Detail string `json:"detail,omitempty"`
	// Transcript is the exchange before TLS, "S: " lines from the server
	// and "C: " lines from the prober (bounded: MaxTranscriptLines lines
	// of MaxTranscriptLine bytes).
	Transcript []string `json:"transcript,omitempty"`
	// Extensions are the EHLO keywords, upper case.
	Extensions []string `json:"extensions,omitempty"`
	// STARTTLS is whether EHLO offered it.
	STARTTLS bool `json:"starttls"`
	TLS      *TLS `json:"tls,omitempty"`
}

// Reached reports whether a TCP connection was made: the address is
// reachable on the SMTP port from here, whatever happened next.
func (h *HostResult) Reached() bool {
	switch h.Status {
	case OK, NoSTARTTLS, TLSFailed, Rejected, ProtocolViolation, Dropped:
		return true
	case Timeout:
		return h.Stage != "connect" && h.Stage != "dns"
	}
	return false
}

// Report is what a domain's mail servers said.
type Report struct {
	Domain string `json:"domain"`
	// Status is OK when at least one server was reached, NotChecked
	// when none was (Detail says why: port 25 is commonly blocked from
	// where scanners run, and a domain is not failed for that).
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Hosts are the results by MX preference, one per address.
	Hosts []HostResult `json:"hosts"`
	// Truncated: MX hosts past Options.MaxHosts were left out.
	Truncated bool `json:"truncated,omitempty"`
}

// Probe asks each MX host of domain (in.MX, or the domain's MX records
// looked up through r: at most Options.MaxHosts by preference; a null MX
// has none, a domain without MX is its own host) over SMTP: its
// addresses (A, then AAAA, through r; at most Options.MaxAddrs), each
// connected to on Options.Port, greeting read, EHLO, STARTTLS, a TLS
// handshake that records what the server presents, then QUIT. No mail is
// sent. Addresses are probed concurrently within the Prober's limits.
// The findings are Check's. The error is for an invalid domain or
// Input.MX host, a cancelled context or a spent DNS budget; everything a
// server does is a status. A replaying Prober (NewReplay) asks r only
// for the MX records, and not at all when Input.MX is given (r may then
// be nil).
func (p *Prober) Probe(ctx context.Context, r resolver.Resolver, domain string, in Input) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Domain: strings.TrimSuffix(name, "."), Hosts: []HostResult{}}
	hosts, truncated, err := p.hosts(ctx, r, name, in.MX)
	if err != nil {
		return nil, nil, err
	}
	rep.Truncated = truncated
	type job struct {
		i    int
		addr netip.Addr
	}
	var jobs []job
	for _, h := range hosts {
		res, err := p.addresses(ctx, r, h)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range res {
			if x.Addr != "" {
				if ap, err := netip.ParseAddrPort(x.Addr); err == nil {
					jobs = append(jobs, job{len(rep.Hosts), ap.Addr()})
				}
			}
			rep.Hosts = append(rep.Hosts, x)
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := &rep.Hosts[j.i]
			*h = p.probeAddr(ctx, *h, j.addr)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	summarizeReport(rep)
	return rep, Check(rep, in), nil
}

// summarizeReport sets the report's status from its hosts'.
func summarizeReport(rep *Report) {
	rep.Status = NotChecked
	count := map[Status]int{}
	for i := range rep.Hosts {
		if rep.Hosts[i].Reached() {
			rep.Status, rep.Detail = OK, ""
			return
		}
		count[rep.Hosts[i].Status]++
	}
	switch {
	case len(rep.Hosts) == 0:
		rep.Detail = "no MX host to probe"
	case count[Refused]+count[Timeout]+count[Unreachable] > 0:
		rep.Detail = "no mail server answered on the SMTP port from here (every connection refused, timed out or unreachable): outbound port 25 may be blocked on this network"
	default:
		rep.Detail = "no address was probed"
	}
}

// hosts returns the MX hosts to probe, by preference.
func (p *Prober) hosts(ctx context.Context, r resolver.Resolver, name string, given []string) ([]HostResult, bool, error) {
	var out []HostResult
	add := func(h string, pref uint16) {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		if h == "" || slices.ContainsFunc(out, func(x HostResult) bool { return x.Host == h }) {
			return
		}
		out = append(out, HostResult{Host: h, Preference: pref})
	}
	if given != nil {
		for _, h := range given {
			if _, err := netip.ParseAddr(h); err != nil {
				if _, err := resolver.CanonicalName(h); err != nil {
					return nil, false, fmt.Errorf("smtpprobe: MX host %q: %w", h, err)
				}
			}
			add(h, 0)
		}
	} else {
		a, err := r.Lookup(ctx, name, dns.TypeMX)
		switch {
		case err != nil && (ctx.Err() != nil || errors.Is(err, resolver.ErrBudget)):
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			return nil, false, err
		case err != nil:
			return []HostResult{{Host: strings.TrimSuffix(name, "."), Status: statusOfDNS(err), Stage: "dns",
				Detail: clip("the MX lookup failed: "+err.Error(), MaxDetailBytes)}}, false, nil
		}
		var mxs []*dns.MX
		null := false
		for _, rr := range a.Records {
			if mx, ok := rr.(*dns.MX); ok {
				if mx.Mx == "." {
					null = true
					continue
				}
				mxs = append(mxs, mx)
			}
		}
		slices.SortStableFunc(mxs, func(x, y *dns.MX) int { return int(x.Preference) - int(y.Preference) })
		for _, mx := range mxs {
			add(mx.Mx, mx.Preference)
		}
		if len(out) == 0 && !null && !a.NXDomain() {
			add(name, 0) // RFC 5321 §5.1: the implicit MX
		}
	}
	if len(out) > p.opts.MaxHosts {
		return out[:p.opts.MaxHosts], true, nil
	}
	return out, false, nil
}

func statusOfDNS(err error) Status {
	if resolver.Unanswered(err) {
		return NotChecked
	}
	return DNSFailed
}

// addresses resolves h: one result per address to probe (IPv4 first, at
// most MaxAddrs), or one result saying why there is none. Non-global
// addresses are results with status NotChecked unless AllowPrivate.
func (p *Prober) addresses(ctx context.Context, r resolver.Resolver, h HostResult) ([]HostResult, error) {
	if h.Status != "" {
		return []HostResult{h}, nil
	}
	if p.replay != nil {
		return p.replay.results(h, p.opts.MaxAddrs), nil
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(h.Host); err == nil {
		addrs = append(addrs, a.Unmap())
	} else {
		var errs []error
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			ans, err := r.Lookup(ctx, h.Host, qt)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if errors.Is(err, resolver.ErrBudget) {
					return nil, err
				}
				errs = append(errs, err)
				continue
			}
			for _, a := range ans.Addrs() {
				addrs = append(addrs, a.Unmap())
			}
		}
		if len(addrs) == 0 {
			h.Stage = "dns"
			if len(errs) > 0 {
				h.Status = statusOfDNS(errs[0])
				for _, e := range errs {
					if !resolver.Unanswered(e) {
						h.Status = DNSFailed
					}
				}
				h.Detail = clip("the address lookup failed: "+errors.Join(errs...).Error(), MaxDetailBytes)
			} else {
				h.Status, h.Detail = NoAddress, h.Host+" has no A or AAAA records"
			}
			return []HostResult{h}, nil
		}
	}
	var out []HostResult
	seen := map[netip.Addr]bool{}
	for _, a := range addrs {
		if seen[a] || len(out) == p.opts.MaxAddrs {
			continue
		}
		seen[a] = true
		x := h
		x.Addr = netip.AddrPortFrom(a, uint16(p.opts.Port)).String()
		if !p.opts.AllowPrivate && !httpfetch.Global(a) {
			x.Status, x.Stage, x.Detail = NotChecked, "connect", "a non-global address ("+a.String()+"): not probed"
		}
		out = append(out, x)
	}
	return out, nil
}

// probeAddr runs a session with one address, and a second one offering
// only TLS 1.2 and later when the first negotiated less.
func (p *Prober) probeAddr(ctx context.Context, h HostResult, a netip.Addr) HostResult {
	if h.Status != "" {
		return h
	}
	res := p.session(ctx, h, a, 0)
	if res.TLS != nil && res.TLS.VersionID < tls.VersionTLS12 {
		again := p.session(ctx, h, a, tls.VersionTLS12)
		res.TLS.AcceptsTLS12 = again.Status == OK
	}
	return res
}

// session is one SMTP session with address a of host h.
func (p *Prober) session(ctx context.Context, h HostResult, a netip.Addr, minTLS uint16) (res HostResult) {
	res = h
	fail := func(st Status, stage, detail string) HostResult {
		res.Status, res.Stage, res.Detail = st, stage, clip(Sanitize(detail), MaxDetailBytes)
		return res
	}
	release, err := p.lim.acquire(ctx, a)
	if err != nil {
		return fail(Timeout, "connect", "waiting for a connection slot: "+err.Error())
	}
	defer release()

	dctx, cancel := context.WithTimeout(ctx, p.opts.ConnectTimeout)
	conn, err := p.dialer.DialContext(dctx, "tcp", h.Addr)
	cancel()
	if err != nil {
		return fail(dialStatus(err), "connect", err.Error())
	}
	defer conn.Close()
	// A cancelled ctx ends whatever the session is blocked in.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	s := &smtpConn{p: p, conn: conn, r: bufio.NewReaderSize(conn, 4096), res: &res}
	deadline := func(d time.Duration) { conn.SetDeadline(time.Now().Add(d)) }

	deadline(p.opts.BannerTimeout)
	banner, err := s.read()
	if err != nil {
		return s.fail("banner", err)
	}
	if banner.Code != 220 {
		s.quit()
		return fail(Rejected, "banner", fmt.Sprintf("the greeting is %d, not 220", banner.Code))
	}
	deadline(p.opts.CommandTimeout)
	ehlo, err := s.cmd("EHLO " + p.opts.EHLOName)
	if err != nil {
		return s.fail("ehlo", err)
	}
	switch {
	case ehlo.Code == 500 || ehlo.Code == 502:
		s.quit()
		return fail(NoSTARTTLS, "ehlo", fmt.Sprintf("EHLO answered %d: the server does not speak ESMTP, so it cannot offer STARTTLS", ehlo.Code))
	case ehlo.Code != 250:
		s.quit()
		return fail(Rejected, "ehlo", fmt.Sprintf("EHLO answered %d", ehlo.Code))
	}
	res.Extensions = nil
	for _, l := range ehlo.Lines[1:] {
		kw, _, _ := strings.Cut(l, " ")
		kw = strings.ToUpper(kw)
		if len(res.Extensions) < maxExtensions {
			res.Extensions = append(res.Extensions, clip(kw, 64))
		}
		if kw == "STARTTLS" {
			res.STARTTLS = true
		}
	}
	if !res.STARTTLS {
		s.quit()
		return fail(NoSTARTTLS, "ehlo", "EHLO does not offer STARTTLS")
	}
	deadline(p.opts.CommandTimeout)
	st, err := s.cmd("STARTTLS")
	if err != nil {
		return s.fail("starttls", err)
	}
	if st.Code != 220 {
		s.quit()
		return fail(TLSFailed, "starttls", fmt.Sprintf("STARTTLS answered %d %s", st.Code, strings.Join(st.Lines, " ")))
	}
	if n := s.r.Buffered(); n > 0 {
		// RFC 3207 §5: nothing may follow the 220 in the clear; it would
		// be read as if it came over TLS. It is dropped, not read.
		res.Transcript = appendLine(res.Transcript, fmt.Sprintf("(%d bytes after the 220 before TLS, dropped)", n))
	}
	// Everything is offered, old versions and suites too, to see what the
	// server negotiates; the chain is verified afterwards (verify), not
	// by the handshake. No mail follows.
	cfg := &tls.Config{ServerName: serverName(h.Host), InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, CipherSuites: allSuites()}
	if minTLS != 0 {
		cfg.MinVersion = minTLS
	}
	tc := tls.Client(conn, cfg)
	hctx, hcancel := context.WithTimeout(ctx, p.opts.HandshakeTimeout)
	deadline(p.opts.HandshakeTimeout)
	err = tc.HandshakeContext(hctx)
	hcancel()
	if err != nil {
		if isTimeout(err) {
			return fail(Timeout, "handshake", "the TLS handshake did not finish within "+p.opts.HandshakeTimeout.String())
		}
		return fail(TLSFailed, "handshake", "TLS handshake: "+err.Error())
	}
	res.TLS = tlsInfo(tc.ConnectionState(), h.Host, p.roots, p.now())
	res.Status, res.Stage, res.Detail = OK, "", ""
	// QUIT over TLS; its answer does not change the outcome.
	deadline(p.opts.CommandTimeout)
	s.conn, s.r = tc, bufio.NewReaderSize(tc, 4096)
	s.quiet = true
	s.quit()
	return res
}

// allSuites are the TLS 1.0 to 1.2 cipher suites crypto/tls implements,
// secure ones first.
func allSuites() []uint16 {
	var ids []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, cs.ID)
	}
	return ids
}

func (p *Prober) now() time.Time {
	if !p.opts.Time.IsZero() {
		return p.opts.Time
	}
	return time.Now()
}

// serverName is the SNI to send: none for an address literal.
func serverName(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	return host
}

// smtpConn is a session's connection, reading bounded replies and
// keeping the transcript.
type smtpConn struct {
	p     *Prober
	conn  net.Conn
	r     *bufio.Reader
	res   *HostResult
	quiet bool // after TLS: the transcript is the clear part only
}

func (s *smtpConn) read() (Reply, error) {
	rep, err := readReply(s.r, s.p.opts.MaxLineBytes, s.p.opts.MaxReplyBytes)
	if !s.quiet {
		for i, l := range rep.Lines {
			sep := "-"
			if i == len(rep.Lines)-1 && err == nil {
				sep = " "
			}
			s.res.Transcript = appendLine(s.res.Transcript, fmt.Sprintf("S: %03d%s%s", rep.Code, sep, l))
		}
	}
	return rep, err
}

func (s *smtpConn) cmd(line string) (Reply, error) {
	if !s.quiet {
		s.res.Transcript = appendLine(s.res.Transcript, "C: "+line)
	}
	if _, err := s.conn.Write([]byte(line + "\r\n")); err != nil {
		return Reply{}, err
	}
	return s.read()
}

// quit says QUIT and reads the answer within CommandTimeout, ignoring
// what happens.
func (s *smtpConn) quit() {
	s.conn.SetDeadline(time.Now().Add(s.p.opts.CommandTimeout))
	s.cmd("QUIT")
}

// fail classifies a failed read or write at stage.
func (s *smtpConn) fail(stage string, err error) HostResult {
	res := s.res
	res.Stage = stage
	var pe *ProtocolError
	switch {
	case errors.As(err, &pe):
		res.Status = ProtocolViolation
		res.Detail = fmt.Sprintf("%s: %s", stage, pe.Reason)
		switch pe.Reason {
		case LineTooLong:
			res.Detail += fmt.Sprintf(" (more than %d bytes in one line)", s.p.opts.MaxLineBytes)
		case ReplyTooLarge:
			res.Detail += fmt.Sprintf(" (more than %d bytes; a reply that never ends)", s.p.opts.MaxReplyBytes)
		}
	case isTimeout(err):
		res.Status = Timeout
		d := s.p.opts.CommandTimeout
		what := "the reply"
		if stage == "banner" {
			d, what = s.p.opts.BannerTimeout, "the greeting"
		}
		res.Detail = fmt.Sprintf("%s did not come within %s", what, d)
	default:
		res.Status = Dropped
		res.Detail = clip(Sanitize(stage+": the connection ended: "+err.Error()), MaxDetailBytes)
	}
	return *res
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// dialStatus classifies a failed connection.
func dialStatus(err error) Status {
	switch {
	case errors.Is(err, httpfetch.ErrNotGlobal):
		return NotChecked
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case isTimeout(err):
		return Timeout
	}
	return Unreachable
}

func appendLine(t []string, line string) []string {
	if len(t) >= MaxTranscriptLines {
		return t
	}
	if len(t) == MaxTranscriptLines-1 {
		return append(t, "(transcript cut)")
	}
	return append(t, clip(line, MaxTranscriptLine))
}

// clip cuts s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
