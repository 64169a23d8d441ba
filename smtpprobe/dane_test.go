package smtpprobe_test

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/miekg/dns"
)

func digest(b []byte, m int) string {
	switch m {
	case 1:
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	case 2:
		s := sha512.Sum512(b)
		return hex.EncodeToString(s[:])
	}
	return hex.EncodeToString(b)
}

func data(c *x509.Certificate, sel, m int) string {
	if sel == 1 {
		return digest(c.RawSubjectPublicKeyInfo, m)
	}
	return digest(c.Raw, m)
}

// TestMatch: every usage, selector and matching type SMTP senders use,
// against a CA-issued chain and a self-signed leaf.
func TestMatch(t *testing.T) {
	ca := newCA(t)
	chain := ca.valid(t, "mx.dane.test").chain
	leafC, inter := chain[0], chain[1]
	expired := ca.issue(t, time.Now().Add(-72*time.Hour), time.Now().Add(-48*time.Hour), "mx.dane.test").chain
	self := selfSigned(t, "elsewhere.test").chain
	other := selfSigned(t, "other.test").chain[0]
	now := time.Now()
	tests := []struct {
		name    string
		record  string
		chain   []*x509.Certificate
		host    string
		usable  bool
		matched bool
		cert    int
		reason  string
	}{
		{"3 1 1", "3 1 1 " + data(leafC, 1, 1), chain, "mx.dane.test", true, true, 0, ""},
		{"3 1 2", "3 1 2 " + data(leafC, 1, 2), chain, "mx.dane.test", true, true, 0, ""},
		{"3 1 0", "3 1 0 " + data(leafC, 1, 0), chain, "mx.dane.test", true, true, 0, ""},
		{"3 0 1", "3 0 1 " + data(leafC, 0, 1), chain, "mx.dane.test", true, true, 0, ""},
		{"3 0 2", "3 0 2 " + data(leafC, 0, 2), chain, "mx.dane.test", true, true, 0, ""},
		{"3 0 0", "3 0 0 " + data(leafC, 0, 0), chain, "mx.dane.test", true, true, 0, ""},
		// DANE-EE checks neither names nor dates (RFC 7672 §3.1.1).
		{"3 1 1 self-signed, other name", "3 1 1 " + data(self[0], 1, 1), self, "mx.dane.test", true, true, 0, ""},
		{"3 1 1 expired", "3 1 1 " + data(expired[0], 1, 1), expired, "mx.dane.test", true, true, 0, ""},
		{"3 1 1 another key", "3 1 1 " + data(other, 1, 1), chain, "mx.dane.test", true, false, -1, "not the leaf's public key (SPKI) SHA2-256"},
		{"3 1 1 the intermediate's key", "3 1 1 " + data(inter, 1, 1), chain, "mx.dane.test", true, false, -1, "not the leaf's"},
		{"2 0 1", "2 0 1 " + data(inter, 0, 1), chain, "mx.dane.test", true, true, 1, ""},
		{"2 1 1", "2 1 1 " + data(inter, 1, 1), chain, "mx.dane.test", true, true, 1, ""},
		{"2 1 2", "2 1 2 " + data(inter, 1, 2), chain, "mx.dane.test", true, true, 1, ""},
		{"2 0 0", "2 0 0 " + data(inter, 0, 0), chain, "mx.dane.test", true, true, 1, ""},
		// DANE-TA checks the name and dates (RFC 7672 §3.2).
		{"2 0 1 wrong name", "2 0 1 " + data(inter, 0, 1), chain, "mx2.dane.test", true, false, 1, "does not verify"},
		{"2 0 1 expired leaf", "2 0 1 " + data(inter, 0, 1), expired, "mx.dane.test", true, false, 1, "does not verify"},
		{"2 0 1 of the leaf", "2 0 1 " + data(leafC, 0, 1), chain, "mx.dane.test", true, false, -1, "any CA certificate's"},
		{"2 0 1 no CA sent", "2 0 1 " + data(self[0], 0, 1), self, "elsewhere.test", true, false, -1, "only its own certificate"},
		{"1 1 1 PKIX-EE", "1 1 1 " + data(leafC, 1, 1), chain, "mx.dane.test", false, false, -1, "not usable"},
		{"3 1 1 short digest", "3 1 1 " + data(leafC, 1, 1)[:40], chain, "mx.dane.test", false, false, -1, "not usable"},
		{"3 2 1 bad selector", "3 2 1 " + data(leafC, 1, 1), chain, "mx.dane.test", false, false, -1, "not usable"},
		{"3 1 1 no chain", "3 1 1 " + data(leafC, 1, 1), nil, "mx.dane.test", true, false, -1, "no certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := smtpprobe.Match([]*dns.TLSA{tlsa(t, "mx.dane.test", tc.record)}, tc.chain, tc.host, now)
			if len(ms) != 1 {
				t.Fatalf("%d results", len(ms))
			}
			m := ms[0]
			if m.Usable != tc.usable || m.Matched != tc.matched || m.Cert != tc.cert || !strings.Contains(m.Reason, tc.reason) {
				t.Errorf("%+v\nwant usable %v matched %v cert %d reason %q", m, tc.usable, tc.matched, tc.cert, tc.reason)
			}
			if m.Usable && len(tc.chain) > 1 && len(m.Served) == 0 {
				t.Errorf("no served data")
			}
		})
	}
}

