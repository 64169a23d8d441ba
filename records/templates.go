package records

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// Cloud is a Microsoft 365 cloud.
type Cloud string

const (
	Commercial Cloud = "commercial"
	GCC        Cloud = "gcc"
	GCCHigh    Cloud = "gcchigh"
	DoD        Cloud = "dod"
	China      Cloud = "china" // operated by 21Vianet
)

// Clouds lists the clouds.
func Clouds() []Cloud { return []Cloud{Commercial, GCC, GCCHigh, DoD, China} }

// ParseCloud parses a cloud name (case-insensitive; "" is Commercial).
func ParseCloud(s string) (Cloud, error) {
	if s == "" {
		return Commercial, nil
	}
	for _, c := range Clouds() {
		if strings.EqualFold(s, string(c)) {
			return c, nil
		}
	}
	return "", fmt.Errorf("records: unknown cloud %q (want commercial, gcc, gcchigh, dod or china)", s)
}

// Options select the expected set.
type Options struct {
	// Tenant is the initial domain's prefix: "contoso" for
	// contoso.onmicrosoft.com (that form is accepted too). Needed for DKIM,
	// and for the MX in GCC High and DoD.
	Tenant string
	// Cloud defaults to Commercial.
	Cloud Cloud
	// Workloads default to all but WorkloadVerify, plus WorkloadVerify
	// whenever VerifyCode is set.
	Workloads []Workload
	// VerifyCode is the "MS=ms########" code the admin center showed.
	VerifyCode string
	// Hybrid marks an internal-relay domain in a staged migration: MX and
	// autodiscover may still point on-premises (reported as info).
	Hybrid bool
	// Legacy makes the Skype for Business records (sip, lyncdiscover,
	// sip-tls) required; by default they are optional, as for Teams-only
	// tenants.
	Legacy bool
	// Gateways are the hosts of a third-party filtering service in front
	// of Microsoft 365 (Enhanced Filtering for Connectors): an MX to one of
	// them, or to a name under one of them, is expected, not wrong. The
	// SPF record must still include the cloud's SPF domain.
	Gateways []string
}

var (
	tenantRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	codeRE   = regexp.MustCompile(`^MS=ms[0-9]{8}$`)
)

// initialSuffixes are the initial (tenant) domain suffixes per cloud:
// onmicrosoft.com (commercial, GCC), onmicrosoft.us (GCC High, DoD, per
// the GCC High page) and partner.onmschina.cn (21Vianet).
var initialSuffixes = []struct {
	suffix string
	clouds []Cloud
}{
	{".onmicrosoft.com", []Cloud{Commercial, GCC}},
	{".onmicrosoft.us", []Cloud{GCCHigh, DoD}},
	{".partner.onmschina.cn", []Cloud{China}},
}

// ParseTenant splits a tenant as a user may name it — "contoso",
// "contoso.onmicrosoft.com", "contoso.onmicrosoft.us" or
// "contoso.partner.onmschina.cn" — into the prefix and the clouds whose
// initial domains carry that suffix (nil for a bare prefix).
func ParseTenant(s string) (prefix string, clouds []Cloud, err error) {
	t := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
	for _, is := range initialSuffixes {
		if p, ok := strings.CutSuffix(t, is.suffix); ok {
			t, clouds = p, is.clouds
			break
		}
	}
	if !tenantRE.MatchString(t) {
		return "", nil, fmt.Errorf("records: tenant %q is not an initial domain such as \"contoso\", \"contoso.onmicrosoft.com\", \"contoso.onmicrosoft.us\" or \"contoso.partner.onmschina.cn\"", s)
	}
	return t, clouds, nil
}

// InitialDomain returns the tenant's initial domain in cloud c:
// <tenant>.onmicrosoft.com, .onmicrosoft.us or .partner.onmschina.cn.
func InitialDomain(c Cloud, tenant string) string {
	for _, is := range initialSuffixes {
		if slices.Contains(is.clouds, c) {
			return tenant + is.suffix
		}
	}
	return tenant + ".onmicrosoft.com"
}

