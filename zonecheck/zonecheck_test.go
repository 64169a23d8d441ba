package zonecheck_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonecheck"
)

func zoneFindings(t *testing.T, text string) []lint.Finding {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{Domain: "example.test", File: "db.example.test", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), z, "example.test", check.Options{Checks: []*analysis.Check{zonecheck.NewCheck()}})
	return rep.Findings
}

// A 2048-bit DKIM key pasted as one quoted string of more than 255 octets,
// as zones written for a server that splits long strings (gdnsd, Knot) do:
// RFC 1035 §3.3 allows a character-string 255 octets, and BIND refuses the
// whole zone (named-checkzone 9.18: "syntax error"). The zone loads here and
// in Knot (both split the string), so it is a warning, on the record's line.
// Where named-checkzone is installed, it is the oracle: it refuses exactly
// the zones with a finding.
func TestTXTStringTooLong(t *testing.T) {
	key := strings.Repeat("A", 392)
	head := "$TTL 3600\n@ SOA ns1 hostmaster 1 7200 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n"
	for name, tt := range map[string]struct {
		rec  string
		want int // octets of the longest string; 0: no finding
	}{
		"one long string": {rec: `mail._domainkey TXT "v=DKIM1; k=rsa; p=` + key + `"`, want: 410},
		"escapes count as one octet each": {
			rec: `long TXT "` + strings.Repeat(`\059`, 200) + strings.Repeat(`\"`, 56) + `"`, want: 256},
		"split in parentheses across lines, with comments": {
			rec: "mail._domainkey TXT ( \"v=DKIM1; k=rsa; \" ; a \"quoted\" comment\n\t\"p=" + key[:200] + "\"\n\t\"" + key[200:] + "\" ) ; key"},
		"255 octets exactly":          {rec: `x TXT "` + strings.Repeat("a", 255) + `"`},
		"escaped: 255 octets":         {rec: `x TXT "` + strings.Repeat(`\\`, 255) + `"`},
		"a long comment is no string": {rec: `x TXT "v=spf1 -all" ; "` + strings.Repeat("c", 300) + `"`},
		// Unquoted, a word is a string all the same (RFC 1035 §5.1):
		// named-checkzone 9.18: "syntax error".
		"unquoted":                 {rec: `x TXT p=` + key[:300], want: 302},
		"unquoted, in parentheses": {rec: "x TXT ( \"v=DKIM1;\"\n\t" + key[:256] + " )", want: 256},
		// RFC 3597's generic form: its hex is no character-string.
		"generic form":         {rec: `x TXT \# 201 C8` + strings.Repeat("61", 200)},
		"unquoted, 255 octets": {rec: `x TXT ` + strings.Repeat("a", 255) + ` b`},
	} {
		t.Run(name, func(t *testing.T) {
			var got []lint.Finding
			for _, f := range zoneFindings(t, head+tt.rec+"\n") {
				if f.Rule == "zone.txt-string-too-long" {
					got = append(got, f)
				}
			}
			if refused, ok := bindRefuses(t, head+tt.rec+"\n"); ok && refused != (tt.want != 0) {
				t.Errorf("named-checkzone refuses the zone: %v; want %v", refused, tt.want != 0)
			}
			if tt.want == 0 {
				if len(got) > 0 {
					t.Fatalf("finding on a zone with no string over 255 octets: %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one zone.txt-string-too-long finding, got %v", got)
			}
			f := got[0]
			if f.Severity != lint.Warning || f.Type != "TXT" {
				t.Errorf("severity %v, type %q; want a warning about a TXT record", f.Severity, f.Type)
			}
			for _, want := range []string{strings.Fields(tt.rec)[0] + ".example.test", "of " + strconv.Itoa(tt.want) + " octets", "255", "BIND"} {
				if !strings.Contains(f.Name+" "+f.Message, want) {
					t.Errorf("finding %s %q does not say %q", f.Name, f.Message, want)
				}
			}
		})
	}
}

// An NS record at the apex naming a server inside the zone that the zone
// gives no address: BIND refuses the zone (named-checkzone 9.18: "NS
// 'ns2.other.example.example.test' has no address records (A or AAAA)",
// "not loaded due to errors"; a CNAME: "is a CNAME (illegal)"). Names
// outside the zone, under a delegation (glue: BIND only warns), or given an
// address by a wildcard are not the zone's to answer, or are answered.
// Where named-checkzone is installed, it is the oracle: it refuses exactly
// the zones with a finding.
func TestNSNoAddress(t *testing.T) {
	head := "$TTL 3600\n@ SOA ns1 hostmaster 1 7200 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n"
	for name, tt := range map[string]struct {
		rec  string
		want []string // what the finding says; nil: no finding
	}{
		"written without its trailing dot": {rec: "@ NS ns2.other.example",
			want: []string{"ns2.other.example.example.test", "no address record", "BIND refuses", "write it as ns2.other.example."}},
		"a CNAME":                 {rec: "@ NS ns2\nns2 CNAME ns1", want: []string{"ns2.example.test", "is a CNAME", "RFC 2181 §10.3"}},
		"an empty non-terminal":   {rec: "@ NS ns\nhost.ns A 192.0.2.7", want: []string{"ns.example.test", "no address record"}},
		"a name with no address":  {rec: "@ NS ns2\nns2 TXT \"spare\"", want: []string{"ns2.example.test", "no address record"}},
		"an address":              {rec: "@ NS ns2\nns2 A 192.0.2.54"},
		"an IPv6 address only":    {rec: "@ NS ns2\nns2 AAAA 2001:db8::54"},
		"outside the zone":        {rec: "@ NS ns2.other.example."},
		"a wildcard's address":    {rec: "@ NS ns2.pool\n*.pool A 192.0.2.55"},
		"a wildcard not reached":  {rec: "@ NS ns2.pool\n*.pool A 192.0.2.55\nns2.pool TXT \"here\"", want: []string{"ns2.pool.example.test", "no address record"}},
		"under a delegation":      {rec: "@ NS ns.sub\nsub NS ns.sub\nns.sub A 192.0.2.56"},
		"a delegation's own glue": {rec: "child NS ns.child"},
		"below a DNAME":           {rec: "@ NS ns.d\nd DNAME example.net.", want: []string{"ns.d.example.test", "below the DNAME at d.example.test", "BIND refuses"}},
		"a wildcard's CNAME":      {rec: "@ NS ns2\n* CNAME x.example.net.", want: []string{"ns2.example.test", "is a CNAME"}},
	} {
		t.Run(name, func(t *testing.T) {
			text := head + tt.rec + "\n"
			var got []lint.Finding
			for _, f := range zoneFindings(t, text) {
				if f.Rule == "zone.ns-no-address" {
					got = append(got, f)
				}
			}
			if refused, ok := bindRefuses(t, text); ok && refused != (tt.want != nil) {
				t.Errorf("named-checkzone refuses the zone: %v; want %v", refused, tt.want != nil)
			}
			if tt.want == nil {
				if len(got) > 0 {
					t.Fatalf("finding on a zone BIND loads: %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one zone.ns-no-address finding, got %v", got)
			}
			if f := got[0]; f.Severity != lint.Error || f.Type != "NS" || f.Name != "example.test" {
				t.Errorf("finding %s %s %v; want an error about the apex's NS", f.Name, f.Type, f.Severity)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Message, w) {
					t.Errorf("message %q does not say %q", got[0].Message, w)
				}
			}
		})
	}
}

// bindRefuses runs named-checkzone on a zone of example.test, when it is
// installed: whether BIND refuses to load it.
func bindRefuses(t *testing.T, text string) (refused, ok bool) {
	t.Helper()
	path, err := exec.LookPath("named-checkzone")
	if err != nil {
		return false, false
	}
	file := filepath.Join(t.TempDir(), "db.example.test")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "example.test", file).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	t.Logf("named-checkzone: %s", out)
	return err != nil, true
}
