package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// MaxGraphSize bounds the JSON FromGraph and FromDKIMSigningConfig read.
const MaxGraphSize = 16 << 20

// graphRecord is a domainDnsRecord of Microsoft Graph v1.0, every type's
// fields together; unknown fields are ignored.
type graphRecord struct {
	Type             string `json:"@odata.type"`
	ID               string `json:"id"`
	IsOptional       bool   `json:"isOptional"`
	Label            string `json:"label"`
	RecordType       string `json:"recordType"`
	SupportedService string `json:"supportedService"`
	TTL              uint32 `json:"ttl"`
	MailExchange     string `json:"mailExchange"`
	Preference       *int   `json:"preference"`
	Text             string `json:"text"`
	CanonicalName    string `json:"canonicalName"`
	NameTarget       string `json:"nameTarget"`
	Port             *int   `json:"port"`
	Priority         *int   `json:"priority"`
	Protocol         string `json:"protocol"`
	Service          string `json:"service"`
	Weight           *int   `json:"weight"`
	Description      string `json:"description"`
}

func readJSON(r io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxGraphSize+1))
	if err != nil {
		return fmt.Errorf("records: reading JSON: %w", err)
	}
	if len(data) > MaxGraphSize {
		return fmt.Errorf("records: JSON larger than %d bytes", MaxGraphSize)
	}
	if err := json.Unmarshal(data, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("records: malformed JSON at offset %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return fmt.Errorf("records: unexpected JSON at offset %d: field %q holds %s, want %s", te.Offset, te.Field, te.Value, te.Type)
		}
		return fmt.Errorf("records: %w", err)
	}
	return nil
}

// FromGraph reads the JSON of Microsoft Graph's
// GET /domains/{id}/serviceConfigurationRecords or /verificationDnsRecords
// ({"value": [...]}) into exact expectations, each mapped to its purpose
// and workload. Records Graph could not generate
// (domainDnsUnavailableRecord) become m365.unavailable findings. Values are
// kept as Graph gives them, odd spacing included: judging them is the
// check's job. Malformed JSON is an error naming the offset.
func FromGraph(r io.Reader) (Set, error) {
	var doc struct {
		Value *[]graphRecord `json:"value"`
	}
	if err := readJSON(r, &doc); err != nil {
		return Set{}, err
	}
	if doc.Value == nil {
		return Set{}, errors.New(`records: no "value" array: not a Graph domainDnsRecord collection`)
	}
	var set Set
	for i, g := range *doc.Value {
		label := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(g.Label), "."))
		if label == "" {
			return Set{}, fmt.Errorf("records: record %d (%s) has no label", i, g.ID)
		}
		if set.Domain == "" || strings.Count(label, ".") < strings.Count(set.Domain, ".") {
			set.Domain = label
		}
		kind := strings.TrimPrefix(g.Type, "#microsoft.graph.")
		if kind == "domainDnsUnavailableRecord" {
			f := ruleUnavailable.New(label, fmt.Sprintf("Graph could not generate the %s record for %s (%s): %s", orUnknown(g.RecordType), label, orUnknown(g.SupportedService), g.Description))
			f.Type = strings.ToUpper(g.RecordType)
			set.Findings = append(set.Findings, f)
			continue
		}
		rr, err := graphRR(label, kind, g)
		if err != nil {
			return Set{}, fmt.Errorf("records: record %d (%s %s): %w", i, g.RecordType, label, err)
		}
		// The owner is the record's own name: for SRV rows Graph's label is
		// the domain, the owner _service._protocol.<domain>.
		e := Expected{
			Workload: workloadOf(g.SupportedService), Type: rr.Header().Rrtype, Name: strings.TrimSuffix(strings.ToLower(rr.Header().Name), "."),
			Want: Exact{rr}, Optional: g.IsOptional, TTL: g.TTL, Source: FromGraphAPI, Doc: docGraph,
		}
		if e.TTL == 0 {
			e.TTL = 3600
		}
		e.Purpose = purposeOf(rr, label)
		if e.Purpose == Verify {
			e.Workload = WorkloadVerify
		}
		set.Items = append(set.Items, e)
	}
	return foldVerify(set), nil
}

