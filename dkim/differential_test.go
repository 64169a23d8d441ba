package dkim_test

// The DKIM half of issue 25's differential test: seeded, generated key
// records read by dkim.ParseKey and by two independent implementations
// run as subprocesses (testdata/oracle): dkimpy (Debian python3-dkim, run
// by /usr/bin/python3: the python3 on PATH may be another one, without
// Debian's modules) and Perl Mail::DKIM (libmail-dkim-perl). The question
// is the one a verifier of mail asks of the record: is this a key it may
// verify with? The records vary what that depends on (v=, k=, p=, s=,
// the tag syntax) and what it does not (h=, t=, n=, unknown tags). Every
// disagreement must be a known divergence, with the RFC section that makes
// domainlint right.
//
//	go test ./dkim/ -run Differential -v                     # 1500 records, seed 25
//	go test ./dkim/ -run Differential -dkim-records 20000 -dkim-seed 7

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"flag"
	"math/big"
	mrand "math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/internal/fixture"
)

var (
	dkimRecords = flag.Int("dkim-records", 1500, "differential test: number of generated DKIM key records")
	dkimSeed    = flag.Uint64("dkim-seed", 25, "differential test: generator seed")
)

// dkimOracle is one implementation to compare with.
type dkimOracle struct {
	name string
	cmd  []string
}

func dkimOracles() (have []dkimOracle, missing []string) {
	if exec.Command("/usr/bin/python3", "-c", "import dkim, nacl").Run() == nil {
		have = append(have, dkimOracle{name: "dkimpy", cmd: []string{"/usr/bin/python3", "testdata/oracle/dkimpy.py"}})
	} else {
		missing = append(missing, "dkimpy (apt-get install python3-dkim)")
	}
	if exec.Command("perl", "-MMail::DKIM::PublicKey", "-e1").Run() == nil {
		have = append(have, dkimOracle{name: "Mail::DKIM", cmd: []string{"perl", "testdata/oracle/maildkim.pl"}})
	} else {
		missing = append(missing, "Mail::DKIM (apt-get install libmail-dkim-perl)")
	}
	return have, missing
}

// dkimDivergence is a known, justified disagreement with an oracle.
type dkimDivergence struct {
	id, oracle, rfc, why string // oracle: "dkimpy", "Mail::DKIM", or "" for both
	match                func(txt string, ours, theirs dkimVerdict) bool
}

// dkimVerdict is one implementation's answer about one record.
type dkimVerdict struct {
	usable bool
	why    string
}

func (v dkimVerdict) String() string {
	if v.usable {
		return "usable"
	}
	return "unusable (" + v.why + ")"
}

