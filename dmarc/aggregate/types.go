package aggregate

import (
	"encoding/xml"
	"net/netip"
	"strconv"
	"time"
)

// XML namespaces a report's root element may carry. Most generators send
// none; a report in any other namespace, or none, is read the same way:
// elements are matched by their local names.
const (
	// NamespaceRFC9990 is the namespace of RFC 9990 (DMARCbis aggregate
	// reporting) reports.
	NamespaceRFC9990 = "urn:ietf:params:xml:ns:dmarc-2.0"
	// NamespaceDraft is the namespace of the pre-RFC 7489 draft schema,
	// still sent by some generators.
	NamespaceDraft = "http://dmarc.org/dmarc-xml/0.1"
)

// Report is one DMARC aggregate report: RFC 7489 Appendix C, RFC 9990
// §3 and Appendix A. Text is trimmed of surrounding white space; domain
// names are lower-cased, without a trailing dot.
type Report struct {
	// Source says where the report was read.
	Source Source `json:"source"`
	// Namespace is the root element's XML namespace: "" (most
	// generators), NamespaceRFC9990, NamespaceDraft or another.
	Namespace string `json:"namespace,omitempty"`
	// Version is <version> ("1.0"), empty when absent.
	Version string `json:"version,omitempty"`

	// OrgName, Email, ExtraContactInfo, ReportID and the rest are
	// <report_metadata>.
	OrgName          string    `json:"org_name"`
	Email            string    `json:"email,omitempty"`
	ExtraContactInfo string    `json:"extra_contact_info,omitempty"`
	ReportID         string    `json:"report_id"`
	DateRange        DateRange `json:"date_range"`
	// Errors are the <error> elements: problems the generator met while
	// evaluating the policy.
	Errors []string `json:"errors,omitempty"`
	// Generator names the generating software (RFC 9990).
	Generator string `json:"generator,omitempty"`

	// Policy is <policy_published>.
	Policy PolicyPublished `json:"policy_published"`
	// Extensions are the children of <extension> (RFC 9990 §3.1.6),
	// uninterpreted.
	Extensions []Element `json:"extensions,omitempty"`
	// Records are the <record> elements, in document order.
	Records []Record `json:"records"`
}

// Messages is the sum of the records' counts.
func (r *Report) Messages() int64 {
	var n int64
	for i := range r.Records {
		n += r.Records[i].Count
	}
	return n
}

// DateRange is the reporting period, read from seconds since the epoch,
// in UTC.
type DateRange struct {
	Begin time.Time `json:"begin"`
	End   time.Time `json:"end"`
}

// PolicyPublished is the DMARC policy the reporter found and applied.
type PolicyPublished struct {
	// Domain is where the DMARC record was found.
	Domain string `json:"domain"`
	// ADKIM and ASPF are the alignment modes; empty when absent (the
	// default is relaxed).
	ADKIM Alignment `json:"adkim,omitempty"`
	ASPF  Alignment `json:"aspf,omitempty"`
	// P, SP and NP are the policies for the domain, its subdomains and
	// its non-existent subdomains (NP: RFC 9990); empty when absent.
	P  Policy `json:"p,omitempty"`
	SP Policy `json:"sp,omitempty"`
	NP Policy `json:"np,omitempty"`
	// Pct is the percentage the policy applies to (RFC 7489; RFC 9990
	// drops it). HasPct says whether the report gave it: without it, Pct
	// is 100, the default.
	Pct    int  `json:"pct"`
	HasPct bool `json:"has_pct,omitempty"`
	// FO is the failure reporting options, as given.
	FO string `json:"fo,omitempty"`
	// Testing is the t= tag (RFC 9990): "y" when the policy is in test
	// mode; empty when absent.
	Testing Testing `json:"testing,omitempty"`
	// DiscoveryMethod is how the record was found (RFC 9990): "psl" or
	// "treewalk"; empty when absent.
	DiscoveryMethod DiscoveryMethod `json:"discovery_method,omitempty"`
}

