package spf

import (
	"regexp"
	"testing"
)

var cidrSuffixRE = regexp.MustCompile(`(/[0-9]+)?(//[0-9]+)?$`)

// FuzzCIDRSuffix: cidrSuffixStart finds where the grammar's trailing
// dual-cidr-length begins, as the leftmost match of its regular
// expression does.
func FuzzCIDRSuffix(f *testing.F) {
	for _, s := range []string{"", "/5", "//5", "/5//6", "x//5", "///5", "//5//6", ":a/b.example/24//64", "/", "//", "/5/", "a/1//2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := cidrSuffixStart(s), cidrSuffixRE.FindStringIndex(s)[0]; got != want {
			t.Fatalf("cidrSuffixStart(%q) = %d, want %d", s, got, want)
		}
	})
}
