package smtpprobe_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// ca is a test certificate authority: a root and an intermediate under
// it, which issues the leaves.
type ca struct {
	root, inter       *x509.Certificate
	rootKey, interKey *ecdsa.PrivateKey
}

var serial atomic.Int64

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func create(t testing.TB, tmpl, parent *x509.Certificate, pub any, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(serial.Add(1))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newCA(t testing.TB) *ca {
	t.Helper()
	now := time.Now()
	c := &ca{rootKey: newKey(t), interKey: newKey(t)}
	rt := &x509.Certificate{Subject: pkix.Name{CommonName: "domainlint test root"}, NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	c.root = create(t, rt, rt, &c.rootKey.PublicKey, c.rootKey)
	it := &x509.Certificate{Subject: pkix.Name{CommonName: "domainlint test intermediate"}, NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	c.inter = create(t, it, c.root, &c.interKey.PublicKey, c.rootKey)
	return c
}

// leaf is a server certificate with its chain (leaf first) and key.
type leaf struct {
	chain []*x509.Certificate
	key   *ecdsa.PrivateKey
}

func (l leaf) tls() tls.Certificate {
	var c tls.Certificate
	for _, x := range l.chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	c.PrivateKey = l.key
	return c
}

// pem is the key and the chain in one PEM file (Postfix's
// smtpd_tls_chain_files).
func (l leaf) pem(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(l.key)
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	for _, c := range l.chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// spki is the leaf's 3 1 1 data.
func (l leaf) spki() string {
	s := sha256.Sum256(l.chain[0].RawSubjectPublicKeyInfo)
	return hex.EncodeToString(s[:])
}

// issue returns a leaf for names valid from notBefore to notAfter,
// issued by the intermediate, with the intermediate in its chain.
func (c *ca) issue(t testing.TB, notBefore, notAfter time.Time, names ...string) leaf {
	t.Helper()
	k := newKey(t)
	lt := &x509.Certificate{Subject: pkix.Name{CommonName: names[0]}, DNSNames: names, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	return leaf{chain: []*x509.Certificate{create(t, lt, c.inter, &k.PublicKey, c.interKey), c.inter}, key: k}
}

func (c *ca) valid(t testing.TB, names ...string) leaf {
	return c.issue(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), names...)
}

// selfSigned is a leaf signed by its own key.
func selfSigned(t testing.TB, names ...string) leaf {
	t.Helper()
	k := newKey(t)
	lt := &x509.Certificate{Subject: pkix.Name{CommonName: names[0]}, DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	return leaf{chain: []*x509.Certificate{create(t, lt, lt, &k.PublicKey, k)}, key: k}
}

func tlsa(t testing.TB, name, data string) *dns.TLSA {
	t.Helper()
	rr, err := dns.NewRR("_25._tcp." + name + ". 300 IN TLSA " + data)
	if err != nil {
		t.Fatal(err)
	}
	return rr.(*dns.TLSA)
}

func zones(t testing.TB, origin, text string) resolver.Resolver {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: origin, Text: "@ IN SOA ns hostmaster 1 3600 600 86400 300\n" + text})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// server is a small SMTP server on a loopback address, for what Postfix
// will not do: each connection is handed to handle.
type server struct {
	ln   net.Listener
	Port int
	// Conns counts connections accepted; Peak the most open at once.
	mu          sync.Mutex
	conns, open int
	peak        int
	wg          sync.WaitGroup
	done        chan struct{}
}

// listen starts a server on addr ("127.0.0.1:0", or another loopback
// address and a port), stopped when the test ends.
func listen(t testing.TB, addr string, handle func(c net.Conn)) *server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln, Port: ln.Addr().(*net.TCPAddr).Port, done: make(chan struct{})}
	var conns sync.Map
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.open++
			s.peak = max(s.peak, s.open)
			s.mu.Unlock()
			conns.Store(c, true)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() {
					c.Close()
					conns.Delete(c)
					s.mu.Lock()
					s.open--
					s.mu.Unlock()
				}()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		close(s.done)
		ln.Close()
		conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		s.wg.Wait()
	})
	return s
}

func (s *server) stats() (conns, peak int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, s.peak
}

// smtpConf says how handleSMTP behaves.
type smtpConf struct {
	banner []string // reply lines of the greeting (default "220 fake ESMTP")
	ehlo   []string // extra EHLO keywords
	cert   *tls.Certificate
	// minTLS and maxTLS bound the server's TLS versions.
	minTLS, maxTLS uint16
	// noSTARTTLS: do not offer it; starttlsReply: answer STARTTLS so.
	noSTARTTLS    bool
	starttlsReply string
	// stallAfter: stop answering after this command (and wait for the
	// connection to close).
	stallAfter string
}

// handleSMTP is a server that greets, answers EHLO, STARTTLS and QUIT.
func handleSMTP(cf smtpConf) func(net.Conn) {
	return func(c net.Conn) {
		c.SetDeadline(time.Now().Add(20 * time.Second))
		banner := cf.banner
		if banner == nil {
			banner = []string{"220 fake.test ESMTP"}
		}
		w := func(c net.Conn, lines ...string) { c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n")) }
		w(c, banner...)
		var conn net.Conn = c
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			verb, _, _ := strings.Cut(cmd, " ")
			if cf.stallAfter == verb {
				drain(r)
				return
			}
			switch verb {
			case "EHLO":
				lines := []string{"250-fake.test"}
				for _, e := range cf.ehlo {
					lines = append(lines, "250-"+e)
				}
				if !cf.noSTARTTLS && conn == c {
					lines = append(lines, "250-STARTTLS")
				}
				lines = append(lines, "250 8BITMIME")
				w(conn, lines...)
			case "STARTTLS":
				if cf.starttlsReply != "" {
					w(conn, cf.starttlsReply)
					continue
				}
				w(conn, "220 2.0.0 go ahead")
				cfg := &tls.Config{Certificates: []tls.Certificate{*cf.cert}, MinVersion: cf.minTLS, MaxVersion: cf.maxTLS}
				if cf.minTLS == 0 {
					cfg.MinVersion = tls.VersionTLS10
				}
				tc := tls.Server(c, cfg)
				if err := tc.Handshake(); err != nil {
					return
				}
				conn = tc
				r = bufio.NewReader(tc)
			case "QUIT":
				w(conn, "221 2.0.0 bye")
				return
			default:
				w(conn, "502 5.5.2 what")
			}
		}
	}
}

// drain reads until the connection ends.
func drain(r *bufio.Reader) {
	buf := make([]byte, 4096)
	for {
		if _, err := r.Read(buf); err != nil {
			return
		}
	}
}