// Doc links (Microsoft Learn).
const (
	docAdd     = "https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider"
	docExt     = "https://learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records"
	docGCCHigh = "https://learn.microsoft.com/microsoft-365/enterprise/dns-records-for-office-365-gcc-high"
	docDoD     = "https://learn.microsoft.com/microsoft-365/enterprise/dns-records-for-office-365-dod"
	docSPF     = "https://learn.microsoft.com/defender-office-365/email-authentication-spf-configure"
	docDKIM    = "https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure"
	docDMARC   = "https://learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure"
	docIntune  = "https://learn.microsoft.com/mem/intune/enrollment/windows-enrollment-create-cname"
	// docChina is the "Add DNS records" page in its 21Vianet version.
	docChina = docAdd + "?view=o365-21vianet"
	docGraph = "https://learn.microsoft.com/graph/api/domain-list-serviceconfigurationrecords"
)

// docTitles name the pages Expected.Cite gives.
var docTitles = map[string]string{
	docAdd:     "Microsoft Learn: Add DNS records to connect your domain",
	docExt:     "Microsoft Learn: External Domain Name System records for Microsoft 365",
	docGCCHigh: "Microsoft Learn: DNS records for Office 365 GCC High",
	docDoD:     "Microsoft Learn: DNS records for Office 365 DoD",
	docSPF:     "Microsoft Learn: Set up SPF to identify valid email sources for your Microsoft 365 domain",
	docDKIM:    "Microsoft Learn: Set up DKIM to sign mail from your Microsoft 365 domain",
	docDMARC:   "Microsoft Learn: Set up DMARC to validate the From address domain for cloud senders",
	docIntune:  "Microsoft Learn: Enable auto-discovery of Intune enrollment server (create a CNAME)",
	docChina:   "Microsoft Learn: Add DNS records to connect your domain (Microsoft 365 operated by 21Vianet)",
	docGraph:   "Microsoft Graph: List serviceConfigurationRecords",
}

// DocTitle names a Learn page this package links in Expected.Doc ("" for
// an unknown address).
func DocTitle(url string) string { return docTitles[url] }

// cloudTargets are the per-cloud values of shared/m365-records.md.
type cloudTargets struct {
	spf, autodiscover, sipfed, sipdir, webdir, enrollment, registration string
	// doc is the cloud's own DNS page (verification, MX, autodiscover,
	// msoid); teamsDoc lists its Teams records.
	doc, teamsDoc string
}

// targetsFor returns a cloud's targets (GCC shares Commercial's).
func targetsFor(c Cloud) cloudTargets {
	switch c {
	case GCCHigh:
		return cloudTargets{"spf.protection.office365.us", "autodiscover.office365.us", "sipfed.online.gov.skypeforbusiness.us", "sipdir.online.gov.skypeforbusiness.us", "webdir.online.gov.skypeforbusiness.us", "enterpriseenrollment-s.manage.microsoft.us", "enterpriseregistration.windows.net", docGCCHigh, docGCCHigh}
	case DoD:
		return cloudTargets{"spf.protection.office365.us", "autodiscover-dod.office365.us", "sipfed.online.dod.skypeforbusiness.us", "sipdir.online.dod.skypeforbusiness.us", "webdir.online.dod.skypeforbusiness.us", "enterpriseenrollment-s.manage.microsoft.us", "enterpriseregistration.windows.net", docDoD, docDoD}
	case China:
		return cloudTargets{"spf.protection.partner.outlook.cn", "autodiscover.partner.outlook.cn", "sipfed.online.partner.lync.cn", "sipdir.online.partner.lync.cn", "webdir.online.partner.lync.cn", "", "", docChina, docChina}
	}
	return cloudTargets{"spf.protection.outlook.com", "autodiscover.outlook.com", "sipfed.online.lync.com", "sipdir.online.lync.com", "webdir.online.lync.com", "enterpriseenrollment-s.manage.microsoft.com", "enterpriseregistration.windows.net", docAdd, docExt}
}

