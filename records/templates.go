package records

import (
	"fmt"
	"github.com/domainlint/domainlint/internal/rrtext"
	"regexp"
	"slices"
	"strings"

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
}

var (
	tenantRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	codeRE   = regexp.MustCompile(`^MS=ms[0-9]{8}$`)
)

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
)

// cloudTargets are the per-cloud values of shared/m365-records.md.
type cloudTargets struct {
	spf, autodiscover, sipfed, sipdir, webdir, enrollment, registration, doc string
}

// targetsFor returns a cloud's targets (GCC shares Commercial's).
func targetsFor(c Cloud) cloudTargets {
	switch c {
	case GCCHigh:
		return cloudTargets{"spf.protection.office365.us", "autodiscover.office365.us", "sipfed.online.gov.skypeforbusiness.us", "sipdir.online.gov.skypeforbusiness.us", "webdir.online.gov.skypeforbusiness.us", "enterpriseenrollment-s.manage.microsoft.us", "enterpriseregistration.windows.net", docGCCHigh}
	case DoD:
		return cloudTargets{"spf.protection.office365.us", "autodiscover-dod.office365.us", "sipfed.online.dod.skypeforbusiness.us", "sipdir.online.dod.skypeforbusiness.us", "webdir.online.dod.skypeforbusiness.us", "enterpriseenrollment-s.manage.microsoft.us", "enterpriseregistration.windows.net", docDoD}
	case China:
		return cloudTargets{"spf.protection.partner.outlook.cn", "autodiscover.partner.outlook.cn", "sipfed.online.partner.lync.cn", "sipdir.online.partner.lync.cn", "webdir.online.partner.lync.cn", "", "", docAdd}
	}
	return cloudTargets{"spf.protection.outlook.com", "autodiscover.outlook.com", "sipfed.online.lync.com", "sipdir.online.lync.com", "webdir.online.lync.com", "enterpriseenrollment-s.manage.microsoft.com", "enterpriseregistration.windows.net", docAdd}
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
	tenant := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(opts.Tenant, "."), ".onmicrosoft.com"))
	if tenant != "" && !tenantRE.MatchString(tenant) {
		return Set{}, fmt.Errorf("records: tenant %q is not an initial domain prefix such as \"contoso\"", opts.Tenant)
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
	if tenant == "" && (need(WorkloadDKIM) || need(WorkloadExchange) && (cloud == GCCHigh || cloud == DoD)) {
		return Set{}, fmt.Errorf("records: the tenant (initial domain prefix) is needed for the %s workloads in the %s cloud", strings.Join(needTenant(workloads, cloud), " and "), cloud)
	}
	b := &builder{domain: d, tenant: tenant, cloud: cloud, t: targetsFor(cloud), opts: opts}
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

func needTenant(ws []Workload, c Cloud) []string {
	var out []string
	if slices.Contains(ws, WorkloadExchange) && (c == GCCHigh || c == DoD) {
		out = append(out, "exchange")
	}
	if slices.Contains(ws, WorkloadDKIM) {
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

func (b *builder) verify() []Expected {
	code := b.opts.VerifyCode
	var txt, mx, cname Want
	ms := strings.TrimPrefix(code, "MS=")
	if code != "" {
		txt = Exact{b.rr("%s. IN TXT %s", b.domain, quote(code))}
		mx = Exact{b.rr("%s. IN MX 32767 %s.msv1.invalid.", b.domain, ms)}
		cname = Exact{b.rr("%s.%s. IN CNAME ps.microsoftonline.com.", ms, b.domain)}
	} else {
		ms = "ms00000000"
		txt = Pattern{desc: `TXT "MS=ms" followed by the 8 digits the admin center shows`, guess: b.rr("%s. IN TXT \"MS=ms00000000\"", b.domain),
			match: func(rr dns.RR) bool {
				return rr.Header().Rrtype == dns.TypeTXT && verifyTXT.MatchString(rrtext.TXT(rr))
			}}
		mx = Pattern{desc: "MX 32767 ms########.msv1.invalid", guess: b.rr("%s. IN MX 32767 ms00000000.msv1.invalid.", b.domain),
			match: func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeMX && verifyMX.MatchString(target(rr)) }}
	}
	e := b.exp(Verify, WorkloadVerify, dns.TypeTXT, "", txt)
	e.Doc = docAdd
	e.Note = "the TXT record can be removed once the domain is verified; a domain can be verified in one tenant only"
	alt := b.exp(Verify, WorkloadVerify, dns.TypeMX, "", mx)
	alt.Doc = docAdd
	alt.Note = "for DNS hosts that cannot publish TXT; delete it after verification so it never competes with real MX records"
	e.Alternatives = []Expected{alt}
	if cname != nil {
		leg := b.exp(Verify, WorkloadVerify, dns.TypeCNAME, ms, cname)
		leg.Doc = docAdd
		leg.Note = "legacy form used by syndication partners (Parallels / CloudBlue POA); Microsoft stops retrying verification after a few days, so a domain pending for long must be removed and added again"
		e.Alternatives = append(e.Alternatives, leg)
	}
	return []Expected{e}
}

func (b *builder) exchange() []Expected {
	var mxWant Want
	switch b.cloud {
	case GCCHigh, DoD:
		mxWant = Exact{b.rr("%s. IN MX 0 %s.mail.protection.office365.us.", b.domain, b.tenant)}
	case China:
		mxWant = hostPattern(dns.TypeMX, "MX 0 <token>.mail.protection.partner.outlook.cn",
			regexp.MustCompile(`^[a-z0-9-]+\.mail\.protection\.partner\.outlook\.cn$`),
			b.rr("%s. IN MX 0 %s.mail.protection.partner.outlook.cn.", b.domain, b.dashed()))
	default:
		mxWant = hostPattern(dns.TypeMX, "MX 0 to <token>.mail.protection.outlook.com or <token>.<c>-v1.mx.microsoft (the token is not derivable: take it from the admin center or Graph); legacy mail.eo.outlook.com and mail.protection.outlook.de hosts are accepted",
			regexp.MustCompile(`^[a-z0-9-]+\.(mail\.protection\.outlook\.com|[a-z]-v1\.mx\.microsoft|mail\.eo\.outlook\.com|mail\.protection\.outlook\.de)$`),
			b.rr("%s. IN MX 0 %s.mail.protection.outlook.com.", b.domain, b.dashed()))
	}
	mx := b.exp(MX, WorkloadExchange, dns.TypeMX, "", mxWant)
	mx.Note = "the only MX, at the lowest preference; DANE and DMARC reports need MX to point straight at Microsoft 365"
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
	sp.Doc = docSPF
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
		msoid.Absent = true
		msoid.Want = Pattern{desc: "no msoid CNAME", match: func(rr dns.RR) bool { return false }}
		msoid.Note = "a msoid CNAME breaks Microsoft 365 Apps activation outside 21Vianet"
	}
	return msoid
}

func (b *builder) teams() []Expected {
	fed := b.exp(SIPFederation, WorkloadTeams, dns.TypeSRV, "_sipfederationtls._tcp", Exact{b.rr("%s. IN SRV 100 1 5061 %s.", b.at("_sipfederationtls._tcp"), b.t.sipfed)})
	fed.Doc = docExt
	legacy := []Expected{
		b.exp(SIP, WorkloadTeams, dns.TypeCNAME, "sip", Exact{b.rr("%s. IN CNAME %s.", b.at("sip"), b.t.sipdir)}),
		b.exp(Lyncdiscover, WorkloadTeams, dns.TypeCNAME, "lyncdiscover", Exact{b.rr("%s. IN CNAME %s.", b.at("lyncdiscover"), b.t.webdir)}),
		b.exp(SIPTLS, WorkloadTeams, dns.TypeSRV, "_sip._tls", Exact{b.rr("%s. IN SRV 100 1 443 %s.", b.at("_sip._tls"), b.t.sipdir)}),
	}
	for i := range legacy {
		legacy[i].Doc = docExt
		legacy[i].Optional = !b.opts.Legacy
		legacy[i].Note = "Skype for Business (legacy / hybrid); Teams-only tenants need only the federation SRV"
	}
	return append([]Expected{fed}, legacy...)
}

func (b *builder) intune() []Expected {
	if b.cloud == China {
		return nil // not documented for 21Vianet
	}
	reg := b.exp(EnterpriseRegistration, WorkloadIntune, dns.TypeCNAME, "enterpriseregistration", Exact{b.rr("%s. IN CNAME %s.", b.at("enterpriseregistration"), b.t.registration)})
	reg.Doc = docIntune
	plain := strings.Replace(b.t.enrollment, "enterpriseenrollment-s.", "enterpriseenrollment.", 1)
	enr := b.exp(EnterpriseEnrollment, WorkloadIntune, dns.TypeCNAME, "enterpriseenrollment",
		oneOf(fmt.Sprintf("CNAME %s (preferred) or %s (works, but prompts users)", b.t.enrollment, plain),
			b.rr("%s. IN CNAME %s.", b.at("enterpriseenrollment"), b.t.enrollment),
			b.rr("%s. IN CNAME %s.", b.at("enterpriseenrollment"), plain)))
	enr.Doc = docIntune
	enr.Note = b.t.enrollment + " is preferred; " + plain + " prompts users for their server"
	return []Expected{reg, enr}
}

func (b *builder) dkim() []Expected {
	var out []Expected
	for i, p := range []Purpose{DKIM1, DKIM2} {
		sel := fmt.Sprintf("selector%d", i+1)
		sub := sel + "._domainkey"
		var want Want
		t := regexp.QuoteMeta(b.tenant)
		if b.cloud == Commercial || b.cloud == GCC {
			re := regexp.MustCompile(`^` + sel + `-[a-z0-9-]+\._domainkey\.` + t + `\.(onmicrosoft\.com|[a-z]-v1\.dkim\.mail\.microsoft)$`)
			want = hostPattern(dns.TypeCNAME,
				fmt.Sprintf("CNAME %s-<domain with dots as dashes>._domainkey.%s.onmicrosoft.com, or for domains added since May 2025 %s-*._domainkey.%s.<c>-v1.dkim.mail.microsoft (exact values: Get-DkimSigningConfig)", sel, b.tenant, sel, b.tenant),
				re, b.rr("%s. IN CNAME %s-%s._domainkey.%s.onmicrosoft.com.", b.at(sub), sel, b.dashed(), b.tenant))
		} else {
			re := regexp.MustCompile(`(^|\.)` + t + `\.`)
			want = hostPattern(dns.TypeCNAME,
				fmt.Sprintf("CNAME into the tenant %s (not documented for this cloud: take Selector%dCNAME from Get-DkimSigningConfig)", b.tenant, i+1),
				re, b.rr("%s. IN CNAME %s-%s._domainkey.%s.onmicrosoft.com.", b.at(sub), sel, b.dashed(), b.tenant))
		}
		e := b.exp(p, WorkloadDKIM, dns.TypeCNAME, sub, want)
		e.Doc = docDKIM
		e.Note = "publish both selectors; one signs at a time and rotation switches them"
		out = append(out, e)
	}
	return out
}

func (b *builder) dmarc() []Expected {
	e := b.exp(DMARC, WorkloadDMARC, dns.TypeTXT, "_dmarc", Pattern{
		desc:  "a v=DMARC1 record with an enforcing policy (p=quarantine or p=reject)",
		guess: b.rr("%s. IN TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@%s\"", b.at("_dmarc"), b.domain),
		match: func(rr dns.RR) bool {
			txt := strings.ToLower(strings.ReplaceAll(rrtext.TXT(rr), " ", ""))
			return rr.Header().Rrtype == dns.TypeTXT && strings.HasPrefix(txt, "v=dmarc1") &&
				(strings.Contains(txt, ";p=quarantine") || strings.Contains(txt, ";p=reject"))
		},
	})
	e.Doc = docDMARC
	e.Note = "Microsoft generates no value: start at p=none with rua to see reports, then quarantine, then reject; parked domains: v=DMARC1; p=reject;"
	return []Expected{e}
}
