package check_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// freePort returns a loopback port free for UDP and TCP right now.
func freePort(t *testing.T) int {
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

// startKnot serves the zones with Knot DNS on a loopback port, for as long
// as the test runs. It skips the test when knotd is not installed (.ci/run
// installs it).
func startKnot(t *testing.T, zones map[string]string) string {
	t.Helper()
	knotd, err := exec.LookPath("knotd")
	if err != nil {
		t.Skip("knotd not on PATH (Debian package knot); .ci/run installs it")
	}
	dir := t.TempDir()
	port := freePort(t)
	var conf bytes.Buffer
	fmt.Fprintf(&conf, "server:\n    rundir: %q\n    listen: 127.0.0.1@%d\n", dir, port)
	fmt.Fprintf(&conf, "database:\n    storage: %q\n", dir)
	fmt.Fprintf(&conf, "log:\n  - target: stderr\n    any: error\n")
	fmt.Fprintf(&conf, "template:\n  - id: default\n    storage: %q\n    zonefile-sync: -1\n    journal-content: none\n", dir)
	conf.WriteString("zone:\n")
	for origin, file := range zones {
		abs, err := filepath.Abs(file)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "  - domain: %q\n    file: %q\n", origin, abs)
	}
	confFile := filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, knotd, "-c", confFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("knotd: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c := new(dns.Client)
	m := new(dns.Msg)
	for origin := range zones {
		m.SetQuestion(dns.Fqdn(origin), dns.TypeSOA)
		deadline := time.Now().Add(10 * time.Second)
		for {
			r, _, err := c.Exchange(m, addr)
			if err == nil && r.Rcode == dns.RcodeSuccess && len(r.Answer) > 0 {
				break
			}
			select {
			case <-done:
				t.Fatalf("knotd exited: %s", stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("knotd does not serve %s: %v\n%s", origin, err, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return addr
}

// TestKnotAgrees: our own server must not be the only one we are tested
// against. Knot, like real authoritative servers, answers a CNAME into
// another zone with the alias only, so this also proves the client chases
// chains itself.
func TestKnotAgrees(t *testing.T) {
	zoneFiles := map[string]string{".": providers}
	for _, fx := range fixtures {
		zoneFiles[fx.domain] = fx.file
	}
	addr := startKnot(t, zoneFiles)
	agree(t, "knot", addr)
	// Knot answers the cross-zone alias without its target.
	m := new(dns.Msg)
	m.SetQuestion("selector1._domainkey.good.example.", dns.TypeTXT)
	r, _, err := new(dns.Client).Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 1 {
		t.Logf("knot answered %d records for the cross-zone alias (expected the CNAME alone)", len(r.Answer))
	}
}