// reportFor is a report of one OK address serving chain, as Probe makes
// it, for Check.
func reportFor(t *testing.T, host string, chain []*x509.Certificate, roots ...*x509.Certificate) *smtpprobe.Report {
	t.Helper()
	var certs []smtpprobe.Certificate
	for _, c := range chain {
		certs = append(certs, smtpprobe.Certificate{DER: c.Raw, DNSNames: c.DNSNames, SPKISHA256: data(c, 1, 1)})
	}
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter})
	verr := ""
	if err != nil {
		verr = err.Error()
	}
	return &smtpprobe.Report{Domain: "dane.test", Status: smtpprobe.OK, Hosts: []smtpprobe.HostResult{{
		Host: host, Addr: "192.0.2.1:25", Status: smtpprobe.OK, STARTTLS: true,
		TLS: &smtpprobe.TLS{Version: "TLS 1.3", VersionID: 0x0304, AcceptsTLS12: true, Chain: certs, Trusted: err == nil, VerifyError: verr,
			NameMatches: chain[0].VerifyHostname(host) == nil, Time: time.Now()},
	}}}
}

// TestCheckDANE: a matching record is silent; a mismatch is an error
// naming the published and the served digest; a next key beside a
// matching one (a rollover) is information; no TLS at all with usable
// records is an error.
func TestCheckDANE(t *testing.T) {
	self := selfSigned(t, "mx.dane.test")
	next := selfSigned(t, "mx.dane.test")
	rep := reportFor(t, "mx.dane.test", self.chain)
	match := tlsa(t, "mx.dane.test", "3 1 1 "+self.spki())
	mismatch := tlsa(t, "mx.dane.test", "3 1 1 "+next.spki())
	pkix := tlsa(t, "mx.dane.test", "1 1 1 "+next.spki())
	for _, tc := range []struct {
		name string
		rrs  []*dns.TLSA
		want []string
	}{
		{"match", []*dns.TLSA{match}, []string{"info smtp.cert-untrusted"}},
		{"mismatch", []*dns.TLSA{mismatch}, []string{"error smtp.dane-mismatch", "info smtp.cert-untrusted"}},
		{"rollover", []*dns.TLSA{match, mismatch}, []string{"info smtp.dane-next-key", "info smtp.cert-untrusted"}},
		{"PKIX records are not matched", []*dns.TLSA{pkix, match}, []string{"info smtp.cert-untrusted"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := smtpprobe.Check(rep, smtpprobe.Input{TLSA: map[string][]*dns.TLSA{"mx.dane.test": tc.rrs}})
			if got := rules(fs); !slices.Equal(got, tc.want) {
				t.Fatalf("%q, want %q\n%v", got, tc.want, fs)
			}
			for _, f := range fs {
				switch f.Rule {
				case "smtp.dane-mismatch":
					if !strings.Contains(f.Message, next.spki()) || !strings.Contains(f.Message, self.spki()) || f.Name != "_25._tcp.mx.dane.test" || f.Type != "TLSA" {
						t.Errorf("the mismatch names %s %s: %q (published %s, served %s)", f.Name, f.Type, f.Message, next.spki(), self.spki())
					}
				case "smtp.dane-next-key":
					if !strings.Contains(f.Message, next.spki()[:20]) || !strings.Contains(f.Record, next.spki()) {
						t.Errorf("the next key is not named: %q %q", f.Message, f.Record)
					}
				}
			}
		})
	}
	// No STARTTLS beside usable TLSA records: an error, not a warning.
	plain := &smtpprobe.Report{Domain: "dane.test", Status: smtpprobe.OK, Hosts: []smtpprobe.HostResult{{Host: "mx.dane.test", Addr: "192.0.2.1:25",
		Status: smtpprobe.NoSTARTTLS, Stage: "ehlo", Detail: "EHLO does not offer STARTTLS"}}}
	fs := smtpprobe.Check(plain, smtpprobe.Input{TLSA: map[string][]*dns.TLSA{"mx.dane.test": {match}}})
	if got := rules(fs); !slices.Equal(got, []string{"error smtp.no-starttls"}) || !strings.Contains(fs[0].Message, "DANE") {
		t.Errorf("%v", fs)
	}
}

