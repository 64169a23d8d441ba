package mtasts

import (
	"slices"
	"testing"

	"github.com/domainlint/domainlint/lint"
)

func checkSpans(t *testing.T, text string, probs []*Problem) {
	t.Helper()
	for _, p := range probs {
		if p.Span.Start < 0 || p.Span.End > len(text) || p.Span.Start > p.Span.End {
			t.Fatalf("%q: span %+v out of bounds (%s)", text, p.Span, p.Reason)
		}
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1;id=a;;x=y", "v=STSv1 ; ID=a; e.x-t=v", "v=STSv1", "v=STSv1 id", "v=STSv1; id=" + string(make([]byte, 40))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, probs := parseRecord(txt)
		if r == nil {
			if IsSTS(txt) || len(probs) > 0 {
				t.Fatalf("%q: no record but IsSTS or problems", txt)
			}
			return
		}
		checkSpans(t, txt, probs)
		if len(probs) > 0 {
			return
		}
		// A valid record prints itself back.
		back, err := ParseRecord(r.String())
		if err != nil {
			t.Fatalf("%q: String %q does not parse: %v", txt, r.String(), err)
		}
		if back.ID != r.ID || len(back.Extensions) != len(r.Extensions) {
			t.Fatalf("%q: round trip %+v != %+v", txt, back, r)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
		"version: STSv1\nmode: none\nmax_age: 0",
		"version: STSv1\n\nmode: testing\nmx: a\nmax_age: 99999999999\nx: y z\n",
		"mode:enforce\r\rmx: *.*.a\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, probs := parsePolicy(text)
		checkSpans(t, text, probs)
		for _, pat := range p.MX {
			// A pattern matches itself unless it is a wildcard.
			if checkPattern(pat) == "" && pat[0] != '*' && !Match(pat, pat) {
				t.Fatalf("%q does not match itself", pat)
			}
		}
		if slices.ContainsFunc(probs, func(p *Problem) bool { return p.Severity == lint.Error }) {
			return
		}
		back, err := ParsePolicy(p.String())
		if err != nil {
			t.Fatalf("%q: String %q does not parse: %v", text, p.String(), err)
		}
		if back.Mode != p.Mode || back.MaxAge != p.MaxAge || !slices.Equal(back.MX, p.MX) || len(back.Extensions) != len(p.Extensions) {
			t.Fatalf("%q: round trip %+v != %+v", text, back, p)
		}
	})
}
