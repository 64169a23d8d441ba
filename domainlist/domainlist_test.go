package domainlist_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/domainlint/domainlint/domainlist"
	"github.com/domainlint/domainlint/resolver"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		reason   domainlist.Reason
	}{
		{"example.com", "example.com", ""},
		{"  Example.COM.\r", "example.com", ""},
		{"BÜCHER.example", "xn--bcher-kva.example", ""},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", ""},
		{"münchen.de.", "xn--mnchen-3ya.de", ""},
		{"faß.de", "xn--fa-hia.de", ""}, // IDNA2008: ß is kept, not mapped to ss
		{"https://d.test/", "", domainlist.ReasonURL},
		{"http://user@d.test:8080/x", "", domainlist.ReasonURL},
		{"d.test/path", "", domainlist.ReasonURL},
		{"admin@d.test", "", domainlist.ReasonAddress},
		{"mailto:admin@d.test", "", domainlist.ReasonAddress},
		{"a.test,b.test", "", domainlist.ReasonList},
		{"a.test;b.test", "", domainlist.ReasonList},
		{"1,google.com", "", domainlist.ReasonList},
		{"a.test b.test", "", domainlist.ReasonSpace},
		{"a.test\tb", "", domainlist.ReasonSpace},
		{"a.test\u00a0b", "", domainlist.ReasonSpace},
		{"d.test:25", "", domainlist.ReasonPort},
		{"192.0.2.1", "", domainlist.ReasonIP},
		{"0.0.0.0.", "", domainlist.ReasonIP}, // found by FuzzReader
		{"..", "", domainlist.ReasonInvalid},
		{"a\u3002", "", domainlist.ReasonInvalid}, // idna maps the ideographic full stop to "."
		{"2001:db8::1", "", domainlist.ReasonIP},
		{"[2001:db8::1]", "", domainlist.ReasonIP},
		{"a..b", "", domainlist.ReasonInvalid},
		{".", "", domainlist.ReasonInvalid},
		{"-a.test", "", domainlist.ReasonInvalid},
		{"under_score.test", "", domainlist.ReasonInvalid},
		{"xn--zz.test", "", domainlist.ReasonInvalid},
		{strings.Repeat("a", 64) + ".test", "", domainlist.ReasonInvalid},
		{strings.Repeat("abcdefghi.", 26) + "test", "", domainlist.ReasonInvalid},
		{"bad\xffutf8.test", "", domainlist.ReasonInvalid},
		{strings.Repeat("a", domainlist.MaxLine+1), "", domainlist.ReasonTooLong},
		{"", "", domainlist.ReasonInvalid},
	} {
		got, err := domainlist.Normalize(tc.in)
		var e *domainlist.Error
		switch {
		case tc.reason == "" && (err != nil || got != tc.want):
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.reason != "" && (!errors.As(err, &e) || e.Reason != tc.reason || got != ""):
			t.Errorf("Normalize(%q) = %q, %v; want reason %s", tc.in, got, err, tc.reason)
		case err != nil && !errors.Is(err, resolver.ErrInvalidName):
			t.Errorf("Normalize(%q): %v does not wrap resolver.ErrInvalidName", tc.in, err)
		}
		if got != "" {
			if c, err := resolver.CanonicalName(got); err != nil || c != got+"." {
				t.Errorf("Normalize(%q) = %q: resolver.CanonicalName: %q, %v", tc.in, got, c, err)
			}
		}
	}
}