// TestCheckMTASTS: in enforce mode, a certificate that does not chain to
// a trusted root, or does not name a host the policy covers, is an
// error; in testing mode a warning; mode none and no policy say nothing
// of MTA-STS. "*." is one label in the policy and in the certificate.
func TestCheckMTASTS(t *testing.T) {
	ca := newCA(t)
	policy := func(mode string, mx ...string) *mtasts.Policy {
		text := "version: STSv1\nmode: " + mode + "\nmax_age: 86400\n"
		for _, m := range mx {
			text += "mx: " + m + "\n"
		}
		p, err := mtasts.ParsePolicy(text)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name   string
		host   string
		chain  []*x509.Certificate
		policy *mtasts.Policy
		want   []string
	}{
		{"valid, covered", "mx.sts.test", ca.valid(t, "mx.sts.test").chain, policy("enforce", "mx.sts.test"), nil},
		{"valid, covered by a wildcard", "mx.sts.test", ca.valid(t, "mx.sts.test").chain, policy("enforce", "*.sts.test"), nil},
		{"wildcard certificate", "mx.sts.test", ca.valid(t, "*.sts.test").chain, policy("enforce", "*.sts.test"), nil},
		{"the wildcard is one label", "a.mx.sts.test", ca.valid(t, "*.sts.test").chain, policy("enforce", "*.sts.test"),
			[]string{"error smtp.mtasts-names", "warning smtp.cert-name"}},
		{"not covered", "mx.elsewhere.test", ca.valid(t, "mx.elsewhere.test").chain, policy("enforce", "*.sts.test"), []string{"error smtp.mtasts-names"}},
		{"covered, certificate for another", "mx.sts.test", ca.valid(t, "mx2.sts.test").chain, policy("enforce", "*.sts.test"),
			[]string{"error smtp.mtasts-names", "warning smtp.cert-name"}},
		{"self-signed", "mx.sts.test", selfSigned(t, "mx.sts.test").chain, policy("enforce", "mx.sts.test"), []string{"error smtp.mtasts-untrusted"}},
		{"expired", "mx.sts.test", ca.issue(t, time.Now().Add(-72*time.Hour), time.Now().Add(-48*time.Hour), "mx.sts.test").chain, policy("enforce", "mx.sts.test"),
			[]string{"error smtp.mtasts-untrusted", "warning smtp.cert-expired"}},
		{"self-signed, testing", "mx.sts.test", selfSigned(t, "mx.sts.test").chain, policy("testing", "mx.sts.test"), []string{"warning smtp.mtasts-untrusted"}},
		{"self-signed, none", "mx.sts.test", selfSigned(t, "mx.sts.test").chain, policy("none"), []string{"info smtp.cert-untrusted"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := reportFor(t, tc.host, tc.chain, ca.root)
			if tc.name == "expired" {
				rep.Hosts[0].TLS.Expired = true
			}
			fs := smtpprobe.Check(rep, smtpprobe.Input{Policy: tc.policy})
			if got := rules(fs); !slices.Equal(got, tc.want) {
				t.Errorf("%q, want %q\n%v", got, tc.want, fs)
			}
		})
	}
}

// TestCheckNotChecked: a not-checked report has no findings, whatever
// its hosts say.
func TestCheckNotChecked(t *testing.T) {
	rep := &smtpprobe.Report{Status: smtpprobe.NotChecked, Hosts: []smtpprobe.HostResult{{Host: "mx.test", Status: smtpprobe.Timeout, Stage: "connect"}}}
	if fs := smtpprobe.Check(rep, smtpprobe.Input{}); len(fs) != 0 {
		t.Errorf("%v", fs)
	}
}
