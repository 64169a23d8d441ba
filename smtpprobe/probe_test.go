package smtpprobe_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/smtpprobe"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRules(t *testing.T) {
	if err := lint.Validate(smtpprobe.Rules()); err != nil {
		t.Fatal(err)
	}
	for _, r := range smtpprobe.Rules() {
		if !strings.HasPrefix(r.ID, "smtp.") || !strings.Contains(r.Citation, "RFC") {
			t.Errorf("%s: want an smtp.* ID and an RFC citation, have %q", r.ID, r.Citation)
		}
	}
}

// testOptions are short bounds for servers on loopback.
func testOptions(port int, roots ...*x509.Certificate) smtpprobe.Options {
	return smtpprobe.Options{Port: port, AllowPrivate: true, Roots: roots,
		ConnectTimeout: 2 * time.Second, BannerTimeout: time.Second, CommandTimeout: time.Second, HandshakeTimeout: 3 * time.Second}
}

func newProber(t testing.TB, o smtpprobe.Options) *smtpprobe.Prober {
	t.Helper()
	p, err := smtpprobe.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func rules(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Rule)
	}
	return out
}

// probeOne probes mx.fault.test (127.0.0.1) through a server with handle.
func probeOne(t *testing.T, o smtpprobe.Options, in smtpprobe.Input) (*smtpprobe.Report, []lint.Finding) {
	t.Helper()
	r := zones(t, "fault.test", "@ IN MX 10 mx\nmx IN A 127.0.0.1\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, fs, err := newProber(t, o).Probe(ctx, r, "fault.test", in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 1 {
		t.Fatalf("%d results, want 1: %+v", len(rep.Hosts), rep.Hosts)
	}
	return rep, fs
}

