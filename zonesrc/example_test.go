package zonesrc_test

import (
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/zonesrc"
)

// An octoDNS zone becomes the master file the checks read; each record
// line maps back to the YAML line that wrote it, and what octoDNS would
// refuse is a problem at its place.
func ExampleReadOctoDNS() {
	z, err := zonesrc.ReadOctoDNS(strings.NewReader(`'':
  - type: TXT
    value: v=spf1 include:spf.protection.outlook.com -all
_dmarc:
  type: TXT
  value: v=DMARC1; p=reject
`), "contoso.example.yaml", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range z.Problems {
		fmt.Println(p.Pos, p.Rule)
	}
	text, lines := z.MasterFile()
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if pos, ok := lines[i+1]; ok {
			fmt.Printf("%s <- %s\n", line, pos)
		}
	}
	// Output:
	// contoso.example.yaml:6:10 zonesrc.octodns-unescaped-semicolon
	// contoso.example. 3600 IN TXT "v=spf1 include:spf.protection.outlook.com -all" <- contoso.example.yaml:3:12
	// _dmarc.contoso.example. 3600 IN TXT "v=DMARC1; p=reject" <- contoso.example.yaml:6:10
}
