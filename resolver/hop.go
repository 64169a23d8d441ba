package resolver

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Hop is one CNAME followed: Owner is an alias of Target. Both are
// lowercase, without the trailing dot. A Hop prints, and marshals as text
// (so as a JSON string), as "owner -> target"; UnmarshalText reads that
// back.
type Hop struct {
	Owner  string
	Target string
}

// hopArrow separates the owner from the target in a Hop's text.
const hopArrow = " -> "

// Hops returns the steps of a CNAME chain (Answer.Chain, Error.Chain).
func Hops(chain []*dns.CNAME) []Hop {
	var out []Hop
	for _, c := range chain {
		out = append(out, Hop{Owner: strings.TrimSuffix(strings.ToLower(c.Hdr.Name), "."), Target: strings.TrimSuffix(strings.ToLower(c.Target), ".")})
	}
	return out
}

// String returns "owner -> target".
func (h Hop) String() string { return h.Owner + hopArrow + h.Target }

// MarshalText returns "owner -> target".
func (h Hop) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads "owner -> target", as MarshalText writes it.
func (h *Hop) UnmarshalText(b []byte) error {
	owner, target, ok := strings.Cut(string(b), hopArrow)
	if !ok {
		return fmt.Errorf("resolver: CNAME step %q: want \"owner -> target\"", b)
	}
	*h = Hop{Owner: owner, Target: target}
	return nil
}