// tag returns the value of the first tag named name in txt, and whether
// there is one (a rough reading, for the matchers only).
func tag(txt, name string) (string, bool) {
	for _, spec := range strings.Split(txt, ";") {
		n, v, ok := strings.Cut(spec, "=")
		if ok && strings.TrimSpace(n) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

var dkimDivergences = []dkimDivergence{{
	id: "s-list", oracle: "dkimpy", rfc: "RFC 6376 §3.6.1 (s= is \"a colon-separated list of service types\")",
	why: "dkimpy compares the whole s= value with *, email and tlsrpt, so s=email:tlsrpt or s=*:foo names no service it knows",
	match: func(txt string, ours, theirs dkimVerdict) bool {
		s, _ := tag(txt, "s")
		return ours.usable && strings.Contains(s, ":")
	},
}, {
	id: "empty-s", oracle: "Mail::DKIM", rfc: "RFC 6376 §3.6.1 (key-s-tag lists at least one key-s-tag-type)",
	why: "Mail::DKIM checks s= only when its value is not empty, so s= (empty) passes as all services",
	match: func(txt string, ours, theirs dkimVerdict) bool {
		s, ok := tag(txt, "s")
		return !ours.usable && ok && s == ""
	},
}, {
	id: "no-ed25519", oracle: "Mail::DKIM", rfc: "RFC 8463 §4 (k=ed25519)",
	why: "Mail::DKIM::PublicKey of Debian 12 (1.20230212) knows only k=rsa",
	match: func(txt string, ours, theirs dkimVerdict) bool {
		k, _ := tag(txt, "k")
		return ours.usable && k == "ed25519"
	},
}, {
	id: "version-not-first", oracle: "", rfc: "RFC 6376 §3.6.1 (v=: \"This tag MUST be the first tag in the record.\")",
	why: "both read the tags in any order, v= included",
	match: func(txt string, ours, theirs dkimVerdict) bool {
		_, hasV := tag(txt, "v")
		return !ours.usable && hasV && !strings.HasPrefix(strings.TrimLeft(txt, " \t"), "v") && strings.Contains(ours.why, "first tag")
	},
}, {
	id: "tag-syntax", oracle: "Mail::DKIM", rfc: "RFC 6376 §3.2 (tag-list: tag-name = ALPHA *ALNUMPUNC; a tag name occurs once)",
	why: "Mail::DKIM reads any text before \"=\" as a tag name, and keeps the last of a repeated tag",
	match: func(txt string, ours, theirs dkimVerdict) bool {
		return !ours.usable && (strings.Contains(ours.why, "not a valid tag name") || strings.Contains(ours.why, "appears more than once"))
	},
}, {
	id: "pkcs1", oracle: "Mail::DKIM", rfc: "RFC 6376 erratum 3017 (p= may hold an RSAPublicKey, as §3.6.1's text says, or a SubjectPublicKeyInfo, as its example has it)",
	why: "Mail::DKIM has OpenSSL load p= as a SubjectPublicKeyInfo only (\"wrong tag\")",
	match: func(txt string, ours, theirs dkimVerdict) bool {
		p, _ := tag(txt, "p")
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(p), ""))
		if err != nil || !ours.usable {
			return false
		}
		_, pkix := x509.ParsePKIXPublicKey(der)
		_, pkcs1 := x509.ParsePKCS1PublicKey(der)
		return pkix != nil && pkcs1 == nil
	},
}}

// dkimKeys is the key material records are built from.
type dkimKeys struct {
	rsa   map[int]string // PKIX, by bits
	pkcs1 map[int]string // bare RSAPublicKey, by bits
	ed    string
}

// randomRSA returns a public key with a random odd modulus of bits bits
// (not a product of primes: a parser only reads it).
func randomRSA(t *testing.T, bits int) *rsa.PublicKey {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, bits-1, 1).SetBit(n, 0, 1)
	return &rsa.PublicKey{N: n, E: 65537}
}

func newDKIMKeys(t *testing.T) dkimKeys {
	k := dkimKeys{rsa: map[int]string{}, pkcs1: map[int]string{}}
	for _, bits := range []int{1024, 2048, 4096, 4608, 8192} {
		pub := randomRSA(t, bits)
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		k.rsa[bits] = base64.StdEncoding.EncodeToString(der)
		k.pkcs1[bits] = base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(pub))
	}
	ed := make([]byte, 32)
	rand.Read(ed)
	k.ed = base64.StdEncoding.EncodeToString(ed)
	return k
}

// dkimGen builds one key record from parts that decide its verdict.
func dkimGen(r *mrand.Rand, keys dkimKeys) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	bits := []int{1024, 2048, 4096, 4608, 8192}[r.IntN(5)]
	ktype := pick("", "", "rsa", "rsa", "ed25519", "ed25519", "RSA", "dsa")
	var p string
	switch {
	case r.IntN(12) == 0:
		p = pick("", "not*base64", "AAAA", keys.rsa[2048][:40])
	case ktype == "ed25519" && r.IntN(8) != 0:
		p = keys.ed
	case r.IntN(10) == 0:
		p = keys.ed // a key of the other type
	case r.IntN(8) == 0:
		p = keys.pkcs1[bits]
	default:
		p = keys.rsa[bits]
	}
	if len(p) > 20 && r.IntN(10) == 0 {
		p = p[:20] + pick(" ", "\t", "  ") + p[20:] // FWS inside base64string
	}
	var tags []string
	if ktype != "" {
		tags = append(tags, "k="+ktype)
	}
	if r.IntN(4) != 0 {
		tags = append(tags, "s="+pick("email", "*", "tlsrpt", "foo", "EMAIL", "", "email:tlsrpt", "*:foo", " email ", "tlsrpt:foo", "e-mail"))
	}
	if r.IntN(4) == 0 {
		tags = append(tags, pick("h=sha256", "h=sha1", "h=sha1:sha256", "t=y", "t=s", "t=y:s", "n=a note", "x=1", "g=*"))
	}
	if r.IntN(25) == 0 {
		tags = append(tags, pick("junk", "1x=2", "p=AAAA"))
	}
	tags = append(tags, "p="+p)
	if r.IntN(6) == 0 {
		r.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	}
	switch r.IntN(10) {
	case 0, 1, 2:
	case 3:
		tags = append(tags, "v=DKIM1") // not first
	case 4:
		tags = append([]string{pick("v=DKIM2", "v=dkim1")}, tags...)
	default:
		tags = append([]string{"v=DKIM1"}, tags...)
	}
	sep := pick("; ", ";", " ; ", "; ")
	rec := strings.Join(tags, sep)
	if r.IntN(5) == 0 {
		rec += ";"
	}
	return rec
}

