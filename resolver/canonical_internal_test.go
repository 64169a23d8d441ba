package resolver

import "testing"

// FuzzCanonicalFast: the fast path agrees with the whole way on every
// name it takes, and takes the names a sweep asks.
func FuzzCanonicalFast(f *testing.F) {
	for _, s := range []string{"_dmarc.example.com", "example.com.", "a", "a.", ".", "", "a..b", "xn--mnchen-3ya.de",
		"Example.COM", "a-b_c.0.test", "-a.test", "a.test..", "a\\.b.test", "é.test"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fast, ok := canonicalFast(name)
		if !ok {
			return
		}
		slow, err := canonicalSlow(name)
		if err != nil || slow != fast {
			t.Errorf("%q: fast %q, whole way %q, %v", name, fast, slow, err)
		}
	})
}

func TestCanonicalFastTakes(t *testing.T) {
	for _, s := range []string{"_dmarc.d000001.test", "selector1._domainkey.example.com.", "_25._tcp.mx1.example.net"} {
		if _, ok := canonicalFast(s); !ok {
			t.Errorf("%q goes the whole way", s)
		}
	}
}