// SPFInclude returns the domain a cloud's SPF record includes.
func SPFInclude(c Cloud) string { return targetsFor(c).spf }

// M365 returns the records Microsoft 365 expects for domain. Values that
// cannot be derived (MX tokens, DKIM partition letters) are patterns. It
// fails, building nothing, on an empty or single-label domain, a domain not
// in A-label form, a malformed verification code or tenant, an unknown
// cloud, or a workload that needs a tenant when none is given.
func M365(domain string, opts Options) (Set, error) {
	d, err := checkDomain(domain)
	if err != nil {
		return Set{}, err
	}
	cloud, err := ParseCloud(string(opts.Cloud))
	if err != nil {
		return Set{}, err
	}
	var tenant string
	if opts.Tenant != "" {
		t, clouds, err := ParseTenant(opts.Tenant)
		if err != nil {
			return Set{}, err
		}
		tenant = t
		switch {
		case clouds == nil || slices.Contains(clouds, cloud):
		case len(clouds) == 1 && (opts.Cloud == "" || cloud == Commercial):
			// contoso.partner.onmschina.cn names its cloud.
			cloud = clouds[0]
		case opts.Cloud == "" || cloud == Commercial:
			return Set{}, fmt.Errorf("records: %s is an initial domain of the %s clouds: name the cloud", opts.Tenant, joinClouds(clouds))
		default:
			return Set{}, fmt.Errorf("records: %s is an initial domain of the %s clouds, not of %s", opts.Tenant, joinClouds(clouds), cloud)
		}
	}
	if opts.VerifyCode != "" && !codeRE.MatchString(opts.VerifyCode) {
		return Set{}, fmt.Errorf("records: verification code %q is not MS=ms followed by 8 digits", opts.VerifyCode)
	}
	workloads := opts.Workloads
	if len(workloads) == 0 {
		workloads = []Workload{WorkloadExchange, WorkloadTeams, WorkloadIntune, WorkloadDKIM, WorkloadDMARC}
	}
	if opts.VerifyCode != "" && !slices.Contains(workloads, WorkloadVerify) {
		workloads = append([]Workload{WorkloadVerify}, workloads...)
	}
	for _, w := range workloads {
		if !slices.Contains(AllWorkloads(), w) {
			return Set{}, fmt.Errorf("records: unknown workload %q", w)
		}
	}
	need := func(w Workload) bool { return slices.Contains(workloads, w) }
	if tenant == "" && len(needTenant(workloads, cloud)) > 0 {
		return Set{}, fmt.Errorf("records: the tenant (initial domain prefix) is needed for the %s workloads in the %s cloud", strings.Join(needTenant(workloads, cloud), " and "), cloud)
	}
	b := &builder{domain: d, tenant: tenant, cloud: cloud, t: targetsFor(cloud), opts: opts}
	for _, g := range opts.Gateways {
		h, err := checkDomain(strings.ToLower(g))
		if err != nil {
			return Set{}, fmt.Errorf("records: gateway %q: %w", g, err)
		}
		if !slices.Contains(b.gateways, h) {
			b.gateways = append(b.gateways, h)
		}
	}
	set := Set{Domain: d}
	for _, w := range AllWorkloads() {
		if need(w) {
			set.Items = append(set.Items, b.workload(w)...)
		}
	}
	if b.err != nil {
		return Set{}, b.err
	}
	return set, nil
}

func joinClouds(cs []Cloud) string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return strings.Join(out, " or ")
}

func needTenant(ws []Workload, c Cloud) []string {
	var out []string
	if slices.Contains(ws, WorkloadExchange) && (c == GCCHigh || c == DoD) {
		out = append(out, "exchange")
	}
	if slices.Contains(ws, WorkloadDKIM) && (c == Commercial || c == GCC) {
		out = append(out, "dkim")
	}
	return out
}

