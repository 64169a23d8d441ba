package zonedb

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const incHead = "$TTL 3600\n@ IN SOA ns.example.net. h.example.org. 1 3600 600 86400 300\n@ IN NS ns.example.net.\n"

// TestIncludeBounds: $INCLUDE reads regular files under the root only —
// no escape through "..", an absolute path or a symbolic link; no FIFO
// (it would hang), no device (/dev/zero would run memory out); the file
// and its includes together within MaxBytes. Records read from an
// included file carry its name and their lines.
func TestIncludeBounds(t *testing.T) {
	dir := t.TempDir()
	zones := filepath.Join(dir, "zones")
	os.Mkdir(zones, 0o755)
	write := func(p, text string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "secret.inc"), "leak IN TXT \"secret\"\n")
	write(filepath.Join(zones, "ok.inc"), "; a comment\n\nwww IN A 192.0.2.1\nmail IN A 192.0.2.2\n")
	os.Symlink(filepath.Join(dir, "secret.inc"), filepath.Join(zones, "link.inc"))
	fifo := filepath.Join(zones, "fifo.inc")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", filepath.Join(zones, "zero.inc"))
	write(filepath.Join(zones, "big.inc"), strings.Repeat("; padding to pass the size bound\n", 2000))

	load := func(include string, max int64, root string) (*Zone, error) {
		file := filepath.Join(zones, "example.org.zone")
		write(file, incHead+"$INCLUDE "+include+"\n")
		done := make(chan struct{})
		var z *Zone
		var err error
		go func() {
			z, err = Parse(Source{File: file, Domain: "example.org", AllowInclude: true, IncludeRoot: root, MaxBytes: max})
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("$INCLUDE %s hangs", include)
		}
		return z, err
	}
	z, err := load("ok.inc", 0, "")
	if err != nil {
		t.Fatalf("sibling include: %v", err)
	}
	var www *Entry
	for i := range z.Entries {
		if z.Entries[i].RR.Header().Name == "www.example.org." {
			www = &z.Entries[i]
		}
	}
	if www == nil || !strings.HasSuffix(www.File, "ok.inc") || www.Line != 3 {
		t.Errorf("included record: %+v", www)
	}
	for _, tc := range []struct{ include, want string }{
		{"../secret.inc", "outside"},
		{filepath.Join(dir, "secret.inc"), "outside"},
		{"link.inc", "outside"},
		{"fifo.inc", "not a regular file"},
		{"zero.inc", "outside"}, // the link resolves to /dev, outside the root
		{"/dev/zero", "outside"},
		{"missing.inc", "no such file"},
	} {
		if _, err := load(tc.include, 0, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("$INCLUDE %s: %v, want %q", tc.include, err, tc.want)
		}
	}
	if _, err := load("../secret.inc", 0, dir); err != nil {
		t.Errorf("IncludeRoot above the zone: %v", err)
	}
	if _, err := load("big.inc", 40_000, ""); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("includes past MaxBytes: %v", err)
	}
	// Without AllowInclude, refused.
	_, err = Parse(Source{File: filepath.Join(zones, "example.org.zone"), Domain: "example.org"})
	var ze *Error
	if err == nil || !errors.As(err, &ze) || !strings.Contains(err.Error(), "not allowed") {
		t.Errorf("$INCLUDE without AllowInclude: %v", err)
	}
	// A FIFO as the zone file itself is refused, not read.
	if _, err := Parse(Source{File: fifo, Domain: "example.org"}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO zone file: %v", err)
	}
}

// TestAbsoluteIncludeRelativeFile: an absolute $INCLUDE in a zone file
// named by a relative path is read where it says (within the root), not
// joined to the working folder.
func TestAbsoluteIncludeRelativeFile(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "keys.inc")
	os.WriteFile(inc, []byte("k IN TXT \"v=DKIM1; p=\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "example.org.zone"), []byte(incHead+"$INCLUDE "+inc+"\n"), 0o644)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)
	z, err := Parse(Source{File: "example.org.zone", Domain: "example.org", AllowInclude: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(z.Entries, func(e Entry) bool { return e.RR.Header().Name == "k.example.org." }) {
		t.Errorf("the absolute include was not read")
	}
}
