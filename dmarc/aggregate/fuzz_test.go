package aggregate_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

// small are bounds small enough for fuzzing to reach them.
var small = aggregate.Options{
	MaxReportBytes: 1 << 20, MaxRatio: 50, MaxEntries: 4, MaxDepth: 12, MaxTextBytes: 4096,
	MaxRecordElements: 64, MaxRecords: 64, MaxMessageBytes: 1 << 20, MaxMessages: 8, MaxDedupe: 4,
}

func addFiles(f *testing.F, pattern string) {
	paths, _ := filepath.Glob(pattern)
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
}

// FuzzParse: the XML parser never panics, holds its bounds, and what it
// returns has what a report must have.
func FuzzParse(f *testing.F) {
	addFiles(f, "testdata/reports/*.xml")
	addFiles(f, "testdata/bad/*.xml")
	f.Add([]byte(`<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0"><report_metadata><report_id>x</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published><record><row><source_ip>::1</source_ip><count>1</count></row></record></feedback>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := aggregate.Parse(bytes.NewReader(data), small)
		if err != nil {
			if rep != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		if rep.ReportID == "" || rep.Policy.Domain == "" || len(rep.Records) > small.MaxRecords {
			t.Fatalf("accepted: %+v", rep)
		}
		for _, r := range rep.Records {
			if !r.SourceIP.IsValid() || r.Count < 0 {
				t.Fatalf("record: %+v", r)
			}
		}
	})
}

// FuzzRead: the detector (XML, gzip, zip, message, mbox) and everything
// behind it never panic, and every yield is a report or an *Error.
func FuzzRead(f *testing.F) {
	addFiles(f, "testdata/reports/*.xml")
	addFiles(f, "testdata/archives/*")
	addFiles(f, "testdata/messages/*.eml")
	addFiles(f, "testdata/mbox/*")
	f.Add([]byte("From x\n\nFrom y\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/zip\n\nPK\x03\x04\n--b--\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for rep, err := range aggregate.Read(ctx, bytes.NewReader(data), "fuzz", small) {
			if (rep == nil) == (err == nil) {
				t.Fatalf("report %v and error %v", rep, err)
			}
			var e *aggregate.Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("%T: %v", err, err)
			}
			if rep != nil && (rep.ReportID == "" || len(rep.Records) > small.MaxRecords) {
				t.Fatalf("accepted: %+v", rep)
			}
		}
	})
}