// foldVerify makes Graph's verification rows (TXT and MX) one expectation,
// the TXT record first and the others as its alternatives, the way the
// templates and the check see them.
func foldVerify(set Set) Set {
	var rows []Expected
	first := -1
	items := set.Items[:0:0]
	for _, e := range set.Items {
		if e.Purpose != Verify {
			items = append(items, e)
			continue
		}
		if first < 0 {
			first = len(items)
			items = append(items, e)
		}
		rows = append(rows, e)
	}
	if len(rows) < 2 {
		return set
	}
	main := slices.IndexFunc(rows, func(e Expected) bool { return e.Type == dns.TypeTXT })
	if main < 0 {
		main = 0
	}
	v := rows[main]
	for i, e := range rows {
		if i != main {
			v.Alternatives = append(v.Alternatives, e)
		}
	}
	items[first] = v
	set.Items = items
	return set
}

// WithGraph merges Graph's serviceConfigurationRecords (and
// verificationDnsRecords) with the templates for graph's domain: for every
// purpose Graph has a row for, Graph's exact values win; the purposes Graph
// does not list (DKIM, DMARC, msoid) stay as the templates have them.
// Without opts.Tenant, the template workloads that need a tenant (DKIM in
// the commercial cloud, the MX of GCC High and DoD) are left out.
func WithGraph(graph Set, opts Options) (Set, error) {
	if graph.Domain == "" {
		return Set{}, errors.New("records: the Graph set names no domain")
	}
	cloud, err := ParseCloud(string(opts.Cloud))
	if err != nil {
		return Set{}, err
	}
	if opts.Tenant == "" {
		ws := opts.Workloads
		if len(ws) == 0 {
			ws = []Workload{WorkloadExchange, WorkloadTeams, WorkloadIntune, WorkloadDKIM, WorkloadDMARC}
		}
		need := needTenant(ws, cloud)
		opts.Workloads = slices.DeleteFunc(slices.Clone(ws), func(w Workload) bool { return slices.Contains(need, string(w)) })
		if len(opts.Workloads) == 0 {
			return graph, nil
		}
	}
	tmpl, err := M365(graph.Domain, opts)
	if err != nil {
		return Set{}, err
	}
	out := tmpl.Replace(graph)
	if mx := tmpl.ByPurpose(MX); len(mx) > 0 && len(mx[0].Gateways) > 0 {
		gw := mx[0].Gateways
		for i, e := range out.Items {
			if e.Purpose == MX && e.Source == FromGraphAPI {
				w := e.Want
				out.Items[i].Gateways = gw
				out.Items[i].Want = Pattern{desc: w.String() + "; or MX to the filtering gateway " + strings.Join(gw, ", "), guess: w.Guess(),
					match: func(rr dns.RR) bool {
						return w.Match(rr) || rr.Header().Rrtype == dns.TypeMX && underAny(target(rr), gw)
					}}
			}
		}
	}
	return out, nil
}

