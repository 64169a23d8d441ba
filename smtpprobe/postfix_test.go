package smtpprobe_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/miekg/dns"
)

// pfListener is one smtpd of the test Postfix: its certificate (key and
// chain, PEM), or none for a server without STARTTLS.
type pfListener struct {
	name string
	pem  []byte
}

// startPostfix runs Postfix from a private configuration directory with
// one smtpd per listener on 127.0.0.1 at a high port, its queue and data
// in a temporary directory, logging to a file there; it is stopped
// (postfix stop) and removed when the test ends. It returns each
// listener's port. Without postfix, or when not root (postfix start
// needs root, to drop to the postfix user), the test is skipped.
func startPostfix(t *testing.T, listeners ...pfListener) map[string]int {
	t.Helper()
	bin, err := exec.LookPath("postfix")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/postfix"); err != nil {
			t.Skip("postfix is not installed (Debian: apt-get install postfix, .ci/run does): the Postfix integration test is skipped; the Go server tests cover the same rules")
		}
		bin = "/usr/sbin/postfix"
	}
	if os.Geteuid() != 0 {
		t.Skip("postfix start needs root (it drops to the postfix user itself): the Postfix integration test is skipped")
	}
	pfUser, err := user.Lookup("postfix")
	if err != nil {
		t.Skipf("no postfix user (%v): the Postfix integration test is skipped", err)
	}
	uid, _ := strconv.Atoi(pfUser.Uid)

	dir, err := os.MkdirTemp("", "domainlint-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	// Postfix's daemons run as the postfix user: the directories on the
	// way to its queue and data must be theirs to walk.
	for _, d := range []string{"", "conf", "queue", "data"} {
		p := filepath.Join(dir, d)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o755)
	}
	if err := os.Chown(filepath.Join(dir, "data"), uid, -1); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "conf")
	ports := map[string]int{}
	var master strings.Builder
	for _, l := range listeners {
		port := freeFixedPort(t)
		ports[l.name] = port
		opts := "-o smtpd_tls_security_level=none"
		if l.pem != nil {
			file := filepath.Join(conf, l.name+".pem")
			if err := os.WriteFile(file, l.pem, 0o600); err != nil {
				t.Fatal(err)
			}
			opts = "-o smtpd_tls_security_level=may -o smtpd_tls_chain_files=" + file
		}
		fmt.Fprintf(&master, "127.0.0.1:%d inet n - n - - smtpd %s\n", port, opts)
	}
	master.WriteString(`pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`)
	mainCF := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = pf.test
