package dane_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dane"
)

const h256 = "866800a8d6555ce1f88e01e773b06ca9fb156bd2a88b8bcc561ffd6283a4dc05"

func TestParseTLSA(t *testing.T) {
	for _, tc := range []struct {
		in     string
		err    bool
		usable bool
		rules  string
	}{
		{in: "3 1 1 " + h256, usable: true},
		{in: "2 1 1 " + strings.ToUpper(h256[:32]) + " " + h256[32:], usable: true}, // hex split by a space
		{in: "3 1 2 " + h256 + h256, usable: true, rules: "dane.not-recommended"},
		{in: "3 0 1 " + h256, usable: true, rules: "dane.not-recommended"},
		{in: "3 1 1 " + h256[:40], rules: "dane.bad-record"},
		{in: "3 1 2 " + h256, rules: "dane.bad-record"},
		{in: "0 0 1 " + h256, rules: "dane.pkix-usage"},
		{in: "1 1 1 " + h256, rules: "dane.pkix-usage"},
		{in: "4 1 1 " + h256, rules: "dane.bad-record"},
		{in: "255 1 1 " + h256, rules: "dane.bad-record"},
		{in: "3 2 1 " + h256, rules: "dane.bad-record"},
		{in: "3 1 3 " + h256, rules: "dane.bad-record"},
		{in: "3 1 0 " + h256, rules: "dane.bad-record"}, // not an SPKI
		{in: "3 0 0 " + h256, rules: "dane.bad-record"}, // not a certificate
		{in: "3 1 1", err: true},
		{in: "3 1 1 xyz", err: true},
		{in: "256 1 1 " + h256, err: true},
		{in: "-1 1 1 " + h256, err: true},
		{in: "3 1 1 abc", err: true}, // odd hex
	} {
		tl, err := dane.ParseTLSA(tc.in)
		if tc.err {
			if err == nil || !errors.Is(err, dane.ErrSyntax) {
				t.Errorf("%q: want ErrSyntax, got %v", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var rules []string
		for _, p := range tl.Problems() {
			rules = append(rules, p.Rule.ID)
		}
		if got := strings.Join(rules, " "); got != tc.rules || tl.Usable() != tc.usable {
			t.Errorf("%q: rules %q usable %v, want %q %v", tc.in, got, tl.Usable(), tc.rules, tc.usable)
		}
	}
}

// FuzzParseTLSA: whatever parses prints itself back to the same record,
// and linting it never panics.
func FuzzParseTLSA(f *testing.F) {
	for _, s := range []string{
		"3 1 1 " + h256, "2 1 1 " + h256, "3 1 0 3059301306072a8648ce3d020106082a8648ce3d030107034200044e52",
		"3 0 0 3082", "1 1 1 00", "255 255 255 ff", "3 1 1", "3 1 1 zz", "  3\t1 1  ab cd ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tl, err := dane.ParseTLSA(s)
		if err != nil {
			return
		}
		back, err := dane.ParseTLSA(tl.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, tl.String(), err)
		}
		if back.Usage != tl.Usage || back.Selector != tl.Selector || back.MatchingType != tl.MatchingType || !bytes.Equal(back.Data, tl.Data) || back.String() != tl.String() {
			t.Fatalf("%q does not round-trip: %q", s, back.String())
		}
		ps := tl.Problems()
		if tl.Usable() && tl.Usage < 2 {
			t.Fatalf("%q: a PKIX usage is never usable for SMTP", s)
		}
		for _, p := range ps {
			if !strings.HasPrefix(p.Rule.ID, "dane.") || p.Reason == "" {
				t.Fatalf("%q: bad problem %+v", s, p)
			}
		}
	})
}