// checkDomain validates a domain: ASCII A-labels, at least two labels.
func checkDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if d == "" {
		return "", fmt.Errorf("records: empty domain")
	}
	canon, err := resolver.CanonicalName(d)
	if err != nil {
		return "", fmt.Errorf("records: %w", err)
	}
	d = strings.TrimSuffix(canon, ".")
	if !strings.Contains(d, ".") {
		return "", fmt.Errorf("records: %q is not a fully qualified domain name", domain)
	}
	if a, err := idna.Lookup.ToASCII(d); err != nil || a != d {
		return "", fmt.Errorf("records: %q is not a valid domain in A-label form", domain)
	}
	return d, nil
}

type builder struct {
	domain, tenant string
	gateways       []string
	cloud          Cloud
	t              cloudTargets
	opts           Options
	err            error
}

// rr builds a record from zone text, remembering the first failure.
func (b *builder) rr(format string, args ...any) dns.RR {
	rr, err := dns.NewRR(fmt.Sprintf(format, args...))
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("records: %w", err)
	}
	if rr == nil {
		return &dns.ANY{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeANY, Class: dns.ClassINET}}
	}
	return rr
}

func (b *builder) at(sub string) string {
	if sub == "" {
		return b.domain
	}
	return sub + "." + b.domain
}

// dashed is the domain with dots as dashes, as Microsoft derives tokens
// and DKIM selectors ("contoso.com" → "contoso-com").
func (b *builder) dashed() string { return strings.ReplaceAll(b.domain, ".", "-") }

func (b *builder) exp(p Purpose, w Workload, typ uint16, sub string, want Want) Expected {
	return Expected{Purpose: p, Workload: w, Type: typ, Name: b.at(sub), Want: want, TTL: 3600, Source: FromTemplate, Doc: b.t.doc}
}

func (b *builder) workload(w Workload) []Expected {
	switch w {
	case WorkloadVerify:
		return b.verify()
	case WorkloadExchange:
		return b.exchange()
	case WorkloadTeams:
		return b.teams()
	case WorkloadIntune:
		return b.intune()
	case WorkloadDKIM:
		return b.dkim()
	case WorkloadDMARC:
		return b.dmarc()
	}
	return nil
}

// verify: the TXT record, or the MX record for hosts that cannot publish
// TXT. Today's "Add DNS records" page gives the verification MX the
// highest priority ("typically 0"); its 2020 version said the opposite,
// so the priority is not judged. Either is deleted once the domain is
// verified.
func (b *builder) verify() []Expected {
	code := b.opts.VerifyCode
	var txt, mx, cname Want
	ms := strings.TrimPrefix(code, "MS=")
	if code != "" {
		txt = Exact{b.rr("%s. IN TXT %s", b.domain, quote(code))}
		mx = Exact{b.rr("%s. IN MX 0 %s.msv1.invalid.", b.domain, ms)}
		cname = Exact{b.rr("%s.%s. IN CNAME ps.microsoftonline.com.", ms, b.domain)}
	} else {
		txt = Pattern{desc: `TXT "MS=ms" followed by the 8 digits the admin center shows`, guess: b.rr("%s. IN TXT \"MS=ms00000000\"", b.domain),
			match: func(rr dns.RR) bool {
				return rr.Header().Rrtype == dns.TypeTXT && codeRE.MatchString(rrtext.TXT(rr))
			}}
		mx = Pattern{desc: "MX 0 ms########.msv1.invalid", guess: b.rr("%s. IN MX 0 ms00000000.msv1.invalid.", b.domain),
			match: func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeMX && verifyMX.MatchString(target(rr)) }}
	}
	e := b.exp(Verify, WorkloadVerify, dns.TypeTXT, "", txt)
	e.Note = "the TXT record can be removed once the domain is verified; a domain can be verified in one tenant only"
	alt := b.exp(Verify, WorkloadVerify, dns.TypeMX, "", mx)
	alt.Note = "for DNS hosts that cannot publish TXT, at the highest priority (typically 0); it routes no mail: delete it once the domain is verified"
	e.Alternatives = []Expected{alt}
	if cname != nil {
		leg := b.exp(Verify, WorkloadVerify, dns.TypeCNAME, ms, cname)
		leg.Note = "legacy form used by syndication partners (Parallels / CloudBlue POA); Microsoft stops retrying verification after a few days, so a domain pending for long must be removed and added again"
		e.Alternatives = append(e.Alternatives, leg)
	}
	return []Expected{e}
}

