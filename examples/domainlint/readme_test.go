package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeFlags: the README's list of the command's flags is the flag
// set: every flag listed, and nothing listed that does not exist.
func TestReadmeFlags(t *testing.T) {
	block := regexp.MustCompile("(?s)## The command\n+```\n(.*?)```").FindStringSubmatch(readme(t))
	if block == nil {
		t.Fatal("README has no command block")
	}
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(block[1], -1) {
		if m[1] != "h" { // the flag package's own
			listed = append(listed, m[1])
		}
	}
	fs, _ := newFlags(io.Discard)
	var flags []string
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
	slices.Sort(flags)
	for _, f := range flags {
		if !slices.Contains(listed, f) {
			t.Errorf("-%s is not in the README's list of flags", f)
		}
	}
	for _, f := range listed {
		if !slices.Contains(flags, f) {
			t.Errorf("the README lists -%s, which is not a flag", f)
		}
	}
	slices.Sort(listed)
	if len(slices.Compact(listed)) != len(listed) {
		t.Errorf("the README lists a flag twice: %v", listed)
	}
}

// TestReadmeGoBlocks: every ```go block of the README is a whole Go file
// that builds against this module: a program (package main), or a test
// file (its name ends in _test), compiled with go test -c. The files are
// laid over the module with -overlay: nothing is written to it.
func TestReadmeGoBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not running the go command")
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(readme(t), -1)
	if len(blocks) < 3 {
		t.Fatalf("%d go blocks in the README", len(blocks))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	pkgRE := regexp.MustCompile(`^package (\w+)\n`)
	for i, b := range blocks {
		t.Run(fmt.Sprint("block", i+1), func(t *testing.T) {
			src := b[1]
			m := pkgRE.FindStringSubmatch(src)
			if m == nil {
				t.Fatalf("README go block %d is not a whole file (it must start with a package clause):\n%s", i+1, src)
			}
			dir := filepath.Join(root, "internal", "readmebuild", fmt.Sprint("block", i+1))
			files := map[string]string{}
			var args []string
			if strings.HasSuffix(m[1], "_test") {
				files["doc.go"] = "package " + strings.TrimSuffix(m[1], "_test") + "\n"
				files["readme_test.go"] = src
				args = []string{"test", "-c", "-vet=off", "-o", os.DevNull}
			} else {
				files["main.go"] = src
				args = []string{"build", "-o", os.DevNull}
			}
			overlay := map[string]map[string]string{"Replace": {}}
			for name, text := range files {
				p := filepath.Join(tmp, fmt.Sprint(i+1, name))
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				overlay["Replace"][filepath.Join(dir, name)] = p
			}
			ov, _ := json.Marshal(overlay)
			ovPath := filepath.Join(tmp, fmt.Sprint(i+1, "overlay.json"))
			if err := os.WriteFile(ovPath, ov, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", append(args, "-overlay", ovPath, "./"+filepath.ToSlash(filepath.Join("internal", "readmebuild", fmt.Sprint("block", i+1))))...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("README go block %d does not build: %v\n%s\n%s", i+1, err, out, src)
			}
		})
	}
}