// Record is one <record>: a count of messages from one source IP that
// shared the same results.
type Record struct {
	// SourceIP is the connecting address; an IPv4-mapped IPv6 address is
	// given as IPv4.
	SourceIP netip.Addr `json:"source_ip"`
	// Count is the number of messages.
	Count int64 `json:"count"`
	// Evaluated is <policy_evaluated>: what DMARC concluded.
	Evaluated PolicyEvaluated `json:"policy_evaluated"`
	// Identifiers are the domains of the messages.
	Identifiers Identifiers `json:"identifiers"`
	// DKIM and SPF are <auth_results>: the raw results, uninterpreted
	// with respect to DMARC; several DKIM signatures, and in RFC 7489
	// reports several SPF results (helo and mfrom), may appear.
	DKIM []DKIMAuth `json:"dkim,omitempty"`
	SPF  []SPFAuth  `json:"spf,omitempty"`
	// Extensions are elements after <auth_results> (RFC 9990 record-level
	// extensions), uninterpreted.
	Extensions []Element `json:"extensions,omitempty"`
}

// PolicyEvaluated is the result of applying DMARC to the messages.
type PolicyEvaluated struct {
	Disposition Disposition `json:"disposition"`
	DKIM        DMARCResult `json:"dkim"`
	SPF         DMARCResult `json:"spf"`
	Reasons     []Reason    `json:"reasons,omitempty"`
}

// Reason is a <reason>: why the disposition differs from the policy.
type Reason struct {
	Type    ReasonType `json:"type"`
	Comment string     `json:"comment,omitempty"`
}

// Identifiers are <identifiers>; EnvelopeFrom and EnvelopeTo are empty
// when absent.
type Identifiers struct {
	HeaderFrom   string `json:"header_from"`
	EnvelopeFrom string `json:"envelope_from,omitempty"`
	EnvelopeTo   string `json:"envelope_to,omitempty"`
}

// DKIMAuth is one DKIM signature's result.
type DKIMAuth struct {
	Domain      string     `json:"domain"`
	Selector    string     `json:"selector,omitempty"`
	Result      DKIMResult `json:"result"`
	HumanResult string     `json:"human_result,omitempty"`
}

// SPFAuth is one SPF result.
type SPFAuth struct {
	Domain      string    `json:"domain"`
	Scope       SPFScope  `json:"scope,omitempty"`
	Result      SPFResult `json:"result"`
	HumanResult string    `json:"human_result,omitempty"`
}

// Element is an uninterpreted XML element (an extension), with its
// attributes, its text (trimmed) and its child elements.
type Element struct {
	Name     xml.Name   `json:"name"`
	Attr     []xml.Attr `json:"attr,omitempty"`
	Text     string     `json:"text,omitempty"`
	Children []Element  `json:"children,omitempty"`
}

// Source says where a report, or an error, came from. Fields that do not
// apply are empty.
type Source struct {
	// Path is the file read, or for IMAP the mailbox URL (without a
	// password).
	Path string `json:"path,omitempty"`
	// Message is the message's position in an mbox file (from 1), or its
	// IMAP UID.
	Message uint32 `json:"message,omitempty"`
	// MessageID is the message's Message-ID field, without the angle
	// brackets.
	MessageID string `json:"message_id,omitempty"`
	// Attachment is the MIME part's file name (or "part N" when it has
	// none).
	Attachment string `json:"attachment,omitempty"`
	// Entry is the name of the zip archive entry.
	Entry string `json:"entry,omitempty"`
}

// String renders the source as "path: message 3 <id>: attachment x.zip:
// entry y.xml".
func (s Source) String() string {
	var b []byte
	add := func(parts ...string) {
		if len(b) > 0 {
			b = append(b, ": "...)
		}
		for _, p := range parts {
			b = append(b, p...)
		}
	}
	if s.Path != "" {
		add(s.Path)
	}
	if s.Message != 0 || s.MessageID != "" {
		msg := "message"
		if s.Message != 0 {
			msg += " " + strconv.FormatUint(uint64(s.Message), 10)
		}
		if s.MessageID != "" {
			msg += " <" + s.MessageID + ">"
		}
		add(msg)
	}
	if s.Attachment != "" {
		add("attachment ", s.Attachment)
	}
	if s.Entry != "" {
		add("entry ", s.Entry)
	}
	return string(b)
}