// gatewayHost reports whether host is one of the gateways or under one.
func (b *builder) gatewayHost(host string) bool { return underAny(host, b.gateways) }

func (b *builder) exchange() []Expected {
	var m365 Want
	switch b.cloud {
	case GCCHigh, DoD:
		// Microsoft documents <tenant>.mail.protection.office365.us; any
		// host of that family is Microsoft 365's own, never a gateway.
		m365 = mxPattern("MX 0 "+b.tenant+".mail.protection.office365.us (a <token>.mail.protection.office365.us host)",
			b.cloud, b.rr("%s. IN MX 0 %s.mail.protection.office365.us.", b.domain, b.tenant))
	case China:
		m365 = mxPattern("MX 0 <token>.mail.protection.partner.outlook.cn",
			b.cloud, b.rr("%s. IN MX 0 %s.mail.protection.partner.outlook.cn.", b.domain, b.dashed()))
	default:
		m365 = mxPattern("MX 0 to <token>.mail.protection.outlook.com or <token>.<c>-v1.mx.microsoft (the token is not derivable: take it from the admin center or Graph); legacy mail.eo.outlook.com and mail.protection.outlook.de hosts are accepted",
			b.cloud, b.rr("%s. IN MX 0 %s.mail.protection.outlook.com.", b.domain, b.dashed()))
	}
	mxWant := m365
	if len(b.gateways) > 0 {
		mxWant = Pattern{desc: m365.String() + "; or MX to the filtering gateway " + strings.Join(b.gateways, ", "), guess: m365.Guess(),
			match: func(rr dns.RR) bool {
				return m365.Match(rr) || rr.Header().Rrtype == dns.TypeMX && b.gatewayHost(target(rr))
			}}
	}
	mx := b.exp(MX, WorkloadExchange, dns.TypeMX, "", mxWant)
	mx.Gateways = b.gateways
	mx.Note = "the only MX, at the highest priority (typically 0): remove any other MX records"
	if len(b.gateways) > 0 {
		mx.Note = "MX to Microsoft 365, or to the filtering gateway " + strings.Join(b.gateways, ", ") + " in front of it (turn on Enhanced Filtering for Connectors)"
	}
	inc := b.t.spf
	spfWant := Pattern{
		desc:  "a v=spf1 TXT record that includes " + inc + ", directly or through its includes",
		guess: b.rr("%s. IN TXT \"v=spf1 include:%s -all\"", b.domain, inc),
		match: func(rr dns.RR) bool {
			txt := strings.ToLower(rrtext.TXT(rr))
			return rr.Header().Rrtype == dns.TypeTXT && strings.HasPrefix(txt, "v=spf1") && strings.Contains(txt+" ", "include:"+inc+" ")
		},
	}
	sp := b.exp(SPF, WorkloadExchange, dns.TypeTXT, "", spfWant)
	if b.cloud == Commercial || b.cloud == GCC {
		sp.Doc = docSPF
	}
	sp.Note = "one SPF record only; add the includes of other senders to it"
	ad := b.exp(Autodiscover, WorkloadExchange, dns.TypeCNAME, "autodiscover", Exact{b.rr("%s. IN CNAME %s.", b.at("autodiscover"), b.t.autodiscover)})
	if b.opts.Hybrid {
		mx.Hybrid, ad.Hybrid = true, true
		mx.Note = "hybrid (internal relay): MX may still point on-premises during the migration"
		ad.Note = "hybrid: autodiscover may still point on-premises during the migration"
	}
	return []Expected{mx, sp, ad, b.msoid()}
}