// TestReader: each line is a name, a rejected line with its number and
// reason, or nothing (blank, comment, repeat); the sequence goes on
// after a rejected line, and a long line is cut, not held.
func TestReader(t *testing.T) {
	list := "\uFEFFa.test\n\n# comment\nA.TEST.\n" + strings.Repeat("x", 100<<10) + "\nb.test\r\nhttps://c.test/\nb.test\nc.test"
	rd := domainlist.NewReader(strings.NewReader(list), domainlist.Options{})
	var got []string
	for name, err := range rd.All() {
		if err != nil {
			var e *domainlist.Error
			if !errors.As(err, &e) || e.Text != name || len(name) > domainlist.MaxLine+len("…") {
				t.Errorf("rejected %.40q: %v", name, err)
			}
			got = append(got, fmt.Sprintf("%d:%s", e.Line, e.Reason))
			continue
		}
		got = append(got, name)
	}
	want := []string{"a.test", "5:too-long", "b.test", "7:url", "c.test"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if st := rd.Stats(); st != (domainlist.Stats{Lines: 9, Names: 3, Rejected: 2, Repeats: 2}) || rd.Err() != nil {
		t.Errorf("stats %+v, err %v", st, rd.Err())
	}
}

// TestReaderKeep: what Keep refuses is skipped and not remembered.
func TestReaderKeep(t *testing.T) {
	rd := domainlist.NewReader(strings.NewReader("a.test\nb.test\nbad name\na.test\nworse name\n"), domainlist.Options{Keep: func(s string) bool { return s != "b.test" && s != "worse name" }})
	var got []string
	for name := range rd.All() {
		got = append(got, name)
	}
	if fmt.Sprint(got) != "[a.test bad name]" {
		t.Errorf("got %q", got)
	}
	if st := rd.Stats(); st.Skipped != 2 || st.Repeats != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestReaderReadError: a read error ends the sequence and is kept.
func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	rd := domainlist.NewReader(io.MultiReader(strings.NewReader("a.test\n"), iotest.ErrReader(boom)), domainlist.Options{})
	n := 0
	for range rd.All() {
		n++
	}
	if n != 1 || !errors.Is(rd.Err(), boom) {
		t.Errorf("%d names, err %v", n, rd.Err())
	}
}

// namesReader generates n distinct names, one a line, without holding
// them.
type namesReader struct {
	n, i int
	buf  []byte
}

func (r *namesReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = fmt.Appendf(r.buf, "d%d.test\n", r.i)
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.buf = r.buf[k:]
	return k, nil
}

// TestSeenBound: the set of hashes that drops repeats holds at most
// MaxSeen entries, at under 48 octets each; past the bound, remembered
// names are still dropped and new ones pass, counted.
func TestSeenBound(t *testing.T) {
	const bound, n = 100_000, 300_000
	rd := domainlist.NewReader(io.MultiReader(&namesReader{n: n}, &namesReader{n: n}), domainlist.Options{MaxSeen: bound})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	names := 0
	for _, err := range rd.All() {
		if err != nil {
			t.Fatal(err)
		}
		names++
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(rd)
	st := rd.Stats()
	// The second copy: the first bound names are dropped, the rest pass.
	if st.Repeats != bound || st.Names != 2*n-bound || st.Unremembered != 2*n-2*bound || names != st.Names {
		t.Errorf("stats %+v, %d names", st, names)
	}
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d hashes hold %d KiB: %.1f octets each", bound, held>>10, float64(held)/bound)
	if held > 48*bound {
		t.Errorf("%d hashes hold %d octets, more than 48 each", bound, held)
	}
	// MaxSeen < 0: repeats are not dropped.
	rd = domainlist.NewReader(io.MultiReader(&namesReader{n: 1000}, &namesReader{n: 1000}), domainlist.Options{MaxSeen: -1})
	for range rd.All() {
	}
	if st := rd.Stats(); st.Names != 2000 || st.Repeats != 0 {
		t.Errorf("MaxSeen -1: %+v", st)
	}
}

// FuzzReader: any list reads without panicking; every name passed on is
// already normalized (Normalize gives it back unchanged), is valid UTF-8
// and is passed on once; every rejected line carries an *Error.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"example.com\nEXAMPLE.com.\n# comment\n\nhttps://d.test/\nadmin@d.test\na,b\nmünchen.test\n",
		"xn--mnchen-3ya.test\n\xff\xfe\r\n" + strings.Repeat("a", 300) + ".test\n..\n-a.test\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		r := domainlist.NewReader(strings.NewReader(list), domainlist.Options{})
		seen := map[string]bool{}
		for name, err := range r.All() {
			if err != nil {
				var e *domainlist.Error
				if !errors.As(err, &e) {
					t.Errorf("%q: %T is not an *Error", name, err)
				}
				continue
			}
			if !utf8.ValidString(name) {
				t.Errorf("%q: not UTF-8", name)
			}
			if again, err := domainlist.Normalize(name); err != nil || again != name {
				t.Errorf("%q normalizes to %q, %v", name, again, err)
			}
			if seen[name] {
				t.Errorf("%q passed on twice", name)
			}
			seen[name] = true
		}
		if r.Err() != nil {
			t.Errorf("read error from a string: %v", r.Err())
		}
	})
}

// TestNormalizeDetail: a name resolver.CanonicalName rejects is rejected
// with its reason (resolver.NameError.Reason), not the error's text cut.
func TestNormalizeDetail(t *testing.T) {
	long := strings.Repeat("a", 64)
	for in, want := range map[string]string{
		long + ".test": `label "` + long + `" is 64 octets long, more than 63`,
		strings.Repeat("abcdefghi.", 26) + "test": `"` + strings.Repeat("abcdefghi.", 26) + `test" is 264 octets long, more than 253`,
	} {
		_, err := domainlist.Normalize(in)
		var e *domainlist.Error
		if !errors.As(err, &e) || e.Reason != domainlist.ReasonInvalid || e.Detail != want {
			t.Errorf("Normalize(%q): %v; want detail %q", in, err, want)
		}
	}
}
