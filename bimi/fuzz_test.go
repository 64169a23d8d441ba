package bimi

import (
	"slices"
	"testing"

	"github.com/domainlint/domainlint/lint"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=BIMI1; l=https://x.example/l.svg; a=https://x.example/a.pem",
		"v=BIMI1; l=; a=;",
		"v = BIMI1;l=https://x.example/l.svg,https://y;lps=true;avp=brand;s=1",
		"v=BIMI1; a=http://x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, probs := parse(txt)
		if r == nil {
			if IsBIMI(txt) || len(probs) > 0 {
				t.Fatalf("%q: no record but IsBIMI or problems", txt)
			}
			return
		}
		for _, p := range probs {
			if p.Span.Start < 0 || p.Span.End > len(txt) || p.Span.Start > p.Span.End {
				t.Fatalf("%q: span %+v out of bounds (%s)", txt, p.Span, p.Reason)
			}
		}
		if slices.ContainsFunc(probs, func(p *Problem) bool { return p.Severity == lint.Error }) {
			return
		}
		back, err := Parse(r.String())
		if err != nil {
			t.Fatalf("%q: String %q does not parse: %v", txt, r.String(), err)
		}
		if back.L != r.L || back.A != r.A || back.LPS != r.LPS || back.AVP != r.AVP {
			t.Fatalf("%q: round trip %+v != %+v", txt, back, r)
		}
	})
}

func FuzzParseSVG(f *testing.F) {
	for _, s := range []string{
		`<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>t</title></svg>`,
		`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg onload="x" x="1"><script/><a href="http://x"/></svg>`,
		`<svg viewBox="0,0,1e400,NaN"><style>url( #a) url(http://x)</style></svg>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > MaxSVGBytes*MaxInflation {
			return
		}
		s, probs := CheckSVG(data)
		if s == nil {
			t.Fatal("nil SVG")
		}
		if len(probs) == 0 && (s.BaseProfile != "tiny-ps" || s.Version != "1.2" || !s.Title) {
			t.Fatalf("%q passes without the basics: %+v", data, s)
		}
	})
}
