package rrtext

import "testing"

// TestDotless: a target written without its trailing dot, as the
// zone made it, is told from a name that is what it says.
func TestDotless(t *testing.T) {
	for _, tc := range []struct {
		target string
		ok     bool
	}{
		{"selector2-fabrikam-com._domainkey.fabrikam.onmicrosoft.com.fabrikam.com.", true},
		{"mail.fabrikam.com.fabrikam.com.", true},
		{"autodiscover.outlook.com.fabrikam.com", true},
		{"mail.fabrikam.com.", false},
		{"mx.eu.fabrikam.com.", false},
		{"mail.fabrikam.co.uk.fabrikam.com.", true},
		{"autodiscover.outlook.com.", false},
	} {
		if _, ok := Dotless(tc.target, "fabrikam.com"); ok != tc.ok {
			t.Errorf("Dotless(%s) = %v, want %v", tc.target, ok, tc.ok)
		}
	}
}
