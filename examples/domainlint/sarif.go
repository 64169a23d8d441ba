package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/domainlint/domainlint/sarif"
)

// srcRoot is the uriBaseId of SARIF artifact locations: code-scanning
// tools (GitHub's among them) resolve it to the repository's root.
const srcRoot = "SRCROOT"

// sarifBase returns the SARIF writer's tool version and, for a zone file,
// its location: relative to the root of the repository holding it (the
// nearest folder above it with a .git), else to the working folder, under
// the uriBaseId SRCROOT, whose absolute file: URI is written in the
// run's originalUriBaseIds. A file outside both is named as given.
func sarifBase(zoneFile string) sarif.Options {
	v := version()
	s := sarif.Options{ToolVersion: v.Version, SemanticVersion: v.SemanticVersion()}
	if zoneFile == "" {
		return s
	}
	s.Artifact = filepath.ToSlash(zoneFile)
	abs, err := filepath.Abs(zoneFile)
	if err != nil {
		return s
	}
	root := repoRoot(filepath.Dir(abs))
	if root == "" {
		if root, err = os.Getwd(); err != nil {
			return s
		}
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return s
	}
	s.Artifact, s.BaseID = filepath.ToSlash(rel), srcRoot
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(root)}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // a Windows drive: file:///C:/src/
	}
	s.BaseURI = u.String()
	return s
}

// repoRoot is the nearest folder at or above dir holding a .git (a
// folder, or a work tree's file), or "".
func repoRoot(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
