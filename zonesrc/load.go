package zonesrc

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/miekg/dns"
)

// Loaded is a zone read from a DNS-as-code source, ready to check: the
// master file the checks read and where each of its lines came from.
type Loaded struct {
	Zone *Zone
	// Text is the master file; Lines maps its lines to the source.
	Text  string
	Lines map[int]Position
	file  *zoneedit.File
}

// Sources turns the paths a user names (-zone, checktest's files) into
// zone sources: RFC 1035 zone files as they are (the first read relative
// to domain when it sets no origin, $INCLUDE allowed under includeRoot or
// its folder), DNS-as-code sources (format, or told by name and content)
// as the zones they describe. The zone of domain comes first.
func Sources(paths []string, format Format, domain, includeRoot string) ([]resolver.ZoneSource, []*Loaded, error) {
	var srcs []resolver.ZoneSource
	var loaded []*Loaded
	for i, path := range paths {
		origin := ""
		if i == 0 {
			origin = domain
		}
		zs, f, err := Open(path, format, origin)
		if err != nil {
			return nil, nil, err
		}
		if f == FormatZone {
			src := resolver.ZoneSource{File: path, AllowInclude: true, IncludeRoot: includeRoot, Domain: origin}
			srcs = append(srcs, src)
			continue
		}
		for _, z := range zs {
			if f == FormatDNSControl {
				// print-ir's positions are relative to where it ran: the
				// IR's folder, as a repository keeps them side by side.
				for i := range z.Records {
					if p := &z.Records[i].Pos; p.File != "" && p.File != path && !filepath.IsAbs(p.File) {
						p.File = filepath.Join(filepath.Dir(path), p.File)
					}
				}
			}
			text, lines := z.MasterFile()
			zf, err := zoneedit.Parse(text, z.Origin)
			if err != nil {
				return nil, nil, err
			}
			srcs = append(srcs, resolver.ZoneSource{Origin: z.Origin, Text: text, File: z.Source, Unknown: z.Unknown()})
			loaded = append(loaded, &Loaded{Zone: z, Text: text, Lines: lines, file: zf})
		}
	}
	if d := strings.ToLower(strings.TrimSuffix(domain, ".")); d != "" {
		if i := slices.IndexFunc(srcs, func(s resolver.ZoneSource) bool {
			return s.Origin != "" && strings.EqualFold(strings.TrimSuffix(s.Origin, "."), d)
		}); i > 0 {
			srcs[0], srcs[i] = srcs[i], srcs[0]
		}
	}
	return srcs, loaded, nil
}

// Locate places a finding at the file and line of the source that wrote
// its record ("" and 0 when none did).
func Locate(loaded []*Loaded, f lint.Finding) (string, int) {
	name := dns.Fqdn(strings.ToLower(f.Name))
	for _, l := range loaded {
		if !dns.IsSubDomain(dns.Fqdn(l.Zone.Origin), name) {
			continue
		}
		if line := l.file.LineOf(f.Name, dns.StringToType[f.Type], f.Record); line > 0 {
			if p, ok := l.Lines[line]; ok {
				return filepath.ToSlash(p.File), p.Line
			}
		}
	}
	return "", 0
}

// Findings are the source-format problems of the loaded zones, by apex
// (no trailing dot): findings of Rules.
func Findings(loaded []*Loaded) map[string][]lint.Finding {
	out := map[string][]lint.Finding{}
	for _, l := range loaded {
		o := strings.ToLower(strings.TrimSuffix(l.Zone.Origin, "."))
		for _, p := range l.Zone.Problems {
			out[o] = append(out[o], p.Finding())
		}
	}
	return out
}
