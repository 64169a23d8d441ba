package smtpprobe_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// TestRecordingReplay: a live probe of three servers, written, read back
// and replayed, gives the same report and the same findings, without a
// connection.
func TestRecordingReplay(t *testing.T) {
	ca := newCA(t)
	good := ca.valid(t, "mx1.rec.test")
	goodTLS := good.tls()
	expired := ca.issue(t, time.Now().Add(-72*time.Hour), time.Now().Add(-48*time.Hour), "mx2.rec.test").tls()
	first := listen(t, "127.0.0.1:0", handleSMTP(smtpConf{cert: &goodTLS, banner: []string{"220-rec.test \\ ESMTP \x01", "220 ok"}}))
	listen(t, fmt.Sprintf("127.0.0.2:%d", first.Port), handleSMTP(smtpConf{cert: &expired}))
	third := listen(t, fmt.Sprintf("127.0.0.3:%d", first.Port), handleSMTP(smtpConf{noSTARTTLS: true}))
	r := zones(t, "rec.test", "@ IN MX 10 mx1\n@ IN MX 20 mx2\n@ IN MX 30 mx3\n@ IN MX 40 gone\nmx1 IN A 127.0.0.1\nmx2 IN A 127.0.0.2\nmx3 IN A 127.0.0.3\n")
	in := smtpprobe.Input{
		Policy: mustPolicy(t, "version: STSv1\nmode: testing\nmx: *.rec.test\nmax_age: 86400\n"),
		TLSA:   map[string][]*dns.TLSA{"mx1.rec.test": {tlsa(t, "mx1.rec.test", "3 1 1 "+good.spki()), tlsa(t, "mx1.rec.test", "3 1 1 "+strings.Repeat("ab", 32))}},
	}
	o := testOptions(first.Port, ca.root)
	live, liveFs, err := newProber(t, o).Probe(context.Background(), r, "rec.test", in)
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Hosts) != 4 || len(liveFs) < 3 {
		t.Fatalf("live: %+v\n%v", live.Hosts, liveFs)
	}
	var rec smtpprobe.Recording
	rec.Add(live)
	var buf bytes.Buffer
	if err := rec.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := smtpprobe.ReadRecording(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	var again bytes.Buffer
	if err := back.Write(&again); err != nil || again.String() != buf.String() {
		t.Errorf("written again differs (%v):\n%s\nwas\n%s", err, again.String(), buf.String())
	}
	p, err := smtpprobe.NewReplay(back, o)
	if err != nil {
		t.Fatal(err)
	}
	conns, _ := third.stats()
	replayed, replayedFs, err := p.Probe(context.Background(), r, "rec.test", in)
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := third.stats(); now != conns {
		t.Errorf("replaying connected")
	}
	if diff := cmp.Diff(live, replayed); diff != "" {
		t.Errorf("replayed report differs (-live +replayed):\n%s", diff)
	}
	if diff := cmp.Diff(liveFs, replayedFs); diff != "" {
		t.Errorf("replayed findings differ (-live +replayed):\n%s", diff)
	}
	if os.Getenv("SMTPPROBE_SHOW_RECORDING") != "" {
		t.Logf("%s", buf.String())
	}
	// A host the recording does not hold is not checked.
	rep, fs, err := p.Probe(context.Background(), r, "rec.test", smtpprobe.Input{MX: []string{"unknown.rec.test"}})
	if err != nil || rep.Status != smtpprobe.NotChecked || rep.Hosts[0].Status != smtpprobe.NotChecked || len(fs) != 0 {
		t.Errorf("unrecorded host: %v %+v %v", err, rep, fs)
	}
}

func mustPolicy(t *testing.T, text string) *mtasts.Policy {
	t.Helper()
	p, err := mtasts.ParsePolicy(text)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRecordingFile: the checked-in recording reads and replays to the
// findings it was made for, with no network and no DNS for addresses.
func TestRecordingFile(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "example.rec"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := smtpprobe.ReadRecording(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := smtpprobe.NewReplay(rec, smtpprobe.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := p.Probe(context.Background(), nil, "example.test", smtpprobe.Input{MX: []string{"mx1.example.test", "mx2.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != smtpprobe.OK || len(rep.Hosts) != 2 {
		t.Fatalf("%+v", rep)
	}
	want := []string{"error smtp.tls-version", "warning smtp.no-starttls"}
	if got := rules(fs); !cmp.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestRecordingBounds: ReadRecording reads within its bounds, honours no
// directive, reads no other file, and its errors name the line, never
// its text.
func TestRecordingBounds(t *testing.T) {
	header := "; domainlint smtp recording 1\n"
	secret := "s3cr3t-from-the-file"
	tests := []struct {
		name string
		r    io.Reader
		want string
	}{
		{"empty", strings.NewReader(""), "not a domainlint smtp recording"},
		{"other file", strings.NewReader("root:x:0:0:" + secret + "\n"), "line 1: not a domainlint"},
		{"directive", strings.NewReader(header + "$INCLUDE /etc/passwd " + secret + "\n"), "line 2: unknown keyword (not a keyword)"},
		{"include keyword", strings.NewReader(header + "include /etc/passwd\n"), "line 2: unknown keyword \"include\""},
		{"text outside a block", strings.NewReader(header + "detail " + secret + "\n"), "line 2: \"detail\" outside a host block"},
		{"no end", strings.NewReader(header + "host mx.test 10 192.0.2.1:25 ok -\ndetail " + secret), "the last block has no end line"},
		{"bad status", strings.NewReader(header + "host mx.test 10 192.0.2.1:25 " + secret + " -\nend\n"), "line 2: unknown status"},
		{"bad cert", strings.NewReader(header + "host mx.test 10 192.0.2.1:25 ok -\ntls 0x0304 X tls12\ncert " + secret + "\nend\n"), "line 4: cert is not base64"},
		{"control bytes", strings.NewReader(header + "host mx.test 10 192.0.2.1:25 ok -\ndetail a\x00" + secret + "\nend\n"), "line 3: control characters"},
		{"long line", strings.NewReader(header + "detail " + strings.Repeat("x", smtpprobe.MaxRecordingLine+10) + "\n"), "line 2: longer than"},
		{"endless line", io.MultiReader(strings.NewReader(header+"detail "), &repeat{s: "x"}), "line 2: longer than"},
		{"endless file", io.MultiReader(strings.NewReader(header), &repeat{s: "; " + strings.Repeat("x", 1000) + "\n"}), "larger than 33554432 bytes"},
		{"too many blocks", io.MultiReader(strings.NewReader(header), strings.NewReader(strings.Repeat("host mx.test 0 - no-address dns\nend\n", smtpprobe.MaxRecordingHosts+1))), "more than 100000 host blocks"},
		{"too many transcript lines", strings.NewReader(header + "host mx.test 0 - no-address dns\n" + strings.Repeat("transcript S: 220\n", smtpprobe.MaxTranscriptLines+1) + "end\n"), "more than 64 transcript lines"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := smtpprobe.ReadRecording(tc.r)
			var re *smtpprobe.RecordingError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want a RecordingError with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "passwd") {
				t.Errorf("the error quotes the file: %v", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

// repeat is an endless reader of s, again and again.
type repeat struct {
	s string
	i int
}

func (r *repeat) Read(p []byte) (int, error) {
	for n := range p {
		p[n] = r.s[r.i%len(r.s)]
		r.i++
	}
	return len(p), nil
}
