package enforce_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dmarc/aggregate"
	"github.com/domainlint/domainlint/enforce"
)

// TestOverride: receivers report mail they delivered although DMARC
// failed, because it was forwarded or came through a list
// (policy_evaluated reason forwarded, mailing_list, trusted_forwarder,
// local_policy). The what-if says so, and does not advise authorizing
// the forwarder in SPF; the same source without the reason is advised as
// before.
func TestOverride(t *testing.T) {
	rec := aggregate.Record{SourceIP: mailer, Count: 40,
		Evaluated: aggregate.PolicyEvaluated{Disposition: "none", DKIM: "fail", SPF: "fail",
			Reasons: []aggregate.Reason{{Comment: "arc=pass"}, {Type: "Mailing_List", Comment: "list"}}},
		Identifiers: aggregate.Identifiers{HeaderFrom: "contoso.test", EnvelopeFrom: "bounces.mailer.test"},
		DKIM:        []aggregate.DKIMAuth{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
		SPF:         []aggregate.SPFAuth{{Domain: "bounces.mailer.test", Scope: "mfrom", Result: "pass"}}}
	row := enforce.RowOf(rec)
	if row.Reported.Override != "mailing_list" {
		t.Fatalf("Override %q", row.Reported.Override)
	}
	plain := row
	plain.Reported.Override = ""
	plain.Source = netip.MustParseAddr("203.0.113.10") // the same sender's other host
	res := evaluate(t, row, plain)
	var listed, other *enforce.Source
	for i := range res.Sources {
		switch res.Sources[i].Addr {
		case row.Source:
			listed = &res.Sources[i]
		case plain.Source:
			other = &res.Sources[i]
		}
	}
	if listed == nil || listed.Rejected != 40 || listed.Lost != 40 ||
		!slices.ContainsFunc(listed.Why, func(w string) bool { return strings.Contains(w, "reason mailing_list") }) ||
		slices.ContainsFunc(listed.Advice, func(a string) bool { return strings.Contains(a, "at mailer.test") }) ||
		!slices.ContainsFunc(listed.Advice, func(a string) bool { return strings.Contains(a, "add no SPF include for this forwarder") }) {
		t.Errorf("list mail: %+v", listed)
	}
	if other == nil || slices.ContainsFunc(other.Why, func(w string) bool { return strings.Contains(w, "reason") }) {
		t.Errorf("the same mail without the reason: %+v", other)
	}
	// The same source also sends its own mail, signed with a key the
	// proposal removes: the advice findings show first is about that.
	own := enforce.Row{Source: row.Source, Count: 5, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
		DKIM:     []enforce.DKIM{{Domain: "contoso.test", Selector: "s2019", Result: "pass"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "pass", SPF: "fail"}}
	res = evaluate(t, row, own)
	if len(res.Sources) != 1 || len(res.Sources[0].Advice) < 2 || !strings.Contains(res.Sources[0].Advice[0], "keep the DKIM key at s2019") {
		t.Errorf("own and relayed mail from one source: %+v", res.Sources)
	}

	// Google's local_policy with arc=pass: list or forwarded mail whose ARC
	// chain it trusted; local_policy alone keeps the advice.
	arc := row
	arc.Reported.Override, arc.Reported.OverrideComment = "local_policy", "arc=pass"
	bare := arc
	bare.Reported.OverrideComment = ""
	bare.Source = plain.Source
	res = evaluate(t, arc, bare)
	for _, s := range res.Sources {
		forwarded := slices.ContainsFunc(s.Advice, func(a string) bool { return strings.Contains(a, "add no SPF include") })
		noted := slices.ContainsFunc(s.Why, func(w string) bool { return strings.Contains(w, "reason local_policy") })
		if forwarded != (s.Addr == arc.Source) || !noted {
			t.Errorf("local_policy %v: %+v", s.Addr == arc.Source, s)
		}
	}
	// A reason that is the policy's own (sampled_out), or a disposition the
	// receiver did apply, is no override.
	for _, r := range []enforce.Reported{{Disposition: "none", Override: "sampled_out"}, {Disposition: "quarantine", Override: "forwarded"}} {
		row := row
		row.Reported = r
		res := evaluate(t, row)
		if s := res.Sources; len(s) != 1 || slices.ContainsFunc(s[0].Why, func(w string) bool { return strings.Contains(w, "reason") }) {
			t.Errorf("%+v: %+v", r, s)
		}
	}
}

// TestOverridePassedToday: a reason given for mail that passed DMARC
// today (a receiver noting it was forwarded, its aligned DKIM signature
// intact) is no override: nothing failed to be let through. When the
// proposal removes the signing key, the source is said to break for that
// key, not to be forwarded mail that "failed DMARC today".
func TestOverridePassedToday(t *testing.T) {
	row := enforce.Row{Source: forwarder, Count: 24, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
		DKIM:     []enforce.DKIM{{Domain: "contoso.test", Selector: "s2019", Result: "pass"}},
		SPF:      []enforce.SPF{{Domain: "contoso.test", Scope: "mfrom", Result: "fail"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "pass", SPF: "fail", Override: "forwarded"}}
	res := evaluate(t, row)
	if len(res.Sources) != 1 || res.Breaks != 24 {
		t.Fatalf("%d breaks: %+v", res.Breaks, res.Sources)
	}
	s := res.Sources[0]
	if slices.ContainsFunc(s.Why, func(w string) bool { return strings.Contains(w, "although DMARC failed") }) ||
		slices.ContainsFunc(s.Advice, func(a string) bool { return strings.Contains(a, "forwarder") }) ||
		len(s.Advice) == 0 || !strings.Contains(s.Advice[0], "keep the DKIM key at s2019") {
		t.Errorf("forwarded mail that passes today: why %q, advice %q", s.Why, s.Advice)
	}
}

// TestOverrideSignatureBroken: list mail that carries the domain's own
// DKIM signature, failed because the list altered the message, is not
// advised to be signed with DKIM where it starts: it is. The advice says
// the relay broke the signature, which no record of the zone mends.
func TestOverrideSignatureBroken(t *testing.T) {
	row := enforce.Row{Source: forwarder, Count: 9, HeaderFrom: "contoso.test", EnvelopeFrom: "lists.example.org",
		DKIM:     []enforce.DKIM{{Domain: "contoso.test", Selector: "s2024", Result: "fail"}},
		SPF:      []enforce.SPF{{Domain: "lists.example.org", Scope: "mfrom", Result: "pass"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "fail", SPF: "fail", Override: "mailing_list"}}
	unsigned := row
	unsigned.Source, unsigned.DKIM = mailer, nil
	res := evaluate(t, row, unsigned)
	for _, s := range res.Sources {
		advice := strings.Join(s.Advice, "; ")
		signAt := strings.Contains(advice, "where the mail starts")
		broken := strings.Contains(advice, "did not survive the relay")
		if !strings.Contains(advice, "add no SPF include") || signAt != (s.Addr == mailer) || broken != (s.Addr == forwarder) {
			t.Errorf("%v: advice %q", s.Addr, s.Advice)
		}
	}
	if len(res.Sources) != 2 {
		t.Errorf("sources %+v", res.Sources)
	}
}

// TestAdviceStrictDKIM: under adkim=s only a signature of the From
// domain itself aligns: the DKIM the advice asks for, for relayed mail
// and for a third-party sender, is d=signed.contoso.test, not the
// organizational domain's d=contoso.test.
func TestAdviceStrictDKIM(t *testing.T) {
	relayed := enforce.Row{Source: forwarder, Count: 9, HeaderFrom: "signed.contoso.test", EnvelopeFrom: "signed.contoso.test",
		SPF:      []enforce.SPF{{Domain: "signed.contoso.test", Scope: "mfrom", Result: "fail"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "fail", SPF: "fail", Override: "forwarded"}}
	sender := enforce.Row{Source: mailer, Count: 30, HeaderFrom: "signed.contoso.test", EnvelopeFrom: "bounces.mailer.test",
		DKIM:     []enforce.DKIM{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
		SPF:      []enforce.SPF{{Domain: "bounces.mailer.test", Scope: "mfrom", Result: "pass"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "fail", SPF: "fail"}}
	res := evaluate(t, relayed, sender)
	if len(res.Sources) != 2 {
		t.Fatalf("sources %+v", res.Sources)
	}
	for _, s := range res.Sources {
		advice := strings.Join(s.Advice, "; ")
		if !strings.Contains(advice, "d=signed.contoso.test") || strings.Contains(advice, "d=contoso.test") {
			t.Errorf("%v: advice %q", s.Addr, s.Advice)
		}
	}
}

// TestAdviceStrictSPF: under aspf=s a bounce domain under the domain does
// not align: a third-party sender is advised the From domain itself as
// its MAIL FROM.
func TestAdviceStrictSPF(t *testing.T) {
	sender := enforce.Row{Source: mailer, Count: 30, HeaderFrom: "strict.contoso.test", EnvelopeFrom: "bounces.mailer.test",
		DKIM:     []enforce.DKIM{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
		SPF:      []enforce.SPF{{Domain: "bounces.mailer.test", Scope: "mfrom", Result: "pass"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "fail", SPF: "fail"}}
	res := evaluate(t, sender)
	if len(res.Sources) != 1 || len(res.Sources[0].Advice) != 1 ||
		!strings.Contains(res.Sources[0].Advice[0], "or the MAIL FROM (bounce) domain strict.contoso.test whose SPF record includes mailer.test") {
		t.Errorf("sources %+v", res.Sources)
	}
}

// TestOverrideReasons: of several reasons a receiver gives, the one that
// says the mail was relayed decides, wherever it stands: no SPF include
// is advised for the relay.
func TestOverrideReasons(t *testing.T) {
	for _, reasons := range [][]aggregate.Reason{
		{{Type: "sampled_out"}, {Type: "forwarded"}},
		{{Type: "local_policy"}, {Type: "local_policy", Comment: "arc=pass"}},
	} {
		rec := aggregate.Record{SourceIP: mailer, Count: 40,
			Evaluated:   aggregate.PolicyEvaluated{Disposition: "none", DKIM: "fail", SPF: "fail", Reasons: reasons},
			Identifiers: aggregate.Identifiers{HeaderFrom: "contoso.test", EnvelopeFrom: "bounces.mailer.test"},
			DKIM:        []aggregate.DKIMAuth{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
			SPF:         []aggregate.SPFAuth{{Domain: "bounces.mailer.test", Scope: "mfrom", Result: "pass"}}}
		res := evaluate(t, enforce.RowOf(rec))
		if len(res.Sources) != 1 || len(res.Sources[0].Advice) != 1 || !strings.HasPrefix(res.Sources[0].Advice[0], "add no SPF include") {
			t.Errorf("%v: %+v", reasons, res.Sources)
		}
	}
}

// TestOverrideSignatureTempError: a signature of the domain the receiver
// could not verify for a DNS error (temperror) was not broken by the
// relay: the advice does not say so.
func TestOverrideSignatureTempError(t *testing.T) {
	row := enforce.Row{Source: forwarder, Count: 9, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
		DKIM:     []enforce.DKIM{{Domain: "contoso.test", Selector: "s2024", Result: "temperror"}},
		SPF:      []enforce.SPF{{Domain: "contoso.test", Scope: "mfrom", Result: "fail"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "fail", SPF: "fail", Override: "forwarded"}}
	res := evaluate(t, row)
	if len(res.Sources) != 1 || slices.ContainsFunc(res.Sources[0].Advice, func(a string) bool { return strings.Contains(a, "did not survive the relay") }) {
		t.Errorf("sources %+v", res.Sources)
	}
}

// TestOverrideOtherReceiver: one receiver gives a reason (mailing_list),
// another, reporting the same mail from the same list server, gives none
// (not every receiver reports reasons). The mail is relayed either way:
// no SPF include, nor a bounce domain authorizing the list, is advised
// for the relay, only the relay advice.
func TestOverrideOtherReceiver(t *testing.T) {
	listed := enforce.Row{Source: mailer, Count: 40, HeaderFrom: "contoso.test", EnvelopeFrom: "bounces.mailer.test",
		DKIM:     []enforce.DKIM{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
		SPF:      []enforce.SPF{{Domain: "bounces.mailer.test", Scope: "mfrom", Result: "pass"}},
		Reported: enforce.Reported{Disposition: "none", DKIM: "fail", SPF: "fail", Override: "mailing_list"}}
	silent := listed
	silent.Count = 25
	silent.Reported.Override = ""
	res := evaluate(t, silent, listed)
	if len(res.Sources) != 1 || res.Sources[0].Rejected != 65 {
		t.Fatalf("sources %+v", res.Sources)
	}
	s := res.Sources[0]
	if len(s.Advice) != 1 || !strings.HasPrefix(s.Advice[0], "add no SPF include for this forwarder") ||
		!slices.ContainsFunc(s.Why, func(w string) bool { return strings.Contains(w, "another receiver reported") }) {
		t.Errorf("why %q, advice %q", s.Why, s.Advice)
	}
}

// evaluate replays rows against the proposed zone of contoso.test.
func evaluate(t *testing.T, rows ...enforce.Row) *enforce.Result {
	t.Helper()
	res, err := enforce.Evaluate(context.Background(), proposed(t), "contoso.test", rowsOf(rows...), enforce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
