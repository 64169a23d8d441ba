package zoneedit

import (
	"strings"
	"testing"

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
		"@\t3600\tIN\tTXT\t\"v=spf1 include:sendgrid.net include:spf.protection.outlook.com ~all\"\n", 1)
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
