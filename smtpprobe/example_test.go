package smtpprobe_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/smtpprobe"
)

// A recording made by an earlier probe (here, written by hand) is
// replayed: the same findings, without connecting anywhere.
func ExampleNewReplay() {
	rec, err := smtpprobe.ReadRecording(strings.NewReader(`; domainlint smtp recording 1
host mx1.example.test 10 192.0.2.1:25 no-starttls ehlo
detail EHLO does not offer STARTTLS
end
host mx2.example.test 20 192.0.2.2:25 ok -
starttls
tls 0x0301 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA no-tls12
verify name-matches
end
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := smtpprobe.NewReplay(rec, smtpprobe.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, findings, err := p.Probe(context.Background(), nil, "example.test", smtpprobe.Input{MX: []string{"mx1.example.test", "mx2.example.test"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range rep.Hosts {
		fmt.Println(h.Host, h.Addr, h.Status)
	}
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule, f.Message)
	}
	// Output:
	// mx1.example.test 192.0.2.1:25 no-starttls
	// mx2.example.test 192.0.2.2:25 ok
	// error smtp.tls-version mx2.example.test (192.0.2.2:25): negotiated TLS 1.0 and refuses TLS 1.2 and 1.3: senders that require TLS 1.2 (most) cannot use TLS with it
	// warning smtp.no-starttls mx1.example.test (192.0.2.1:25): EHLO does not offer STARTTLS; mail to it travels in the clear
}
