package zonesrc_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/domainlint/domainlint/zonesrc"
	"github.com/google/go-cmp/cmp"
)

// TestDNSControlBinary renders testdata/dnscontrol/dnsconfig.js to IR with
// a DNSControl binary, when DOMAINLINT_DNSCONTROL names one, and checks
// that the IR gives the BIND file's findings and the records of the
// committed ir-v3.json. DNSControl is not a dependency: build it in a
// throwaway module (`go build github.com/StackExchange/dnscontrol/v3`
// from a module that requires it; v3.31.6 takes about two minutes on two
// cores) and point the variable at it. print-ir runs the JavaScript
// only; it asks no provider.
func TestDNSControlBinary(t *testing.T) {
	bin := os.Getenv("DOMAINLINT_DNSCONTROL")
	if bin == "" {
		t.Skip("DOMAINLINT_DNSCONTROL does not name a dnscontrol binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "print-ir", "--config", "testdata/dnscontrol/dnsconfig.js", "--pretty")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s print-ir: %v\n%s", bin, err, errb.String())
	}
	zones, err := zonesrc.ReadDNSControlIR(&out, "print-ir", "testdata/dnscontrol/dnsconfig.js")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := zonesrc.ReadDNSControlIR(open(t, "testdata/dnscontrol/ir-v3.json"), "ir-v3.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 1 || len(committed) != 1 {
		t.Fatalf("zones: %d, committed %d", len(zones), len(committed))
	}
	data := func(z *zonesrc.Zone) []string {
		var out []string
		for _, r := range z.Records {
			out = append(out, r.Name+" "+r.Type+" "+r.Data)
		}
		return out
	}
	if diff := cmp.Diff(data(committed[0]), data(zones[0])); diff != "" {
		t.Errorf("the binary's IR differs from ir-v3.json (-committed +binary):\n%s", diff)
	}
	bind, err := os.ReadFile("testdata/contoso.example.zone")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := zones[0].MasterFile()
	if diff := cmp.Diff(lintZone(t, string(bind), ""), lintZone(t, text, zones[0].Origin)); diff != "" {
		t.Errorf("findings differ from the BIND file's:\n%s", diff)
	}
}
