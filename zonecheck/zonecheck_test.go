package zonecheck_test

import (
	"context"
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
	} {
		t.Run(name, func(t *testing.T) {
			var got []lint.Finding
			for _, f := range zoneFindings(t, head+tt.rec+"\n") {
				if f.Rule == "zone.txt-string-too-long" {
					got = append(got, f)
				}
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