// underAny reports whether host is one of hosts or a name under one.
func underAny(host string, hosts []string) bool {
	for _, g := range hosts {
		if host == g || strings.HasSuffix(host, "."+g) {
			return true
		}
	}
	return false
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func graphRR(label, kind string, g graphRecord) (dns.RR, error) {
	hdr := dns.RR_Header{Name: dns.Fqdn(label), Class: dns.ClassINET, Ttl: g.TTL}
	need := func(v *int, field string, max int) (uint16, error) {
		if v == nil {
			return 0, fmt.Errorf("no %s", field)
		}
		if *v < 0 || *v > max {
			return 0, fmt.Errorf("%s %d out of range", field, *v)
		}
		return uint16(*v), nil
	}
	host := func(s, field string) (string, error) {
		s = strings.TrimSpace(s)
		if _, ok := dns.IsDomainName(s); !ok || s == "" {
			return "", fmt.Errorf("%s %q is not a host name", field, s)
		}
		return dns.Fqdn(strings.ToLower(s)), nil
	}
	switch kind {
	case "domainDnsMxRecord":
		hdr.Rrtype = dns.TypeMX
		pref, err := need(g.Preference, "preference", 65535)
		if err != nil {
			return nil, err
		}
		mx, err := host(g.MailExchange, "mailExchange")
		if err != nil {
			return nil, err
		}
		return &dns.MX{Hdr: hdr, Preference: pref, Mx: mx}, nil
	case "domainDnsTxtRecord":
		hdr.Rrtype = dns.TypeTXT
		return &dns.TXT{Hdr: hdr, Txt: resolver.EncodeTXT(g.Text)}, nil
	case "domainDnsCnameRecord":
		hdr.Rrtype = dns.TypeCNAME
		t, err := host(g.CanonicalName, "canonicalName")
		if err != nil {
			return nil, err
		}
		return &dns.CNAME{Hdr: hdr, Target: t}, nil
	case "domainDnsSrvRecord":
		hdr.Rrtype = dns.TypeSRV
		// Graph's label for an SRV record is the domain; the owner is
		// service.protocol.domain.
		svc, proto := strings.TrimSpace(g.Service), strings.TrimSpace(g.Protocol)
		if !strings.HasPrefix(svc, "_") || !strings.HasPrefix(proto, "_") {
			return nil, fmt.Errorf("service %q and protocol %q must start with \"_\"", svc, proto)
		}
		if !strings.HasPrefix(label, strings.ToLower(svc+"."+proto+".")) {
			hdr.Name = dns.Fqdn(strings.ToLower(svc + "." + proto + "." + label))
		}
		pri, err := need(g.Priority, "priority", 65535)
		if err != nil {
			return nil, err
		}
		w, err := need(g.Weight, "weight", 65535)
		if err != nil {
			return nil, err
		}
		port, err := need(g.Port, "port", 65535)
		if err != nil {
			return nil, err
		}
		t, err := host(g.NameTarget, "nameTarget")
		if err != nil {
			return nil, err
		}
		return &dns.SRV{Hdr: hdr, Priority: pri, Weight: w, Port: port, Target: t}, nil
	}
	return nil, fmt.Errorf("unknown record kind %q", kind)
}

func workloadOf(service string) Workload {
	switch strings.ToLower(service) {
	case "email":
		return WorkloadExchange
	case "officecommunicationsonline":
		return WorkloadTeams
	case "intune":
		return WorkloadIntune
	case "", "none":
		return WorkloadVerify
	}
	return Workload(strings.ToLower(service))
}

// purposeOf maps a Graph record to its purpose by type, owner and target.
func purposeOf(rr dns.RR, label string) Purpose {
	first, _, _ := strings.Cut(strings.TrimSuffix(strings.ToLower(rr.Header().Name), "."), ".")
	switch v := rr.(type) {
	case *dns.TXT:
		txt := strings.Join(v.Txt, "")
		switch {
		case strings.HasPrefix(txt, "MS="):
			return Verify
		case strings.HasPrefix(strings.ToLower(txt), "v=spf1"):
			return SPF
		case strings.HasPrefix(strings.ToUpper(txt), "V=DMARC1"):
			return DMARC
		}
	case *dns.MX:
		if strings.HasSuffix(strings.ToLower(v.Mx), ".msv1.invalid.") {
			return Verify
		}
		return MX
	case *dns.CNAME:
		switch {
		case strings.HasPrefix(strings.ToLower(label), "selector1._domainkey."):
			return DKIM1
		case strings.HasPrefix(strings.ToLower(label), "selector2._domainkey."):
			return DKIM2
		case strings.EqualFold(v.Target, "ps.microsoftonline.com."):
			return Verify
		}
		switch first {
		case "autodiscover":
			return Autodiscover
		case "sip":
			return SIP
		case "lyncdiscover":
			return Lyncdiscover
		case "enterpriseregistration":
			return EnterpriseRegistration
		case "enterpriseenrollment":
			return EnterpriseEnrollment
		case "msoid":
			return MSOID
		}
	case *dns.SRV:
		switch {
		case strings.HasPrefix(strings.ToLower(v.Hdr.Name), "_sipfederationtls._tcp."):
			return SIPFederation
		case strings.HasPrefix(strings.ToLower(v.Hdr.Name), "_sip._tls."):
			return SIPTLS
		}
	}
	return Other
}

// FromDKIMSigningConfig reads `Get-DkimSigningConfig | ConvertTo-Json`
// output (one object or an array) and returns exact dkim1 and dkim2
// expectations (Selector1CNAME, Selector2CNAME) for domain, to Replace the
// template's patterns. For many domains, read the input once with
// ReadDKIMSigningConfig and call For per domain.
func FromDKIMSigningConfig(r io.Reader, domain string) (Set, error) {
	if _, err := checkDomain(domain); err != nil {
		return Set{}, err
	}
	c, err := ReadDKIMSigningConfig(r)
	if err != nil {
		return Set{}, err
	}
	return c.For(domain)
}

// DKIMSigningConfig is `Get-DkimSigningConfig | ConvertTo-Json` output,
// read once: each domain's Selector1CNAME and Selector2CNAME.
type DKIMSigningConfig struct {
	targets map[string][2]string // lower-case domain → the two CNAME targets, as written
}

// ReadDKIMSigningConfig reads `Get-DkimSigningConfig | ConvertTo-Json`
// output (one object or an array). It reads at most MaxGraphSize bytes
// (more is an error, and the rest is not read) and keeps only the fields
// it uses, the first entry of each domain.
func ReadDKIMSigningConfig(r io.Reader) (*DKIMSigningConfig, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGraphSize+1))
	if err != nil {
		return nil, fmt.Errorf("records: reading JSON: %w", err)
	}
	if len(data) > MaxGraphSize {
		return nil, fmt.Errorf("records: JSON larger than %d bytes", MaxGraphSize)
	}
	type config struct {
		Domain         string `json:"Domain"`
		Name           string `json:"Name"`
		Selector1CNAME string `json:"Selector1CNAME"`
		Selector2CNAME string `json:"Selector2CNAME"`
	}
	var list []config
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var one config
		if err := readJSON(bytes.NewReader(data), &one); err != nil {
			return nil, err
		}
		list = []config{one}
	} else if err := readJSON(bytes.NewReader(data), &list); err != nil {
		return nil, err
	}
	c := &DKIMSigningConfig{targets: make(map[string][2]string, len(list))}
	for _, e := range list {
		name := e.Domain
		if name == "" {
			name = e.Name
		}
		key := strings.ToLower(strings.TrimSuffix(name, "."))
		if _, dup := c.targets[key]; !dup {
			c.targets[key] = [2]string{e.Selector1CNAME, e.Selector2CNAME}
		}
	}
	return c, nil
}

