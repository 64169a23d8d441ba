package zoneedit

import (
	"github.com/domainlint/domainlint/internal/zonedb"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/lint"
	"github.com/miekg/dns"
)

const zone = `; fabrikam.com
$ORIGIN fabrikam.com.
$TTL 3600
@       IN SOA ns1 hostmaster ( 1 3600
                600 1209600 300 )
@       IN MX  0 fabrikam-com.mail.protection.outlook.com.
        IN MX  10 mail          ; the old gateway
@       IN TXT "v=spf1 include:sendgrid.net" " ~all" ; two strings
www     IN A   192.0.2.80
$ORIGIN sub.fabrikam.com.
x       IN A   192.0.2.1
`

func TestLines(t *testing.T) {
	f, err := Parse(zone, "fabrikam.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rr   string
		line int
	}{
		{"fabrikam.com. IN MX 10 mail.fabrikam.com.", 7},
		{"fabrikam.com. 60 IN MX 0 fabrikam-com.mail.protection.outlook.com.", 6},
		{"www.fabrikam.com. IN A 192.0.2.80", 9},
		{"x.sub.fabrikam.com. IN A 192.0.2.1", 11},
		{"fabrikam.com. IN SOA ns1.fabrikam.com. hostmaster.fabrikam.com. 1 3600 600 1209600 300", 4},
		{"nowhere.fabrikam.com. IN A 192.0.2.1", 0},
	} {
		rr, err := dns.NewRR(tc.rr)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Line(rr); got != tc.line {
			t.Errorf("Line(%s) = %d, want %d", tc.rr, got, tc.line)
		}
	}
	if got := f.LineOf("fabrikam.com", dns.TypeTXT, "v=spf1 include:sendgrid.net ~all"); got != 8 {
		t.Errorf("LineOf TXT = %d", got)
	}
}

