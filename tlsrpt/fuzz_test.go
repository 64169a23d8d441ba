package tlsrpt

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=TLSRPTv1; rua=mailto:reports@example.com",
		"v=TLSRPTv1;rua=mailto:a@x.example , https://r.example/v1;",
		"v=TLSRPTv1; rua=mailto:a@b!10m,,; x.y=z; rua=q",
		"v=TLSRPTv1 rua",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, probs := parse(txt)
		if r == nil {
			if IsTLSRPT(txt) || len(probs) > 0 {
				t.Fatalf("%q: no record but IsTLSRPT or problems", txt)
			}
			return
		}
		for _, p := range probs {
			if p.Span.Start < 0 || p.Span.End > len(txt) || p.Span.Start > p.Span.End {
				t.Fatalf("%q: span %+v out of bounds (%s)", txt, p.Span, p.Reason)
			}
		}
		for _, u := range r.RUA {
			if u.Span.Start < 0 || u.Span.End > len(txt) || u.Span.Start > u.Span.End || (u.Raw != "" && txt[u.Span.Start:u.Span.End] != u.Raw) {
				t.Fatalf("%q: URI span %+v does not hold %q", txt, u.Span, u.Raw)
			}
		}
		if len(probs) > 0 {
			return
		}
		back, err := Parse(r.String())
		if err != nil {
			t.Fatalf("%q: String %q does not parse: %v", txt, r.String(), err)
		}
		if len(back.RUA) != len(r.RUA) || len(back.Extensions) != len(r.Extensions) {
			t.Fatalf("%q: round trip %+v != %+v", txt, back, r)
		}
		for i := range back.RUA {
			if back.RUA[i].Raw != r.RUA[i].Raw || back.RUA[i].Host != r.RUA[i].Host {
				t.Fatalf("%q: round trip URI %+v != %+v", txt, back.RUA[i], r.RUA[i])
			}
		}
	})
}
