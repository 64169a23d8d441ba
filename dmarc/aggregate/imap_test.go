package aggregate_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

// testCert makes a self-signed certificate for 127.0.0.1 and localhost,
// and the pool that trusts it.
func testCert(t *testing.T) (certPEM, keyPEM []byte, pool *x509.CertPool, cert tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(27),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM, pool, cert
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dovecot is a Dovecot IMAP server on a loopback port, TLS only, with
// one user (alice, password "secret") whose mail is under a temporary
// folder.
type dovecot struct {
	addr string
	pool *x509.CertPool
}

// startDovecot runs Dovecot until the test ends; it skips the test when
// Dovecot is not installed (Debian package dovecot-imapd).
func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		t.Skip("dovecot not on PATH (Debian package dovecot-imapd; .ci/run installs it): skipping the IMAP end-to-end test")
	}
	dir := t.TempDir()
	// Who runs what. As root, Dovecot runs its own processes as its
	// users (it refuses root for login processes and mail) and the mail
	// belongs to the "dovecot" user; otherwise everything runs as us.
	internal, login := "", ""
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		dv, err1 := user.Lookup("dovecot")
		_, err2 := user.Lookup("dovenull")
		if err1 != nil || err2 != nil {
			t.Skip("running as root without the dovecot and dovenull users (the Debian package makes them): skipping")
		}
		internal, login = "dovecot", "dovenull"
		uid, _ = strconv.Atoi(dv.Uid)
		gid, _ = strconv.Atoi(dv.Gid)
		// Let Dovecot's users into the temporary folder.
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		me, err := user.Current()
		if err != nil {
			t.Skip(err)
		}
		internal, login = me.Username, me.Username
	}
	for _, sub := range []string{"mail", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Join(dir, sub), uid, gid); err != nil && os.Getuid() == 0 {
			t.Fatal(err)
		}
	}
	certPEM, keyPEM, pool, _ := testCert(t)
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = required
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = %[2]s
default_internal_group = %[2]s
default_login_user = %[3]s
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=%[4]d gid=%[5]d home=%[1]s/home/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[6]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
`, dir, internal, login, uid, gid, port)
	if uid == os.Getuid() && os.Getuid() != 0 {
		// default_internal_group must be a group name.
		if g, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil {
			conf = strings.Replace(conf, "default_internal_group = "+internal, "default_internal_group = "+g.Name, 1)
		}
	}
	confFile := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-F", "-c", confFile)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("dovecot: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		// SIGTERM: the master stops its children before it exits.
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot output:\n%s\nlog:\n%s", out.String(), log)
		}
	})
	d := &dovecot{addr: fmt.Sprintf("127.0.0.1:%d", port), pool: pool}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := tls.Dial("tcp", d.addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot exited: %s\n%s", out.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot is not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

// client logs in as alice.
func (d *dovecot) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(d.addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: d.pool, ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("alice", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// appendMessages stores messages in a new mailbox, in order (UIDs 1, 2,
// …), each with its INTERNALDATE.
func (d *dovecot) appendMessages(t *testing.T, mailbox string, msgs [][]byte, dates []time.Time) {
	t.Helper()
	c := d.client(t)
	defer c.Close()
	if err := c.Create(mailbox, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		cmd := c.Append(mailbox, int64(len(m)), &imap.AppendOptions{Time: dates[i]})
		cmd.Write(m)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIMAPDovecot(t *testing.T) {
	d := startDovecot(t)
	msg := func(name string) []byte { return readFixture(t, "messages/"+name) }
	big := message("From: big@fabrikam.example\nMessage-ID: <big@fabrikam.example>",
		part{header: `Content-Type: application/xml; name="big.xml"`,
			body: append(readFixture(t, "reports/opendmarc.xml"), strings.Repeat("<!-- padding -->\n", 8192)...)})
	old := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	recent := time.Date(2025, 12, 2, 12, 0, 0, 0, time.UTC)
	d.appendMessages(t, "Reports",
		[][]byte{msg("google.eml"), msg("no-report.eml"), msg("microsoft.eml"), big, msg("google.eml"), msg("two-attachments.eml")},
		[]time.Time{recent, recent, recent, recent, recent, old})
	tlsConfig := &tls.Config{RootCAs: d.pool}
	url := "imaps://alice@" + d.addr + "/Reports"

	got := render(aggregate.ReadIMAP(ctx, url, "secret", aggregate.Options{TLSConfig: tlsConfig, MaxMessageBytes: 64 << 10}))
	want := strings.ReplaceAll(`report "11842306129877432201" from "google.com": 2 records, 45 messages, policy contoso.example p=none (URL: message 1 <11842306129877432201@google.com>: attachment google.com!contoso.example!1764547200!1764633599.zip: entry google.com!contoso.example!1764547200!1764633599.xml)