// For returns exact dkim1 and dkim2 expectations (Selector1CNAME,
// Selector2CNAME) for domain, to Replace the template's patterns; an
// error when the input does not configure domain or its targets are not
// host names.
func (c *DKIMSigningConfig) For(domain string) (Set, error) {
	d, err := checkDomain(domain)
	if err != nil {
		return Set{}, err
	}
	targets, ok := c.targets[strings.ToLower(d)]
	if !ok {
		return Set{}, fmt.Errorf("records: no DKIM signing config for %s in the input", d)
	}
	set := Set{Domain: d}
	for i, t := range targets {
		t = strings.TrimSpace(t)
		if _, ok := dns.IsDomainName(t); !ok || t == "" {
			if len(t) > 255 {
				t = t[:255] + "…"
			}
			return Set{}, fmt.Errorf("records: Selector%dCNAME %q for %s is not a host name", i+1, t, d)
		}
		owner := fmt.Sprintf("selector%d._domainkey.%s", i+1, d)
		rr := &dns.CNAME{Hdr: dns.RR_Header{Name: dns.Fqdn(owner), Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 3600}, Target: dns.Fqdn(strings.ToLower(t))}
		set.Items = append(set.Items, Expected{Purpose: []Purpose{DKIM1, DKIM2}[i], Workload: WorkloadDKIM, Type: dns.TypeCNAME, Name: owner,
			Want: Exact{rr}, TTL: 3600, Source: FromDKIMConfig, Doc: docDKIM, Note: "exact value from Get-DkimSigningConfig"})
	}
	return set, nil
}