// dkimOurs is domainlint's verdict: a key a verifier of mail may use.
func dkimOurs(txt string) dkimVerdict {
	k, err := dkim.ParseKey(txt)
	switch {
	case err != nil:
		return dkimVerdict{why: err.Error()}
	case k.Revoked:
		return dkimVerdict{why: "revoked"}
	case !k.ForEmail():
		return dkimVerdict{why: "not for email: s=" + strings.Join(k.Services, ":")}
	case k.PublicKey == nil:
		return dkimVerdict{why: "no public key"}
	}
	return dkimVerdict{usable: true}
}

func TestDifferentialDKIM(t *testing.T) {
	oracles, missing := dkimOracles()
	if len(oracles) == 0 {
		t.Skip("no DKIM oracle installed, not compared: apt-get install python3-dkim libmail-dkim-perl")
	}
	for _, m := range missing {
		t.Logf("not compared with %s", m)
	}
	start := time.Now()
	keys := newDKIMKeys(t)
	r := mrand.New(mrand.NewPCG(*dkimSeed, 25))
	// Issue 25's examples first, then the generated records.
	recs := []string{
		"v=DKIM1; s=tlsrpt; p=" + keys.rsa[2048], "v=DKIM1; s=foo; p=" + keys.rsa[2048], "v=DKIM1; s=; p=" + keys.rsa[2048],
		"v=DKIM1; k=rsa; p=" + keys.rsa[8192], "v=DKIM1; k=rsa; p=" + keys.rsa[4608],
	}
	for range *dkimRecords {
		recs = append(recs, dkimGen(r, keys))
	}
	var in bytes.Buffer
	for _, txt := range recs {
		in.WriteString(txt + "\n")
	}
	for _, o := range oracles {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, o.cmd[0], o.cmd[1:]...)
		cmd.Stdin = bytes.NewReader(in.Bytes())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v: %s", o.name, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != len(recs) {
			t.Fatalf("%s: %d verdicts for %d records", o.name, len(lines), len(recs))
		}
		agree, known := 0, map[string]int{}
		for i, txt := range recs {
			ours := dkimOurs(txt)
			res, why, _ := strings.Cut(lines[i], "\t")
			theirs := dkimVerdict{usable: res == "usable", why: why}
			if ours.usable == theirs.usable {
				agree++
				continue
			}
			id := ""
			for _, d := range dkimDivergences {
				if (d.oracle == "" || d.oracle == o.name) && d.match(txt, ours, theirs) {
					id = d.id
					break
				}
			}
			if id != "" {
				known[id]++
				continue
			}
			t.Errorf("%s disagrees on %q: domainlint %s, %s %s", o.name, txt, ours, o.name, theirs)
		}
		t.Logf("%s: %d records: %d agree, %d known divergences %v", o.name, len(recs), agree, len(recs)-agree, known)
	}
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}

// TestDKIMDivergencesDocumented: each known divergence names its RFC
// section and reason, once.
func TestDKIMDivergencesDocumented(t *testing.T) {
	fixture.CheckDivergences(t, dkimDivergences, func(d dkimDivergence) (string, string, string, bool) { return d.id, d.rfc, d.why, d.match != nil })
}