error: URL: message 2 <hello@fabrikam.example>: no report in the message
report "9f6c0e3a1b2d4c5e8f7a6b5c4d3e2f10" from "Outlook.com": 2 records, 18 messages, policy contoso.example p=quarantine (URL: message 3 <9f6c0e3a@mail.outlook.example>: attachment protection.outlook.com!contoso.example!1764547200!1764633600.xml.gz)
error: URL: message 4: over the size bound: message of BIG bytes, over 65536
error: URL: message 5 <11842306129877432201@google.com>: attachment google.com!contoso.example!1764547200!1764633599.zip: entry google.com!contoso.example!1764547200!1764633599.xml: report 11842306129877432201 from google.com: duplicate report
report "8c1b3a52-7d2e-4f60-9a1b-3c4d5e6f7a8b" from "AMAZON-SES": 1 records, 1 messages, policy contoso.example p=none (URL: message 6 <two@relay.example>: attachment amazonses.xml.gz)
report "4711" from "mx.northwind.example": 1 records, 12 messages, policy contoso.example p=reject (URL: message 6 <two@relay.example>: attachment maildmarc.xml)
`, "URL", url)
	want = strings.Replace(want, "BIG", strconv.Itoa(len(big)), 1)
	if got != want {
		t.Errorf("ReadIMAP:\n%s\nwant:\n%s", got, want)
	}

	// Since: the server is asked for messages received since its date
	// (message 6, received in June, is not fetched), and reports ending
	// before it are skipped.
	since := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	reps, errs := collect(aggregate.ReadIMAP(ctx, url, "secret", aggregate.Options{TLSConfig: tlsConfig, Since: since}))
	if len(reps) != 3 || len(errs) != 2 {
		t.Errorf("Since: %d reports, errors %v", len(reps), errs)
	}
	// At most MaxMessages messages.
	reps, errs = collect(aggregate.ReadIMAP(ctx, url, "secret", aggregate.Options{TLSConfig: tlsConfig, MaxMessages: 2}))
	if len(reps) != 1 || len(errs) != 2 || !errors.Is(errs[1], aggregate.ErrTooManyMessages) {
		t.Errorf("MaxMessages: %d reports, errors %v", len(reps), errs)
	}
	// Open takes the password from Options.
	reps, _ = collect(aggregate.Open(ctx, url, aggregate.Options{TLSConfig: tlsConfig, IMAPPassword: "secret"}))
	if len(reps) != 5 {
		t.Errorf("Open: %d reports", len(reps))
	}
	// A wrong password, an untrusted certificate: one error, no report.
	for name, o := range map[string]aggregate.Options{
		"wrong password":        {TLSConfig: tlsConfig},
		"untrusted certificate": {},
	} {
		pw := "secret"
		if name == "wrong password" {
			pw = "wrong"
		}
		reps, errs := collect(aggregate.ReadIMAP(ctx, url, pw, o))
		if len(reps) != 0 || len(errs) != 1 {
			t.Errorf("%s: %d reports, errors %v", name, len(reps), errs)
		}
		t.Logf("%s: %v", name, errs)
	}
	// Reading changed nothing: no message was marked seen.
	c := d.client(t)
	defer c.Close()
	if _, err := c.Select("Reports", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2, 3, 4, 5, 6), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 6 {
		t.Fatal(err, len(msgs))
	}
	for _, m := range msgs {
		for _, f := range m.Flags {
			if f == imap.FlagSeen {
				t.Errorf("message %d was marked seen", m.SeqNum)
			}
		}
	}
}

func TestIMAPURL(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"imap://alice@127.0.0.1/INBOX", "imap:// (no TLS) is refused"},
		{"imaps://alice:pw@127.0.0.1/INBOX", "a password in the URL is refused"},
		{"imaps://127.0.0.1/INBOX", "no user in the URL"},
		{"https://alice@127.0.0.1/", `scheme "https" is not imaps`},
	} {
		_, errs := collect(aggregate.ReadIMAP(ctx, tc.url, "pw", aggregate.Options{}))
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) || strings.Contains(errs[0].Error(), "pw@") {
			t.Errorf("%s: %v", tc.url, errs)
		}
	}
}

// TestIMAPHostileServer: a server announcing a literal larger than the
// message bound, after a small RFC822.SIZE, is disconnected without
// being read; one that stalls is left when the context ends.
func TestIMAPHostileServer(t *testing.T) {
	_, _, pool, cert := testCert(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	stall := make(chan struct{})
	defer close(stall)
	var sent int64
	var mu sync.Mutex
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				r := bufio.NewReader(conn)
				fmt.Fprintf(conn, "* OK [CAPABILITY IMAP4rev1] hostile ready\r\n")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					tag, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
					cmd := strings.ToUpper(rest)
					switch {
					case strings.HasPrefix(cmd, "LOGIN"):
						if strings.Contains(rest, "stall") {
							<-stall
							return
						}
						fmt.Fprintf(conn, "%s OK logged in\r\n", tag)
					case strings.HasPrefix(cmd, "EXAMINE"), strings.HasPrefix(cmd, "SELECT"):
						fmt.Fprintf(conn, "* 1 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n%s OK [READ-ONLY] done\r\n", tag)
					case strings.HasPrefix(cmd, "UID SEARCH"):
						fmt.Fprintf(conn, "* SEARCH 7\r\n%s OK done\r\n", tag)
					case strings.HasPrefix(cmd, "UID FETCH") && strings.Contains(cmd, "RFC822.SIZE"):
						fmt.Fprintf(conn, "* 1 FETCH (UID 7 RFC822.SIZE 100)\r\n%s OK done\r\n", tag)
					case strings.HasPrefix(cmd, "UID FETCH"):
						// A literal of 1 GB, then as much as the client takes.
						fmt.Fprintf(conn, "* 1 FETCH (UID 7 BODY[] {1000000000}\r\n")
						chunk := make([]byte, 64<<10)
						for {
							n, err := conn.Write(chunk)
							mu.Lock()
							sent += int64(n)
							mu.Unlock()
							if err != nil {
								return
							}
						}
					default:
						fmt.Fprintf(conn, "%s OK\r\n", tag)
					}
				}
			}()
		}
	}()
	url := "imaps://alice@" + l.Addr().String() + "/INBOX"
	start := time.Now()
	reps, errs := collect(aggregate.ReadIMAP(ctx, url, "pw", aggregate.Options{TLSConfig: &tls.Config{RootCAs: pool}}))
	if len(reps) != 0 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrTooLarge) {
		t.Errorf("%d reports, errors %v", len(reps), errs)
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	t.Logf("%v in %v; the server got %d bytes out", errs, time.Since(start), sent)
	if sent > 16<<20 {
		t.Errorf("read %d bytes of the literal", sent)
	}
	mu.Unlock()

	// A server that stalls after LOGIN: the context's deadline ends it.
	c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, errs = collect(aggregate.ReadIMAP(c, "imaps://stall@"+l.Addr().String()+"/INBOX", "pw", aggregate.Options{TLSConfig: &tls.Config{RootCAs: pool}}))
	if len(errs) != 1 || !errors.Is(errs[0], context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("stalled: %v after %v", errs, time.Since(start))
	}
}
