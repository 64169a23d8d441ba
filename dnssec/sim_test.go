package dnssec_test

import "github.com/domainlint/domainlint/internal/unboundtest"

// simulated is a resolver that plays a validating one over the fixtures.
type simulated = unboundtest.Simulated
