package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI's file and flag cases of the third hostile round (issue 24):
// each runs through run(), as the command does.

// TestReplayReadsNoFile: -replay reads the snapshot and nothing else: an
// $INCLUDE line is refused without opening what it names, and the error
// echoes neither that file nor the snapshot's text.
func TestReplayReadsNoFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "environ")
	if err := os.WriteFile(secret, []byte("TOPSECRET=hunter2\x00PATH=/usr/bin\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	snap := writeTemp(t, "; domainlint snapshot 1\n;? x.example. TXT NOERROR\n$INCLUDE "+secret+"\n")
	code, out, errs := runCLI(t, "", "-zone", "testdata/good.example.zone", "-replay", snap)
	if code != exitFailure || !strings.Contains(errs, "directive") {
		t.Errorf("exit %d, stderr %q; want 2 and the directive refused", code, errs)
	}
	if strings.Contains(out+errs, "hunter2") {
		t.Errorf("the output echoes the included file:\n%s%s", out, errs)
	}
}
