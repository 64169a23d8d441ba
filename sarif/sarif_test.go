package sarif_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/sarif"
)

// TestSARIFWriterStreams: a Writer writes each report's results as it is
// added (nothing is held for the end), and the log it closes is the one
// Write gives for the same reports, byte for byte.
func TestSARIFWriterStreams(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{File: "testdata/bad.example.zone"}, resolver.ZoneSource{File: "testdata/providers.zone"})
	if err != nil {
		t.Fatal(err)
	}
	var reps []*check.Report
	for _, d := range []string{"bad.example", "nx.bad.example", "bad.example"} {
		reps = append(reps, check.Domain(context.Background(), z, d, check.Options{}))
	}
	for _, s := range []sarif.Options{{}, {Artifact: "zones/bad.example.zone"}} {
		var streamed bytes.Buffer
		sw := sarif.NewWriter(&streamed, s)
		written := 0
		for _, rep := range reps {
			if err := sw.Add(rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) > 0 && streamed.Len() <= written {
				t.Errorf("%s: %d findings, nothing written when added", rep.Domain, len(rep.Findings))
			}
			written = streamed.Len()
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		var whole bytes.Buffer
		if err := sarif.Write(&whole, reps, s); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed.Bytes(), whole.Bytes()) || !json.Valid(whole.Bytes()) {
			t.Errorf("streamed and whole logs differ, or are not JSON")
		}
	}
	var empty bytes.Buffer
	if err := sarif.Write(&empty, nil, sarif.Options{}); err != nil || !bytes.Contains(empty.Bytes(), []byte(`"results": []`)) {
		t.Errorf("no reports: %v\n%s", err, empty.Bytes())
	}
}