// TestFaults: the Go server plays what Postfix will not: stalls, a
// megabyte banner, a banner that never ends, no STARTTLS, TLS 1.0 only,
// STARTTLS refused, a handshake that fails, a greeting that refuses.
// Each ends in its status, at its stage, within its bound, with its
// findings.
func TestFaults(t *testing.T) {
	ca := newCA(t)
	good := ca.valid(t, "mx.fault.test").tls()
	expired := ca.issue(t, time.Now().Add(-72*time.Hour), time.Now().Add(-48*time.Hour), "mx.fault.test").tls()
	wrongName := ca.valid(t, "other.fault.test").tls()
	self := selfSigned(t, "mx.fault.test").tls()
	raw := func(s string) func(net.Conn) {
		return func(c net.Conn) { c.Write([]byte(s)); drain(bufio.NewReader(c)) }
	}
	tests := []struct {
		name    string
		handle  func(net.Conn)
		status  smtpprobe.Status
		stage   string
		detail  string
		want    []string
		maxTime time.Duration
	}{
		{name: "ok", handle: handleSMTP(smtpConf{cert: &good}), status: smtpprobe.OK},
		{name: "multi-line banner", handle: handleSMTP(smtpConf{cert: &good, banner: []string{"220-fake.test ESMTP", "220-no UCE", "220 really"}}), status: smtpprobe.OK},
		{name: "no STARTTLS", handle: handleSMTP(smtpConf{noSTARTTLS: true}), status: smtpprobe.NoSTARTTLS, stage: "ehlo",
			want: []string{"warning smtp.no-starttls"}},
		{name: "TLS 1.0 only", handle: handleSMTP(smtpConf{cert: &good, maxTLS: tls.VersionTLS10}), status: smtpprobe.OK,
			want: []string{"error smtp.tls-version"}},
		{name: "STARTTLS refused", handle: handleSMTP(smtpConf{cert: &good, starttlsReply: "454 4.7.0 TLS not available"}), status: smtpprobe.TLSFailed, stage: "starttls",
			detail: "454", want: []string{"error smtp.starttls-failed"}},
		{name: "handshake fails", handle: func(c net.Conn) {
			handleSMTP(smtpConf{cert: &good, starttlsReply: "220 go ahead, but no TLS follows"})(c)
		}, status: smtpprobe.TLSFailed, stage: "handshake", want: []string{"error smtp.starttls-failed"}},
		{name: "expired", handle: handleSMTP(smtpConf{cert: &expired}), status: smtpprobe.OK, want: []string{"warning smtp.cert-expired"}},
		{name: "wrong name", handle: handleSMTP(smtpConf{cert: &wrongName}), status: smtpprobe.OK, want: []string{"warning smtp.cert-name"}},
		{name: "self-signed", handle: handleSMTP(smtpConf{cert: &self}), status: smtpprobe.OK, want: []string{"info smtp.cert-untrusted"}},
		{name: "greeting refuses", handle: handleSMTP(smtpConf{banner: []string{"554 5.7.1 no service for you"}}), status: smtpprobe.Rejected, stage: "banner"},
		{name: "stall before greeting", handle: raw(""), status: smtpprobe.Timeout, stage: "banner",
			want: []string{"warning smtp.unreachable"}, maxTime: 3 * time.Second},
		{name: "stall after EHLO", handle: handleSMTP(smtpConf{stallAfter: "EHLO"}), status: smtpprobe.Timeout, stage: "ehlo",
			want: []string{"warning smtp.unreachable"}, maxTime: 3 * time.Second},
		{name: "stall after STARTTLS", handle: handleSMTP(smtpConf{cert: &good, stallAfter: "STARTTLS"}), status: smtpprobe.Timeout, stage: "starttls",
			want: []string{"warning smtp.unreachable"}, maxTime: 3 * time.Second},
		{name: "dribbled greeting", handle: func(c net.Conn) {
			for i := 0; i < 100; i++ {
				if _, err := c.Write([]byte("2")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}, status: smtpprobe.Timeout, stage: "banner", want: []string{"warning smtp.unreachable"}, maxTime: 3 * time.Second},
		{name: "megabyte banner", handle: raw("220 " + strings.Repeat("x", 1<<20) + "\r\n"), status: smtpprobe.ProtocolViolation, stage: "banner",
			detail: "reply line too long", want: []string{"warning smtp.protocol"}, maxTime: 3 * time.Second},
		{name: "banner that never ends", handle: func(c net.Conn) {
			for {
				if _, err := c.Write([]byte("220-and more\r\n")); err != nil {
					return
				}
			}
		}, status: smtpprobe.ProtocolViolation, stage: "banner", detail: "reply too large", want: []string{"warning smtp.protocol"}, maxTime: 3 * time.Second},
		{name: "HTTP, not SMTP", handle: raw("HTTP/1.1 400 Bad Request\r\n\r\n"), status: smtpprobe.ProtocolViolation, stage: "banner",
			detail: "not an SMTP reply line", want: []string{"warning smtp.protocol"}},
		{name: "closed at once", handle: func(c net.Conn) {}, status: smtpprobe.Dropped, stage: "banner", want: []string{"warning smtp.unreachable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := listen(t, "127.0.0.1:0", tc.handle)
			o := testOptions(srv.Port, ca.root)
			if tc.maxTime > 0 {
				// The bound, not the test's patience, ends the session.
				o.BannerTimeout = tc.maxTime / 3
				o.CommandTimeout = tc.maxTime / 3
			}
			start := time.Now()
			rep, fs := probeOne(t, o, smtpprobe.Input{})
			elapsed := time.Since(start)
			h := rep.Hosts[0]
			if h.Status != tc.status || h.Stage != tc.stage || !strings.Contains(h.Detail, tc.detail) {
				t.Errorf("status %s at %q (%s), want %s at %q with %q", h.Status, h.Stage, h.Detail, tc.status, tc.stage, tc.detail)
			}
			if got := rules(fs); !slices.Equal(got, tc.want) {
				t.Errorf("findings %q, want %q\n%v", got, tc.want, fs)
			}
			if tc.maxTime > 0 && elapsed > tc.maxTime {
				t.Errorf("took %v, want at most %v", elapsed, tc.maxTime)
			}
			if rep.Status != smtpprobe.OK {
				t.Errorf("report status %s, want ok: the server was reached", rep.Status)
			}
			if h.Status == smtpprobe.OK {
				if h.TLS == nil || len(h.TLS.Chain) == 0 || len(h.TLS.Chain[0].DER) == 0 || h.TLS.CipherSuite == "" {
					t.Fatalf("no TLS details: %+v", h.TLS)
				}
				if !slices.Contains(h.Transcript, "C: STARTTLS") {
					t.Errorf("transcript %q lacks STARTTLS", h.Transcript)
				}
			}
			for _, f := range fs {
				if !strings.HasPrefix(f.Message, "mx.fault.test (127.0.0.1:") {
					t.Errorf("message %q does not name the host and address", f.Message)
				}
			}
		})
	}
}

// TestTLSDetails: what a good session records, and the TLS 1.0 server's
// refusal of TLS 1.2 found by a second session.
func TestTLSDetails(t *testing.T) {
	ca := newCA(t)
	l := ca.valid(t, "mx.fault.test")
	good := l.tls()
	srv := listen(t, "127.0.0.1:0", handleSMTP(smtpConf{cert: &good, banner: []string{"220-fake.test ESMTP", "220 hello"}}))
	rep, _ := probeOne(t, testOptions(srv.Port, ca.root), smtpprobe.Input{})
	h := rep.Hosts[0]
	tl := h.TLS
	if tl.VersionID != tls.VersionTLS13 || tl.Version != "TLS 1.3" || !tl.AcceptsTLS12 || !tl.Trusted || !tl.NameMatches || tl.Expired || tl.VerifyError != "" {
		t.Errorf("TLS %+v", tl)
	}
	if len(tl.Chain) != 2 || tl.Chain[0].SPKISHA256 != l.spki() || !slices.Equal(tl.Chain[0].DNSNames, []string{"mx.fault.test"}) || !tl.Chain[1].IsCA {
		t.Errorf("chain %+v", tl.Chain)
	}
	want := []string{"S: 220-fake.test ESMTP", "S: 220 hello", "C: EHLO domainlint.invalid", "S: 250-fake.test", "S: 250-STARTTLS", "S: 250 8BITMIME", "C: STARTTLS", "S: 220 2.0.0 go ahead"}
	if !slices.Equal(h.Transcript, want) {
		t.Errorf("transcript\n%q\nwant\n%q", h.Transcript, want)
	}
	if !slices.Equal(h.Extensions, []string{"STARTTLS", "8BITMIME"}) || !h.STARTTLS {
		t.Errorf("extensions %q", h.Extensions)
	}

	// TLS 1.0 (or 1.1) only: the second session, offering TLS 1.2 and
	// 1.3 only, fails.
	for _, tc := range []struct {
		min, max uint16
		accepts  bool
		sev      string
	}{{tls.VersionTLS10, tls.VersionTLS10, false, "error"}, {tls.VersionTLS10, tls.VersionTLS11, false, "error"}} {
		srv := listen(t, "127.0.0.1:0", handleSMTP(smtpConf{cert: &good, minTLS: tc.min, maxTLS: tc.max}))
		rep, fs := probeOne(t, testOptions(srv.Port, ca.root), smtpprobe.Input{})
		tl := rep.Hosts[0].TLS
		if tl == nil || tl.VersionID != tc.max || tl.AcceptsTLS12 != tc.accepts {
			t.Errorf("max %x: TLS %+v", tc.max, tl)
		}
		if len(fs) != 1 || fs[0].Severity.String() != tc.sev || !strings.Contains(fs[0].Message, "refuses TLS 1.2") {
			t.Errorf("max %x: findings %v", tc.max, fs)
		}
		if conns, _ := srv.stats(); conns != 2 {
			t.Errorf("max %x: %d connections, want 2 (the second offers TLS 1.2 and later only)", tc.max, conns)
		}
	}
}

// TestNotChecked: when no server answers on the port (refused or timed
// out everywhere, as where port 25 is blocked), the report is not
// checked and the domain has no findings; an address that fails beside
// one that answers is a finding.
func TestNotChecked(t *testing.T) {
	// A port nothing listens on, on 127.0.0.1 and 127.0.0.2.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := zones(t, "blocked.test", "@ IN MX 10 mx1\n@ IN MX 20 mx2\nmx1 IN A 127.0.0.1\nmx2 IN A 127.0.0.2\n")
	p := newProber(t, testOptions(port))
	rep, fs, err := p.Probe(context.Background(), r, "blocked.test", smtpprobe.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != smtpprobe.NotChecked || !strings.Contains(rep.Detail, "port 25 may be blocked") || len(fs) != 0 {
		t.Errorf("status %s (%s), findings %v; want not-checked and none", rep.Status, rep.Detail, fs)
	}
	for _, h := range rep.Hosts {
		if h.Status != smtpprobe.Refused || h.Stage != "connect" {
			t.Errorf("%s: %s at %s", h.Addr, h.Status, h.Stage)
		}
	}

	// mx1 answers now; mx2 still refuses.
	ca := newCA(t)
	good := ca.valid(t, "mx1.blocked.test").tls()
	listen(t, fmt.Sprintf("127.0.0.1:%d", port), handleSMTP(smtpConf{cert: &good}))
	p = newProber(t, testOptions(port, ca.root))
	rep, fs, err = p.Probe(context.Background(), r, "blocked.test", smtpprobe.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != smtpprobe.OK || !slices.Equal(rules(fs), []string{"warning smtp.unreachable"}) || fs[0].Name != "mx2.blocked.test" {
		t.Errorf("status %s, findings %v", rep.Status, fs)
	}
}

// TestRefusesNonGlobal: without AllowPrivate, loopback and private
// addresses are never dialled: not-checked, and the server sees nothing.
func TestRefusesNonGlobal(t *testing.T) {
	srv := listen(t, "127.0.0.1:0", handleSMTP(smtpConf{noSTARTTLS: true}))
	o := testOptions(srv.Port)
	o.AllowPrivate = false
	r := zones(t, "private.test", "@ IN MX 10 mx\n@ IN MX 20 ten\n@ IN MX 30 lit.\nmx IN A 127.0.0.1\nten IN A 10.0.0.1\nmx IN AAAA ::1\n")
	rep, fs, err := newProber(t, o).Probe(context.Background(), r, "private.test", smtpprobe.Input{MX: []string{"mx.private.test", "ten.private.test", "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 4 {
		t.Fatalf("%d results: %+v", len(rep.Hosts), rep.Hosts)
	}
	for _, h := range rep.Hosts {
		if h.Status != smtpprobe.NotChecked || !strings.Contains(h.Detail, "non-global") {
			t.Errorf("%s %s: %s (%s)", h.Host, h.Addr, h.Status, h.Detail)
		}
	}
	if conns, _ := srv.stats(); conns != 0 || rep.Status != smtpprobe.NotChecked || len(fs) != 0 {
		t.Errorf("%d connections, status %s, findings %v", conns, rep.Status, fs)
	}
}

// TestLimits: hosts per domain, addresses per host, connections per
// destination address and in total, shared by concurrent probes through
// one Prober.
func TestLimits(t *testing.T) {
	t.Run("hosts and addresses", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		var zone strings.Builder
		for i := range 15 {
			fmt.Fprintf(&zone, "@ IN MX %d mx%d\nmx%d IN A 127.0.0.%d\n", i, i, i, i+1)
		}
		for i := range 8 {
			fmt.Fprintf(&zone, "mx0 IN A 127.0.1.%d\n", i+1)
		}
		o := testOptions(port)
		rep, _, err := newProber(t, o).Probe(context.Background(), zones(t, "many.test", zone.String()), "many.test", smtpprobe.Input{})
		if err != nil {
			t.Fatal(err)
		}
		hosts := map[string]int{}
		for _, h := range rep.Hosts {
			hosts[h.Host]++
		}
		if len(hosts) != smtpprobe.DefaultMaxHosts || !rep.Truncated || hosts["mx0.many.test"] != smtpprobe.DefaultMaxAddrs {
			t.Errorf("%d hosts (truncated %v), %d addresses of mx0; want %d, true, %d", len(hosts), rep.Truncated, hosts["mx0.many.test"], smtpprobe.DefaultMaxHosts, smtpprobe.DefaultMaxAddrs)
		}
		o.MaxHosts, o.MaxAddrs = 2, 1
		rep, _, err = newProber(t, o).Probe(context.Background(), zones(t, "many.test", zone.String()), "many.test", smtpprobe.Input{})
		if err != nil || len(rep.Hosts) != 2 {
			t.Errorf("MaxHosts 2, MaxAddrs 1: %d results, %v", len(rep.Hosts), err)
		}
	})
	t.Run("connections", func(t *testing.T) {
		// Three servers on three loopback addresses, one port; each holds
		// a connection 150 ms before greeting. 24 domains probed at once
		// through one Prober: at most 2 connections to an address, 3 in
		// all.
		// Counted while the server holds the connection, before the
		// client can be done with it.
		var mu sync.Mutex
		open, peak := 0, 0
		openIP, peakIP := map[string]int{}, map[string]int{}
		hold := func(c net.Conn) {
			ip := c.LocalAddr().(*net.TCPAddr).IP.String()
			mu.Lock()
			open++
			openIP[ip]++
			peak = max(peak, open)
			peakIP[ip] = max(peakIP[ip], openIP[ip])
			mu.Unlock()
			time.Sleep(150 * time.Millisecond)
			mu.Lock()
			open--
			openIP[ip]--
			mu.Unlock()
			handleSMTP(smtpConf{noSTARTTLS: true})(c)
		}
		first := listen(t, "127.0.0.1:0", hold)
		for _, a := range []string{"127.0.0.2", "127.0.0.3"} {
			listen(t, fmt.Sprintf("%s:%d", a, first.Port), hold)
		}
		o := testOptions(first.Port)
		o.MaxPerIP, o.MaxConns = 2, 3
		p := newProber(t, o)
		r := zones(t, "limit.test", "a IN MX 10 mx1\nb IN MX 10 mx2\nc IN MX 10 mx3\nmx1 IN A 127.0.0.1\nmx2 IN A 127.0.0.2\nmx3 IN A 127.0.0.3\n")
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := []string{"a", "b", "c"}[i%3] + ".limit.test"
				if i%2 == 0 {
					d = "a.limit.test"
				}
				rep, _, err := p.Probe(context.Background(), r, d, smtpprobe.Input{})
				if err != nil || rep.Hosts[0].Status != smtpprobe.NoSTARTTLS {
					t.Errorf("%s: %v %+v", d, err, rep)
				}
			}()
		}
		wg.Wait()
		for ip, pk := range peakIP {
			if pk > 2 {
				t.Errorf("%s: %d connections at once, want at most 2", ip, pk)
			}
		}
		if len(peakIP) != 3 {
			t.Errorf("connections to %d addresses, want 3", len(peakIP))
		}
		if peak > 3 || peak < 2 {
			t.Errorf("%d connections at once in all, want 2 or 3 (at most MaxConns)", peak)
		}
	})
}

// TestCancel: a cancelled context ends every session at once, and Probe
// returns its error.
func TestCancel(t *testing.T) {
	srv := listen(t, "127.0.0.1:0", func(c net.Conn) { drain(bufio.NewReader(c)) })
	o := testOptions(srv.Port)
	o.BannerTimeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := newProber(t, o).Probe(ctx, zones(t, "fault.test", "@ IN MX 10 mx\nmx IN A 127.0.0.1\n"), "fault.test", smtpprobe.Input{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
}

// TestEHLOName: nothing that could end the command line is sent.
func TestEHLOName(t *testing.T) {
	for _, name := range []string{"mx.example.com", "[192.0.2.1]", "[IPv6:2001:db8::1]", "localhost"} {
		if _, err := smtpprobe.New(smtpprobe.Options{EHLOName: name}); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range []string{"a b", "x\r\nMAIL FROM:<a@b>", "[nope]", "-a.b", "a..b", "é.example"} {
		if _, err := smtpprobe.New(smtpprobe.Options{EHLOName: name}); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
}

// TestSessionBounds: what a session keeps of a server that says a lot
// within the reply bounds: at most 64 EHLO keywords and transcript lines
// (STARTTLS still found past them), at most 10 certificates of a chain.
func TestSessionBounds(t *testing.T) {
	ca := newCA(t)
	l := ca.valid(t, "mx.fault.test")
	for range 11 {
		l.chain = append(l.chain, ca.inter)
	}
	long := l.tls()
	var ext []string
	for i := range 300 {
		ext = append(ext, fmt.Sprintf("X-EXT-%d", i))
	}
	srv := listen(t, "127.0.0.1:0", handleSMTP(smtpConf{cert: &long, ehlo: ext}))
	rep, _ := probeOne(t, testOptions(srv.Port, ca.root), smtpprobe.Input{})
	h := rep.Hosts[0]
	if h.Status != smtpprobe.OK || !h.STARTTLS {
		t.Fatalf("%s: %s", h.Status, h.Detail)
	}
	if len(h.Extensions) != 64 || len(h.Transcript) != smtpprobe.MaxTranscriptLines || h.Transcript[len(h.Transcript)-1] != "(transcript cut)" {
		t.Errorf("%d extensions, %d transcript lines ending %q", len(h.Extensions), len(h.Transcript), h.Transcript[len(h.Transcript)-1])
	}
	if len(h.TLS.Chain) != smtpprobe.MaxChainCerts || !h.TLS.Trusted {
		t.Errorf("%d certificates kept of 13, trusted %v", len(h.TLS.Chain), h.TLS.Trusted)
	}
}

// TestNotCheckedTimeout: connections that time out everywhere (a
// firewall that drops port 25, played by a listener whose accept queue
// is full, so the kernel ignores further SYNs) make the report not
// checked, with no findings, within the connect bound.
func TestNotCheckedTimeout(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skip(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Skip(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Skip(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Skip(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// Fill the accept queue: connections that are never accepted.
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	if c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond); err == nil {
		c.Close()
		t.Skip("this kernel completes connections past a full accept queue: no black hole to test with")
	}
	o := testOptions(port)
	o.ConnectTimeout = 500 * time.Millisecond
	start := time.Now()
	rep, fs, err := newProber(t, o).Probe(context.Background(), zones(t, "dropped.test", "@ IN MX 10 mx\nmx IN A 127.0.0.1\n"), "dropped.test", smtpprobe.Input{})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.Hosts[0]
	if h.Status != smtpprobe.Timeout || h.Stage != "connect" || rep.Status != smtpprobe.NotChecked || len(fs) != 0 {
		t.Errorf("%s at %s (%s); report %s; findings %v", h.Status, h.Stage, h.Detail, rep.Status, fs)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}
