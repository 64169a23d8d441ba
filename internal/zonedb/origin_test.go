package zonedb

import (
	"strings"
	"testing"
)

// TestOriginAsServersTakeIt: the apex of a file whose origin is not
// configured, as BIND and Knot take it from their configuration (the
// domain), gdnsd from the file's name, and every file from an absolute
// SOA.
func TestOriginAsServersTakeIt(t *testing.T) {
	const soaRel = "@ IN SOA ns.example.net. h.example.org. ( 1 3600 600 1209600 3600 )\n"
	for _, tc := range []struct {
		name, file, domain, text string
		apex                     string // "" for an error
		err                      string
		problems                 []ProblemKind
	}{
		{"no $ORIGIN, domain given", "z", "example.org", "$TTL 1800\n" + soaRel + "@ IN NS ns.example.net.\nwww IN A 192.0.2.1\n", "example.org.", "", nil},
		{"absolute SOA then @", "z", "example.org", "$TTL 1800\nexample.org. IN SOA ns.example.net. h.example.org. 1 3600 600 1209600 3600\n@ IN NS ns.example.net.\n", "example.org.", "", nil},
		{"absolute SOA, no domain", "z", "", "example.org. IN SOA ns.example.net. h.example.org. 1 3600 600 1209600 3600\n@ IN NS ns.example.net.\nwww IN A 192.0.2.1\n", "example.org.", "", nil},
		{"parent's file for a subdomain", "z", "sub.example.org", "example.org. IN SOA ns.example.net. h.example.org. 1 3600 600 1209600 3600\n@ IN NS ns.example.net.\nsub IN TXT \"v=spf1 -all\"\n", "example.org.", "", nil},
		{"file named for the parent", "example.org.zone", "sub.example.org", soaRel + "@ IN NS ns.example.net.\nsub IN TXT \"v=spf1 -all\"\n", "example.org.", "", nil},
		{"file named, no domain", "db.example.org", "", soaRel + "@ IN NS ns.example.net.\n", "example.org.", "", nil},
		{"no origin at all", "z", "", soaRel, "", "SOA record's owner is the root", nil},
		{"SOA of another zone", "z", "example.org", "other.test. IN SOA ns.example.net. h.example.org. 1 3600 600 1209600 3600\n", "", "zone of other.test, which does not hold example.org", nil},
		{"$ORIGIN . export", "z", "example.org", "$ORIGIN .\n" + soaRel + "$ORIGIN example.org.\n@ IN NS ns.example.net.\n", "example.org.", "", []ProblemKind{MissingSOA}},
		// Cloudflare's export: no $ORIGIN, the SOA's owner the apex's name
		// without its dot (servers read example.org.example.org.), the
		// rest absolute.
		{"SOA owner without its dot, domain given", "z", "example.org", "example.org\t3600\tIN\tSOA\tns.example.net. h.example.org. 1 10000 2400 604800 3600\nexample.org.\t86400\tIN\tNS\tns.example.net.\n", "example.org.", "", []ProblemKind{MissingSOA}},
		{"SOA owner without its dot, file named", "example.org.txt", "", "example.org\t3600\tIN\tSOA\tns.example.net. h.example.org. 1 10000 2400 604800 3600\nexample.org.\t86400\tIN\tNS\tns.example.net.\n", "example.org.", "", []ProblemKind{MissingSOA}},
		{"SOA owner without its dot, nothing named", "export.txt", "", "example.org\t3600\tIN\tSOA\tns.example.net. h.example.org. 1 10000 2400 604800 3600\nexample.org.\t86400\tIN\tNS\tns.example.net.\n", "example.org.", "", []ProblemKind{MissingSOA}},
		{"root zone written as such", "z", "", ". IN SOA ns.root.test. h.root.test. 1 3600 600 86400 300\n. IN NS ns.root.test.\nns.root.test. IN A 192.0.2.1\n", ".", "", nil},
		// Every name is inside the root zone: its NS needs an address there
		// (BIND: "NS 'ns.root.test' has no address records", not loaded).
		{"root zone without its server's address", "z", "", ". IN SOA ns.root.test. h.root.test. 1 3600 600 86400 300\n. IN NS ns.root.test.\n", ".", "", []ProblemKind{NSNoAddress}},
		{"out of zone ignored", "z", "example.org", soaRel + "@ IN NS ns.example.net.\nother.example.net. IN A 192.0.2.1\n", "example.org.", "", []ProblemKind{OutOfZone}},
		{"no NS", "z", "example.org", soaRel, "example.org.", "", []ProblemKind{MissingNS}},
		{"CNAME and other data", "z", "example.org", soaRel + "@ IN NS ns.example.net.\nshop IN CNAME s.example.net.\nshop IN A 192.0.2.1\n", "example.org.", "", []ProblemKind{CNAMEAndOtherData}},
		{"two CNAMEs", "z", "example.org", soaRel + "@ IN NS ns.example.net.\nshop IN CNAME s.example.net.\nshop IN CNAME t.example.net.\n", "example.org.", "", []ProblemKind{CNAMEAndOtherData}},
		{"placeholder NS", "z", "example.org", soaRel + "@ IN NS REPLACE&ME$WITH^YOUR@NAMESERVER.\n", "", "line 2: invalid character \"&\"", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(Source{File: tc.file, Text: []byte(tc.text), Domain: tc.domain})
			if tc.apex == "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if z.Origin != tc.apex {
				t.Errorf("apex %s, want %s", z.Origin, tc.apex)
			}
			var kinds []ProblemKind
			for _, p := range z.Problems {
				kinds = append(kinds, p.Kind)
			}
			if strings.Join(toStrings(kinds), ",") != strings.Join(toStrings(tc.problems), ",") {
				t.Errorf("problems %v, want %v", z.Problems, tc.problems)
			}
			if strings.Contains(tc.name, "without its dot") && (len(z.Problems) == 0 || z.Problems[0].Line != 1 || !strings.Contains(z.Problems[0].Message, "written example.org, without its trailing dot")) {
				t.Errorf("problems %+v: the SOA's owner not named", z.Problems)
			}
		})
	}
}

func toStrings(ks []ProblemKind) []string {
	var out []string
	for _, k := range ks {
		out = append(out, string(k))
	}
	return out
}
