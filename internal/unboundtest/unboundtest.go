// Package unboundtest starts real DNS servers for end-to-end DNSSEC tests:
// Knot DNS (knotd) serving and signing zones, and Unbound as a validating
// recursive resolver that reaches nothing but them.
//
// Both listen on loopback ports chosen at random and stop when the test
// ends. A test that needs a binary that is not installed skips, naming the
// Debian package (.ci/run installs knot and unbound when it runs as root).
//
// Unbound is configured so that it cannot reach the internet: every name
// is under a stub zone ("." included) whose only server is a Knot on
// 127.0.0.1, it sends from 127.0.0.1 only, and it trusts only the anchors
// given (no root key).
package unboundtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Zone is one zone for Knot to serve.
type Zone struct {
	// Origin is the zone apex, e.g. "signed.test".
	Origin string
	// Text is the master file.
	Text string
	// Sign makes Knot sign the zone when it loads it (automatic signing
	// with one ECDSA P-256 key, a CSK, and NSEC), keeping the keys in the
	// test's temporary folder. Without it the zone is served as written,
	// RRSIGs and all: a pre-signed (or tampered) zone.
	Sign bool
}

// Knot is a running knotd.
type Knot struct {
	// Addr is "127.0.0.1:port", for UDP and TCP.
	Addr string
}

// FreePort returns a loopback port free for UDP and TCP right now.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		pc.Close()
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// StartKnot serves the zones with knotd on a loopback port until the test
// ends, allowing zone transfers to 127.0.0.0/8. It returns once every zone
// answers its SOA (signed zones: with an RRSIG). It skips the test when
// knotd is not installed (Debian package knot).
func StartKnot(t testing.TB, zones ...Zone) *Knot {
	t.Helper()
	knotd, err := exec.LookPath("knotd")
	if err != nil {
		t.Skip("knotd not on PATH (Debian package knot; .ci/run installs it): skipping the Knot-signed end-to-end test")
	}
	dir := t.TempDir()
	port := FreePort(t)
	var conf bytes.Buffer
	fmt.Fprintf(&conf, "server:\n    rundir: %q\n    listen: 127.0.0.1@%d\n", dir, port)
	fmt.Fprintf(&conf, "database:\n    storage: %q\n", dir)
	conf.WriteString("log:\n  - target: stderr\n    any: warning\n")
	conf.WriteString("policy:\n  - id: test\n    algorithm: ecdsap256sha256\n    single-type-signing: on\n    ksk-lifetime: 0\n    zsk-lifetime: 0\n    nsec3: off\n")
	conf.WriteString("acl:\n  - id: xfr\n    address: 127.0.0.0/8\n    action: transfer\n")
	fmt.Fprintf(&conf, "template:\n  - id: default\n    storage: %q\n    zonefile-sync: -1\n    journal-content: none\n", dir)
	conf.WriteString("zone:\n")
	for i, z := range zones {
		file := filepath.Join(dir, fmt.Sprintf("zone%d.zone", i))
		if err := os.WriteFile(file, []byte(z.Text), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "  - domain: %q\n    file: %q\n    acl: xfr\n", dns.Fqdn(z.Origin), file)
		if z.Sign {
			conf.WriteString("    dnssec-signing: on\n    dnssec-policy: test\n")
		}
	}
	confFile := filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	done, stderr := run(t, knotd, "-c", confFile)
	k := &Knot{Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	for _, z := range zones {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(z.Origin), dns.TypeSOA)
		m.SetEdns0(1232, true)
		wait(t, "knotd", done, stderr, func() error {
			r, _, err := new(dns.Client).Exchange(m, k.Addr)
			switch {
			case err != nil:
				return err
			case r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0:
				return fmt.Errorf("%s SOA: %s, %d records", z.Origin, dns.RcodeToString[r.Rcode], len(r.Answer))
			case z.Sign && !slices.ContainsFunc(r.Answer, func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeRRSIG }):
				return fmt.Errorf("%s SOA is not signed yet", z.Origin)
			}
			return nil
		})
	}
	return k
}

// Transfer returns the zone as Knot serves it (AXFR), signatures
// included, without the closing SOA.
func (k *Knot) Transfer(t testing.TB, origin string) []dns.RR {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr(dns.Fqdn(origin))
	ch, err := new(dns.Transfer).In(m, k.Addr)
	if err != nil {
		t.Fatalf("AXFR %s: %v", origin, err)
	}
	var out []dns.RR
	for env := range ch {
		if env.Error != nil {
			t.Fatalf("AXFR %s: %v", origin, env.Error)
		}
		out = append(out, env.RR...)
	}
	if len(out) > 1 && out[len(out)-1].Header().Rrtype == dns.TypeSOA {
		out = out[:len(out)-1]
	}
	return out
}