mydestination =
smtpd_banner = $myhostname ESMTP domainlint test
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
`, dir)
	if err := os.WriteFile(filepath.Join(conf, "main.cf"), []byte(mainCF), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "master.cf"), []byte(master.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	postfix := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		return exec.CommandContext(ctx, bin, append([]string{"-c", conf}, args...)...).CombinedOutput()
	}
	log := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "maillog"))
		return string(b)
	}
	t.Cleanup(func() {
		pid := masterPID(dir)
		if out, err := postfix("stop"); err != nil {
			t.Errorf("postfix stop: %v\n%s", err, out)
		}
		// postfix stop signals the master; wait for it to be gone before
		// removing its queue.
		for deadline := time.Now().Add(15 * time.Second); pid > 0 && syscall.Kill(pid, 0) == nil && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if pid > 0 && syscall.Kill(pid, 0) == nil {
			t.Errorf("the Postfix master (pid %d) still runs after postfix stop", pid)
			postfix("abort")
		}
		os.RemoveAll(dir)
	})
	if out, err := postfix("start"); err != nil {
		t.Fatalf("postfix start: %v\n%s\nlog:\n%s", err, out, log())
	}
	for name, port := range ports {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for deadline := time.Now().Add(20 * time.Second); ; {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Postfix's %s listener at %s: %v\nlog:\n%s", name, addr, err, log())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return ports
}

// freeFixedPort returns a free port below the kernel's ephemeral range
// (32768 and up on Linux): Postfix binds it only after start, and a port
// from the ephemeral range could meanwhile go to another test's server
// (seen once: the probe met a Go server without STARTTLS there).
func freeFixedPort(t *testing.T) int {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free port between 20000 and 32000")
	return 0
}

func masterPID(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "queue", "pid", "master.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// TestPostfix probes a real Postfix on loopback serving the certificates
// the test makes: a valid chain from a test CA, an expired one, one for
// another name, a self-signed one that TLSA records match or not, and a
// server without STARTTLS; with and without an MTA-STS policy.
func TestPostfix(t *testing.T) {
	ca := newCA(t)
	valid := ca.valid(t, "valid.pf.test")
	expired := ca.issue(t, time.Now().Add(-72*time.Hour), time.Now().Add(-48*time.Hour), "expired.pf.test")
	wrong := ca.valid(t, "other.pf.test")
	self := selfSigned(t, "self.pf.test")
	next := selfSigned(t, "self.pf.test")
	ports := startPostfix(t,
		pfListener{"valid", valid.pem(t)},
		pfListener{"expired", expired.pem(t)},
		pfListener{"wrong", wrong.pem(t)},
		pfListener{"self", self.pem(t)},
		pfListener{"plain", nil},
	)
	r := zones(t, "pf.test", "valid IN A 127.0.0.1\nexpired IN A 127.0.0.1\nwrong IN A 127.0.0.1\nself IN A 127.0.0.1\nplain IN A 127.0.0.1\n")
	enforce := mustPolicy(t, "version: STSv1\nmode: enforce\nmx: *.pf.test\nmax_age: 86400\n")
	onlyValid := mustPolicy(t, "version: STSv1\nmode: enforce\nmx: valid.pf.test\nmax_age: 86400\n")
	sets := func(host string, data ...string) map[string][]*dns.TLSA {
		var rrs []*dns.TLSA
		for _, d := range data {
			rrs = append(rrs, tlsa(t, host, d))
		}
		return map[string][]*dns.TLSA{host: rrs}
	}
	tests := []struct {
		name   string
		server string
		in     smtpprobe.Input
		status smtpprobe.Status
		want   []string
	}{
		{"valid", "valid", smtpprobe.Input{}, smtpprobe.OK, nil},
		{"valid, MTA-STS", "valid", smtpprobe.Input{Policy: enforce}, smtpprobe.OK, nil},
		{"valid, DANE-TA 2 0 1", "valid", smtpprobe.Input{TLSA: sets("valid.pf.test", "2 0 1 "+data(valid.chain[1], 0, 1))}, smtpprobe.OK, nil},
		{"valid, DANE-EE 3 1 1 of another key", "valid", smtpprobe.Input{TLSA: sets("valid.pf.test", "3 1 1 "+next.spki())}, smtpprobe.OK,
			[]string{"error smtp.dane-mismatch"}},
		{"expired", "expired", smtpprobe.Input{}, smtpprobe.OK, []string{"warning smtp.cert-expired"}},
		{"expired, MTA-STS", "expired", smtpprobe.Input{Policy: enforce}, smtpprobe.OK, []string{"error smtp.mtasts-untrusted", "warning smtp.cert-expired"}},
		{"wrong name", "wrong", smtpprobe.Input{}, smtpprobe.OK, []string{"warning smtp.cert-name"}},
		{"wrong name, MTA-STS", "wrong", smtpprobe.Input{Policy: enforce}, smtpprobe.OK, []string{"error smtp.mtasts-names", "warning smtp.cert-name"}},
		{"wrong name, not covered", "wrong", smtpprobe.Input{Policy: onlyValid}, smtpprobe.OK, []string{"error smtp.mtasts-names", "warning smtp.cert-name"}},
		{"self-signed", "self", smtpprobe.Input{}, smtpprobe.OK, []string{"info smtp.cert-untrusted"}},
		{"self-signed, DANE-EE matches", "self", smtpprobe.Input{TLSA: sets("self.pf.test", "3 1 1 "+self.spki())}, smtpprobe.OK,
			[]string{"info smtp.cert-untrusted"}},
		{"self-signed, DANE-EE does not match", "self", smtpprobe.Input{TLSA: sets("self.pf.test", "3 1 1 "+next.spki())}, smtpprobe.OK,
			[]string{"error smtp.dane-mismatch", "info smtp.cert-untrusted"}},
		{"self-signed, rollover", "self", smtpprobe.Input{TLSA: sets("self.pf.test", "3 1 1 "+self.spki(), "3 1 1 "+next.spki())}, smtpprobe.OK,
			[]string{"info smtp.dane-next-key", "info smtp.cert-untrusted"}},
		{"self-signed, MTA-STS", "self", smtpprobe.Input{Policy: enforce}, smtpprobe.OK, []string{"error smtp.mtasts-untrusted"}},
		{"no STARTTLS", "plain", smtpprobe.Input{}, smtpprobe.NoSTARTTLS, []string{"warning smtp.no-starttls"}},
		{"no STARTTLS, DANE", "plain", smtpprobe.Input{TLSA: sets("plain.pf.test", "3 1 1 "+self.spki())}, smtpprobe.NoSTARTTLS, []string{"error smtp.no-starttls"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.MX = []string{tc.server + ".pf.test"}
			o := testOptions(ports[tc.server], ca.root)
			o.BannerTimeout, o.CommandTimeout = 10*time.Second, 10*time.Second
			rep, fs, err := newProber(t, o).Probe(context.Background(), r, "pf.test", in)
			if err != nil {
				t.Fatal(err)
			}
			h := rep.Hosts[0]
			if h.Status != tc.status {
				t.Fatalf("%s at %s: %s\n%q", h.Status, h.Stage, h.Detail, h.Transcript)
			}
			if got := rules(fs); !slices.Equal(got, tc.want) {
				t.Errorf("%q, want %q\n%v", got, tc.want, fs)
			}
			if len(h.Transcript) == 0 || !strings.HasPrefix(h.Transcript[0], "S: 220 pf.test ESMTP") {
				t.Errorf("transcript %q", h.Transcript)
			}
			if h.Status == smtpprobe.OK && (h.TLS.VersionID < 0x0303 || len(h.TLS.Chain) == 0) {
				t.Errorf("TLS %+v", h.TLS)
			}
			for _, f := range fs {
				if f.Rule == "smtp.dane-mismatch" && (!strings.Contains(f.Message, next.spki()) || !strings.Contains(f.Message, h.TLS.Chain[0].SPKISHA256)) {
					t.Errorf("the mismatch does not name the published and served digests: %s", f.Message)
				}
			}
		})
	}
}