func (b *builder) msoid() Expected {
	msoid := b.exp(MSOID, WorkloadExchange, dns.TypeCNAME, "msoid", nil)
	if b.cloud == China {
		msoid.Want = Exact{b.rr("%s. IN CNAME clientconfig.partner.microsoftonline-p.net.cn.", b.at("msoid"))}
		msoid.Note = "required in the 21Vianet cloud"
	} else {
		if b.cloud == Commercial || b.cloud == GCC {
			msoid.Doc = docExt
		}
		msoid.Absent = true
		msoid.Want = Pattern{desc: "no msoid CNAME", match: func(rr dns.RR) bool { return false }}
		msoid.Note = "a msoid CNAME breaks Microsoft 365 Apps activation outside 21Vianet"
	}
	return msoid
}

func (b *builder) teams() []Expected {
	fed := b.exp(SIPFederation, WorkloadTeams, dns.TypeSRV, "_sipfederationtls._tcp", Exact{b.rr("%s. IN SRV 100 1 5061 %s.", b.at("_sipfederationtls._tcp"), b.t.sipfed)})
	fed.Doc = b.t.teamsDoc
	legacy := []Expected{
		b.exp(SIP, WorkloadTeams, dns.TypeCNAME, "sip", Exact{b.rr("%s. IN CNAME %s.", b.at("sip"), b.t.sipdir)}),
		b.exp(Lyncdiscover, WorkloadTeams, dns.TypeCNAME, "lyncdiscover", Exact{b.rr("%s. IN CNAME %s.", b.at("lyncdiscover"), b.t.webdir)}),
		b.exp(SIPTLS, WorkloadTeams, dns.TypeSRV, "_sip._tls", Exact{b.rr("%s. IN SRV 100 1 443 %s.", b.at("_sip._tls"), b.t.sipdir)}),
	}
	for i := range legacy {
		legacy[i].Doc = b.t.teamsDoc
		legacy[i].Optional = !b.opts.Legacy
		legacy[i].Note = "Skype for Business (legacy / hybrid); Teams-only tenants need only the federation SRV"
	}
	return append([]Expected{fed}, legacy...)
}

// intune: both CNAMEs are optional ("Although the CNAME configuration is
// optional"; automatic MDM enrollment does not need them). Only the values
// Microsoft publishes are used: the plain enterpriseenrollment host is
// documented for the commercial cloud only, and nothing for 21Vianet.
func (b *builder) intune() []Expected {
	if b.cloud == China {
		return nil // not documented for 21Vianet
	}
	doc := docIntune
	if b.cloud == GCCHigh || b.cloud == DoD {
		doc = b.t.doc
	}
	reg := b.exp(EnterpriseRegistration, WorkloadIntune, dns.TypeCNAME, "enterpriseregistration", Exact{b.rr("%s. IN CNAME %s.", b.at("enterpriseregistration"), b.t.registration)})
	reg.Doc, reg.Optional = doc, true
	reg.Note = "optional: for device registration and conditional access"
	preferred := b.rr("%s. IN CNAME %s.", b.at("enterpriseenrollment"), b.t.enrollment)
	var want Want = Exact{preferred}
	note := "optional: automatic MDM enrollment does not need it; it spares users typing the enrollment server"
	if b.cloud == Commercial || b.cloud == GCC {
		plain := strings.Replace(b.t.enrollment, "enterpriseenrollment-s.", "enterpriseenrollment.", 1)
		want = oneOf(fmt.Sprintf("CNAME %s (preferred) or %s (works, but prompts users)", b.t.enrollment, plain),
			preferred, b.rr("%s. IN CNAME %s.", b.at("enterpriseenrollment"), plain))
		note += "; " + b.t.enrollment + " is preferred: " + plain + " works but prompts users for their server"
	}
	enr := b.exp(EnterpriseEnrollment, WorkloadIntune, dns.TypeCNAME, "enterpriseenrollment", want)
	enr.Doc, enr.Optional, enr.Note = doc, true, note
	enr.Preferred = Exact{preferred}
	return []Expected{reg, enr}
}