// KSK returns the zone's key-signing DNSKEY (flags 257) as Knot serves
// it, in master-file form: what a validating resolver takes as a trust
// anchor.
func (k *Knot) KSK(t testing.TB, origin string) string {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(origin), dns.TypeDNSKEY)
	m.SetEdns0(4096, true)
	c := &dns.Client{Net: "tcp"}
	r, _, err := c.Exchange(m, k.Addr)
	if err != nil {
		t.Fatalf("DNSKEY %s: %v", origin, err)
	}
	for _, rr := range r.Answer {
		if key, ok := rr.(*dns.DNSKEY); ok && key.Flags == 257 {
			return key.String()
		}
	}
	t.Fatalf("%s has no DNSKEY with flags 257 on %s", origin, k.Addr)
	return ""
}

// Resolver describes the Unbound to start.
type Resolver struct {
	// Stubs maps each zone to the server that holds it ("127.0.0.1:port").
	// Give "." too, so that nothing is asked of the root servers: every
	// name then stays on loopback.
	Stubs map[string]string
	// TrustAnchors are DNSKEY or DS records in master-file form. Names
	// under none of them are insecure (answers without AD).
	TrustAnchors []string
}

// Unbound is a running validating resolver.
type Unbound struct {
	// Addr is "127.0.0.1:port", for UDP and TCP.
	Addr string
}

// StartUnbound runs unbound as a validating resolver on a loopback port
// until the test ends. It skips the test when unbound is not installed
// (Debian package unbound).
func StartUnbound(t testing.TB, cfg Resolver) *Unbound {
	t.Helper()
	bin, err := exec.LookPath("unbound")
	if err != nil {
		t.Skip("unbound not on PATH (Debian package unbound; .ci/run installs it): skipping the validating-resolver end-to-end test")
	}
	dir := t.TempDir()
	port := FreePort(t)
	var conf bytes.Buffer
	fmt.Fprintf(&conf, `server:
    interface: 127.0.0.1
    port: %d
    outgoing-interface: 127.0.0.1
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: %q
    pidfile: %q
    use-syslog: no
    logfile: ""
    verbosity: 1
    val-log-level: 2
    num-threads: 1
    so-reuseport: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "validator iterator"
    harden-dnssec-stripped: yes
    qname-minimisation: no
    local-zone: "test." nodefault
    local-zone: "invalid." nodefault
`, port, dir, filepath.Join(dir, "unbound.pid"))
	for _, a := range cfg.TrustAnchors {
		fmt.Fprintf(&conf, "    trust-anchor: %q\n", strings.Join(strings.Fields(a), " "))
	}
	names := make([]string, 0, len(cfg.Stubs))
	for name := range cfg.Stubs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		host, p, err := net.SplitHostPort(cfg.Stubs[name])
		if err != nil {
			t.Fatalf("stub %s: %v", name, err)
		}
		fmt.Fprintf(&conf, "stub-zone:\n    name: %q\n    stub-addr: %s@%s\n", dns.Fqdn(name), host, p)
	}
	conf.WriteString("remote-control:\n    control-enable: no\n")
	confFile := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	done, stderr := run(t, bin, "-d", "-c", confFile)
	u := &Unbound{Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	m := new(dns.Msg)
	m.SetQuestion("unboundtest.invalid.", dns.TypeA)
	wait(t, "unbound", done, stderr, func() error {
		_, _, err := new(dns.Client).Exchange(m, u.Addr)
		return err // any answer at all: it is up
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("unbound log:\n%s", stderr.String())
		}
	})
	return u
}

// run starts a server that runs until the test ends.
func run(t testing.TB, name string, args ...string) (done chan struct{}, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	stderr = new(syncBuffer)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: %v", name, err)
	}
	done = make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return done, stderr
}

// wait polls ready until it succeeds, the server exits or 10 s pass.
func wait(t testing.TB, name string, done chan struct{}, stderr *syncBuffer, ready func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ready()
		if err == nil {
			return
		}
		select {
		case <-done:
			t.Fatalf("%s exited: %s", name, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not ready: %v\n%s", name, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Tamper returns a copy of rrs in which the signature of every RRSIG
// covering qtype at name has one bit flipped: a zone a validating resolver
// finds bogus at that RRset. It fails the test when there is no such
// RRSIG.
func Tamper(t testing.TB, rrs []dns.RR, name string, qtype uint16) []dns.RR {
	t.Helper()
	out := make([]dns.RR, len(rrs))
	n := 0
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
		sig, ok := out[i].(*dns.RRSIG)
		if !ok || sig.TypeCovered != qtype || !strings.EqualFold(sig.Hdr.Name, dns.Fqdn(name)) {
			continue
		}
		b := []byte(sig.Signature)
		// Base64: swap one character for another valid one.
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		sig.Signature = string(b)
		n++
	}
	if n == 0 {
		t.Fatalf("no RRSIG over %s %s to tamper with", name, dns.TypeToString[qtype])
	}
	return out
}

// ZoneText renders records as a master file.
func ZoneText(rrs []dns.RR) string {
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}
