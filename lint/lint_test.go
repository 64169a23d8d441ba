package lint_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/lint"
)

func TestValidate(t *testing.T) {
	good := []lint.Rule{{ID: "spf.lookup-limit", Severity: lint.Error, Summary: "s", Citation: "RFC 7208 §4.6.4"}}
	if err := lint.Validate(good); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	bad := []lint.Rule{
		{ID: "Spf.Bad", Summary: "s", Citation: "c"},
		{ID: "spf.x", Summary: "", Citation: "c"},
		{ID: "spf.x", Summary: "s", Citation: ""},
		{ID: "spf.y", Severity: 9, Summary: "s", Citation: "c"},
	}
	err := lint.Validate(bad)
	if err == nil {
		t.Fatal("Validate(bad) = nil")
	}
	for _, want := range []string{"kebab", "empty summary", "duplicate", "empty citation", "invalid severity"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(bad) = %v, missing %q", err, want)
		}
	}
}

func TestFindingJSON(t *testing.T) {
	r := lint.Rule{ID: "spf.missing", Severity: lint.Warning, Summary: "s", Citation: "RFC 7208 §4.5"}
	f := r.New("example.com", "no SPF record")
	f.Type, f.Record, f.Span, f.Fixes = "TXT", "v=spf1", lint.Span{Start: 0, End: 6}, []lint.Fix{lint.EditFix("", lint.Edit{Op: lint.Add, RR: "x"})}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rule":"spf.missing","severity":"warning","name":"example.com","type":"TXT","record":"v=spf1","span":{"start":0,"end":6},"message":"no SPF record","citation":"RFC 7208 §4.5","fixes":[{"message":"add the record","edits":[{"op":"add","rr":"x"}]}]}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	var back lint.Finding
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, f) {
		t.Errorf("round trip = %+v, want %+v", back, f)
	}
}

func TestSort(t *testing.T) {
	fs := []lint.Finding{
		{Rule: "b", Severity: lint.Info, Name: "a"},
		{Rule: "a", Severity: lint.Error, Name: "z"},
		{Rule: "c", Severity: lint.Error, Name: "a"},
		{Rule: "d", Severity: lint.Warning, Name: "a"},
	}
	lint.Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule)
	}
	if strings.Join(got, "") != "cadb" {
		t.Errorf("order = %v", got)
	}
	if lint.Count(fs, lint.Error) != 2 {
		t.Errorf("Count = %d", lint.Count(fs, lint.Error))
	}
}

func TestParseSeverity(t *testing.T) {
	for _, s := range []lint.Severity{lint.Error, lint.Warning, lint.Info} {
		got, err := lint.ParseSeverity(strings.ToUpper(s.String()))
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := lint.ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity(fatal) = nil error")
	}
}

// FuzzFindingJSON: every finding survives a JSON round trip.
func FuzzFindingJSON(f *testing.F) {
	f.Add("spf.missing", 1, "example.com", "TXT", "v=spf1", 0, 6, "msg", "RFC 7208 §4.5", "fix")
	f.Fuzz(func(t *testing.T, rule string, sev int, name, typ, rec string, start, end int, msg, cit, fix string) {
		in := lint.Finding{Rule: rule, Severity: lint.Severity(sev % 3), Name: name, Type: typ, Record: rec,
			Span: lint.Span{Start: start, End: end}, Message: msg, Citation: cit, Fixes: []lint.Fix{{Message: fix, Edits: []lint.Edit{{Op: lint.Delete, RR: fix}}}}}
		if in.Severity < 0 {
			in.Severity = -in.Severity
		}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out lint.Finding
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		// JSON replaces invalid UTF-8; compare through the same lens.
		var want lint.Finding
		b2, _ := json.Marshal(out)
		json.Unmarshal(b2, &want)
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("round trip:\n in  %+v\n out %+v", in, out)
		}
	})
}

func TestBound(t *testing.T) {
	rec := strings.Repeat("x", 10_000)
	var fs []lint.Finding
	for i := range 1000 {
		f := lint.Rule{ID: "dmarc.bad-uri", Severity: lint.Warning, Citation: "c"}.New("_dmarc.example.com", strings.Repeat("m", 5000))
		f.Record, f.Span = rec, lint.Span{Start: i * 10, End: i*10 + 5}
		fs = append(fs, f)
	}
	other := lint.Rule{ID: "dmarc.syntax", Severity: lint.Error, Citation: "c"}.New("_dmarc.example.com", "short")
	other.Record, other.Fixes = "v=DMARC1", []lint.Fix{{Message: strings.Repeat("f", lint.MaxFixBytes+1)}}
	fs = append(fs, other)
	out := lint.Bound(fs)
	if len(out) != lint.MaxPerRule+2 {
		t.Fatalf("%d findings, want %d", len(out), lint.MaxPerRule+2)
	}
	size := 0
	for _, f := range out {
		size += len(f.Record) + len(f.Message) + len(f.FixText())
		if len(f.Record) > lint.MaxRecordBytes+2*len("…") || len(f.Message) > lint.MaxMessageBytes+64 || len(f.FixText()) > lint.MaxFixBytes {
			t.Errorf("finding not clipped: record %d, message %d, fix %d octets", len(f.Record), len(f.Message), len(f.FixText()))
		}
		if !f.Span.IsZero() && f.Record[f.Span.Start:f.Span.End] != "xxxxx" {
			t.Errorf("span %v does not point at the same text in the clipped record", f.Span)
		}
	}
	if out[0].Rule != "dmarc.syntax" || len(out[0].Fixes) != 0 || !strings.Contains(out[0].Message, "too long to show") {
		t.Errorf("first finding %+v", out[0])
	}
	if again := lint.Bound(slices.Clone(out)); !reflect.DeepEqual(again, out) {
		t.Errorf("Bound is not idempotent")
	}
	folds := 0
	for _, f := range out {
		if strings.Contains(f.Message, "and 980 more dmarc.bad-uri findings") {
			folds++
		}
	}
	if folds != 1 {
		t.Errorf("%d findings fold the other 980", folds)
	}
	t.Logf("1,001 findings of 15 KB each → %d findings, %d octets of text", len(out), size)
}
