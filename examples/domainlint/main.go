// Command domainlint lints a domain's DNS for mail authentication and for
// Microsoft 365.
//
// With no arguments it lints contoso.com from an embedded example zone,
// offline, so a first run shows real output with no network.
//
//	domainlint [flags] [domain ...]
//
// Exit status: 0 no error findings; 1 error findings; 2 usage or I/O failure.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

//go:embed zones/*.zone
var embedded embed.FS

const exampleDomain = "contoso.com"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type options struct {
	zones   listFlag
	server  string
	format  string
	timeout time.Duration
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "domainlint: "+format+"\n", args...)
	return 2
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("domainlint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.Var(&o.zones, "zone", "answer from this zone `file` instead of DNS (repeatable)")
	fs.StringVar(&o.server, "server", "", "query this DNS server, `host:port` (default: /etc/resolv.conf)")
	fs.StringVar(&o.format, "format", "text", "output format: text | json")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time allowed per domain")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: domainlint [flags] [domain ...]\n\nWith no domain, lints the embedded example zone for %s, offline.\n\nflags:\n", exampleDomain)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch o.format {
	case "text", "json":
	default:
		return usageError(stderr, "unknown -format %q (want text or json)", o.format)
	}
	domains := fs.Args()
	var r resolver.Resolver
	switch {
	case len(o.zones) > 0:
		srcs := make([]resolver.ZoneSource, len(o.zones))
		for i, z := range o.zones {
			srcs[i] = resolver.ZoneSource{File: z}
		}
		zr, err := resolver.NewZones(srcs...)
		if err != nil {
			return usageError(stderr, "%v", err)
		}
		r = zr
	case len(domains) == 0:
		zr, err := exampleZones()
		if err != nil {
			return usageError(stderr, "embedded zones: %v", err)
		}
		r = zr
		domains = []string{exampleDomain}
		if o.format == "text" {
			fmt.Fprintf(stdout, "No domain given: linting the embedded example zone for %s (offline).\nRun `domainlint example.org` to lint a live domain.\n\n", exampleDomain)
		}
	default:
		cfg := resolver.Config{}
		if o.server != "" {
			cfg.Servers = []string{o.server}
		}
		c, err := resolver.New(cfg)
		if err != nil {
			return usageError(stderr, "%v", err)
		}
		r = c
	}
	if len(domains) == 0 {
		return usageError(stderr, "no domain given")
	}

	status := 0
	enc := json.NewEncoder(stdout)
	for _, d := range domains {
		dctx, cancel := context.WithTimeout(ctx, o.timeout)
		rep, findings, err := spf.Lint(dctx, r, d)
		cancel()
		if err != nil {
			fmt.Fprintf(stderr, "domainlint: %s: %v\n", d, err)
			status = max(status, 2)
			continue
		}
		if lint.Count(findings, lint.Error) > 0 {
			status = max(status, 1)
		}
		switch o.format {
		case "json":
			enc.Encode(struct {
				Domain   string         `json:"domain"`
				Findings []lint.Finding `json:"findings"`
				SPFTree  *spf.Report    `json:"spf_tree"`
			}{d, findings, rep})
		default:
			fmt.Fprintf(stdout, "== %s\n\nSPF\n", d)
			fmt.Fprint(stdout, indent(rep.Tree(), "  "))
			fmt.Fprintln(stdout, "\nFindings")
			for _, f := range findings {
				where := ""
				if f.Name != d {
					where = " [" + f.Name + "]"
				}
				fmt.Fprintf(stdout, "  %-7s %-24s %s%s\n", f.Severity, f.Rule, f.Message, where)
			}
			fmt.Fprintln(stdout)
		}
	}
	return status
}

func indent(s, pad string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(pad + l)
		}
	}
	return b.String()
}

func exampleZones() (*resolver.Zones, error) {
	read := func(name string) (string, error) {
		b, err := embedded.ReadFile("zones/" + name)
		return string(b), err
	}
	contoso, err := read("contoso.com.zone")
	if err != nil {
		return nil, err
	}
	providers, err := read("providers.zone")
	if err != nil {
		return nil, err
	}
	return resolver.NewZones(
		resolver.ZoneSource{File: "contoso.com.zone", Text: contoso},
		resolver.ZoneSource{Origin: ".", File: "providers.zone", Text: providers},
	)
}