func TestApply(t *testing.T) {
	f, _ := Parse(zone, "fabrikam.com")
	err := f.Apply("fabrikam.com", []lint.Edit{
		{Op: lint.Delete, RR: "fabrikam.com. 3600 IN MX 10 mail.fabrikam.com."},
		{Op: lint.Delete, RR: `fabrikam.com. 3600 IN TXT "v=spf1 include:sendgrid.net" " ~all"`},
		{Op: lint.Add, RR: `fabrikam.com. 3600 IN TXT "v=spf1 include:sendgrid.net include:spf.protection.outlook.com ~all"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := f.String()
	want := strings.Replace(strings.Replace(zone, "        IN MX  10 mail          ; the old gateway\n", "", 1),
		`@       IN TXT "v=spf1 include:sendgrid.net" " ~all" ; two strings`+"\n",
		// In place, in the line's own style, with its comment.
		`@       IN TXT "v=spf1 include:sendgrid.net include:spf.protection.outlook.com ~all" ; two strings`+"\n", 1)
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// All or none: a deletion that matches nothing applies nothing.
	before := f.String()
	if err := f.Apply("fabrikam.com", []lint.Edit{{Op: lint.Add, RR: "y.fabrikam.com. 60 IN A 192.0.2.9"}, {Op: lint.Delete, RR: "gone.fabrikam.com. 60 IN A 192.0.2.9"}}); err == nil || f.String() != before {
		t.Errorf("a partial fix was applied: %v", err)
	}
	if err := f.Apply("fabrikam.com", []lint.Edit{{Op: lint.Add, RR: "x.other.example. 60 IN TXT \"v=DMARC1\""}}); err == nil {
		t.Error("a record outside the zone was added")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(zone)
	f.Add("@ IN TXT \"(\" ; )\n ( \n")
	f.Fuzz(func(t *testing.T, text string) {
		z, err := Parse(text, "example.com")
		if err != nil {
			return
		}
		if z.String() != text {
			t.Fatalf("unedited text changed")
		}
	})
}

// TestBlankOwnerKept: deleting the record whose owner the next lines
// inherit must not hand them to the owner before it.
func TestBlankOwnerKept(t *testing.T) {
	const z = `$ORIGIN ex.example.
@    IN SOA ns h 1 2 3 4 5
www  IN A   192.0.2.80
@    IN MX  10 oldmail.ex.example.
     IN MX  0 ex-example.mail.protection.outlook.com.
     IN TXT "v=spf1 -all"
`
	f, _ := Parse(z, "ex.example")
	if err := f.Apply("ex.example", []lint.Edit{{Op: lint.Delete, RR: "ex.example. 3600 IN MX 10 oldmail.ex.example."}, {Op: lint.Add, RR: "www.ex.example. 60 IN AAAA 2001:db8::80"}}); err != nil {
		t.Fatal(err)
	}
	g, err := Parse(f.String(), "ex.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range []string{"ex.example. IN MX 0 ex-example.mail.protection.outlook.com.", `ex.example. IN TXT "v=spf1 -all"`, "www.ex.example. IN A 192.0.2.80", "www.ex.example. IN AAAA 2001:db8::80"} {
		r, _ := dns.NewRR(rr)
		if g.Line(r) == 0 {
			t.Errorf("after the edit, %s is gone or moved:\n%s", rr, f.String())
		}
	}
}

// TestEditsAsAPersonMakesThem: a replaced record keeps its line; a file
// that writes absolute owners gets absolute owners; the serial is bumped
// as a date or by one; a byte order mark hides no $ORIGIN.
func TestEditsAsAPersonMakesThem(t *testing.T) {
	const abs = "example.org. 3600 IN SOA ns.example.net. h.example.org. ( 2024010101 3600 600 1209600 300 )\nexample.org. 3600 IN NS ns.example.net.\nexample.org. 3600 IN TXT \"v=spf1 -all\"\n"
	f, _ := Parse(abs, "example.org")
	if err := f.Apply("example.org", []lint.Edit{{Op: lint.Add, RR: "_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=reject\""}}); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	if old, new, ok := f.BumpSerial(today); !ok || old != 2024010101 || new != 2026120400 {
		t.Errorf("serial %d -> %d, %v", old, new, ok)
	}
	got := f.String()
	if !strings.Contains(got, "\n_dmarc.example.org. 3600 IN TXT \"v=DMARC1; p=reject\"") || !strings.Contains(got, "( 2026120400 3600") {
		t.Errorf("absolute style or serial:\n%s", got)
	}
	for _, tc := range []struct{ old, want uint32 }{{2026120400, 2026120401}, {2026120499, 2026120500}, {7, 8}, {2099010100, 2099010101},
		// RFC 1982 wraps past 4294967295; 0 is skipped, as BIND skips it.
		{4294967295, 1}, {4294967294, 4294967295}} {
		if got := nextSerial(tc.old, today); got != tc.want {
			t.Errorf("nextSerial(%d) = %d, want %d", tc.old, got, tc.want)
		}
	}
	// BOM then $ORIGIN sub…, a later $ORIGIN: the deletion removes the
	// record of the name asked, no other.
	bom := "\ufeff$ORIGIN sub.za.adv.\n@ IN TXT \"v=spf1 -all\"\n$ORIGIN za.adv.\n@ IN TXT \"v=spf1 -all\"\n"
	g, _ := Parse(bom, "za.adv")
	if err := g.Apply("za.adv", []lint.Edit{{Op: lint.Delete, RR: "za.adv. 3600 IN TXT \"v=spf1 -all\""}}); err != nil {
		t.Fatal(err)
	}
	if out := g.String(); !strings.HasPrefix(out, "\ufeff$ORIGIN sub.za.adv.\n@ IN TXT") || strings.Count(out, "v=spf1") != 1 {
		t.Errorf("BOM file:\n%q", out)
	}
}

// TestPlace: a finding goes to its record's line; a missing record's to
// where its fix adds it; one with neither to the SOA's line.
func TestPlace(t *testing.T) {
	const text = `$ORIGIN example.org.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 900 1209600 3600
@    NS  ns1
ns1  A   192.0.2.53
www  A   192.0.2.80
`
	f, err := Parse(text, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    lint.Finding
		want int
	}{
		{lint.Finding{Name: "www.example.org", Type: "A"}, 6},
		{lint.Finding{Name: "ns1.example.org", Type: "AAAA", Fixes: []lint.Fix{lint.EditFix("add", lint.Edit{Op: lint.Add, RR: "ns1.example.org. 3600 IN AAAA 2001:db8::53"})}}, 5},
		{lint.Finding{Name: "_dmarc.example.org", Type: "TXT"}, 3},
	} {
		if got := f.Place(tc.f, "example.org"); got != tc.want {
			t.Errorf("%s %s: line %d, want %d", tc.f.Name, tc.f.Type, got, tc.want)
		}
	}
}

// TestReadFileBounded: a file past the loader's size bound is refused,
// not read whole.
func TestReadFileBounded(t *testing.T) {
	path := t.TempDir() + "/big.zone"
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(zonedb.DefaultMaxBytes + 1); err != nil { // sparse
		t.Fatal(err)
	}
	f.Close()
	if _, _, err := ReadFile(path, "example.org"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("ReadFile of a file past the bound: %v", err)
	}
}
