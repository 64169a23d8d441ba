package m365

import (
	"strings"
	"testing"

	"github.com/domainlint/domainlint/records"
)

// TestUnreadDMARCIsNotMissing: a DMARC record that could not be read
// (offline, behind a CNAME outside the zone files) is not to be published.
func TestUnreadDMARCIsNotMissing(t *testing.T) {
	in := StageInput{Domain: "contoso.example", Diff: []Entry{{Purpose: records.DMARC, Status: Error, Why: "lookup _dmarc-policy.fabrikam.example TXT: not verified offline"}}}
	s, _ := in.dmarcStage()
	if strings.Contains(s.next, "Publish") || !strings.Contains(s.next, "not verified offline") {
		t.Errorf("next step %q", s.next)
	}
}

// TestEnforcingNextStepVerb: the next step at p=reject deletes a record
// that must not exist (msoid outside 21Vianet), fixes a wrong one, and
// publishes only a missing one.
func TestEnforcingNextStepVerb(t *testing.T) {
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Purpose: "msoid", Type: "CNAME", Name: "msoid.contoso.example", Expected: "no CNAME record", Status: Wrong, Why: "must not exist"}, "Delete the msoid record"},
		{Entry{Purpose: "sip-federation", Type: "SRV", Name: "_sipfederationtls._tcp.contoso.example", Expected: "100 1 5061 sipfed.online.lync.com.", Status: Missing, Why: "not published"}, "Publish the sip-federation record"},
		{Entry{Purpose: "sip-federation", Type: "SRV", Name: "_sipfederationtls._tcp.contoso.example", Expected: "100 1 5061 sipfed.online.lync.com.", Status: Wrong, Why: "found another"}, "Fix the sip-federation record"},
	} {
		in := StageInput{Domain: "contoso.example", Diff: []Entry{{Purpose: records.DMARC, Status: OK, Found: []string{`"v=DMARC1; p=reject"`}}, tc.e}}
		s := in.enforcingStage()
		if !strings.HasPrefix(s.next, tc.want) {
			t.Errorf("%s %s: next step %q, want it to start %q", tc.e.Purpose, tc.e.Status, s.next, tc.want)
		}
	}
}
