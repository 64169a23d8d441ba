package resolver_test

import (
	"errors"
	"testing"

	"github.com/domainlint/domainlint/resolver"
)

// TestNameError: CanonicalName's error carries the reason as data, wraps
// ErrInvalidName, and reads "invalid DNS name: " + the reason.
func TestNameError(t *testing.T) {
	_, err := resolver.CanonicalName("a..b")
	var ne *resolver.NameError
	if !errors.As(err, &ne) || !errors.Is(err, resolver.ErrInvalidName) || ne.Name != "a..b" || ne.Reason != `"a..b" has an empty label` || err.Error() != `invalid DNS name: "a..b" has an empty label` {
		t.Errorf("CanonicalName(%q): %v (%#v)", "a..b", err, ne)
	}
}