// dkim: the commercial (and GCC) pattern is
// selectorN-<domain dashed>._domainkey.<tenant>.onmicrosoft.com, or for
// domains added since May 2025 ….<tenant>.<c>-v1.dkim.mail.microsoft with
// one partition letter for both selectors (the check compares them).
// Microsoft documents no value for GCC High, DoD or 21Vianet: any CNAME is
// accepted there, no value is suggested, and the note points to
// Get-DkimSigningConfig.
func (b *builder) dkim() []Expected {
	var out []Expected
	for i, p := range []Purpose{DKIM1, DKIM2} {
		sel := fmt.Sprintf("selector%d", i+1)
		sub := sel + "._domainkey"
		var want Want
		note := "publish both selectors; one signs at a time and rotation switches them"
		if b.cloud == Commercial || b.cloud == GCC {
			re := regexp.MustCompile(`^` + sel + `-` + regexp.QuoteMeta(b.dashed()) + `\._domainkey\.` + regexp.QuoteMeta(b.tenant) + `\.(onmicrosoft\.com|[a-z]-v1\.dkim\.mail\.microsoft)$`)
			want = hostPattern(dns.TypeCNAME,
				fmt.Sprintf("CNAME %s-%s._domainkey.%s.onmicrosoft.com, or for domains added since May 2025 %s-%s._domainkey.%s.<c>-v1.dkim.mail.microsoft (exact values: Get-DkimSigningConfig)", sel, b.dashed(), b.tenant, sel, b.dashed(), b.tenant),
				re, b.rr("%s. IN CNAME %s-%s._domainkey.%s.onmicrosoft.com.", b.at(sub), sel, b.dashed(), b.tenant))
		} else {
			want = Pattern{desc: fmt.Sprintf("CNAME to the Selector%dCNAME that Get-DkimSigningConfig shows (Microsoft documents no value for this cloud)", i+1),
				match: func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeCNAME }}
			note += fmt.Sprintf("; Microsoft documents no value for this cloud: run Get-DkimSigningConfig -Identity %s | Format-List Selector1CNAME,Selector2CNAME and publish those values", b.domain)
		}
		e := b.exp(p, WorkloadDKIM, dns.TypeCNAME, sub, want)
		e.Doc, e.Note = docDKIM, note
		out = append(out, e)
	}
	return out
}

// dmarc: Microsoft generates no value. Its DMARC page says to start with
// p=none and reports (rua), then quarantine, then reject: p=none with rua
// is the documented first step and matches; p=none without rua (no way
// to see reports) does not.
func (b *builder) dmarc() []Expected {
	e := b.exp(DMARC, WorkloadDMARC, dns.TypeTXT, "_dmarc", Pattern{
		desc:  "a v=DMARC1 record: p=none with rua= to start (monitoring), then p=quarantine, then p=reject",
		guess: b.rr("%s. IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@%s\"", b.at("_dmarc"), b.domain),
		match: func(rr dns.RR) bool {
			if rr.Header().Rrtype != dns.TypeTXT {
				return false
			}
			rec, err := dmarc.Parse(rrtext.TXT(rr), dmarc.RFC9989)
			if err != nil || rec == nil {
				return false
			}
			switch rec.P {
			case dmarc.Quarantine, dmarc.Reject:
				return true
			case dmarc.None:
				return rec.Reports()
			}
			return false
		},
	})
	e.Doc = docDMARC
	e.Note = "Microsoft generates no value: start at p=none with rua to see reports, then quarantine, then reject; parked domains: v=DMARC1; p=reject;"
	return []Expected{e}
}
