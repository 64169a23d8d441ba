package resolver_test

import (
	"context"
	"testing"

	"github.com/miekg/dns"
)

// TestOversizedDatagram: a server that ignores the EDNS0 size advertised
// and sends an answer longer than the client's receive buffers over UDP
// (without TC) gets the question again over TCP, not a timeout.
func TestOversizedDatagram(t *testing.T) {
	h := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		return []*dns.Msg{reply(q, true, oneOctetTXT(q.Question[0].Name, 3000))}
	})
	c := hostileClient(t, h, nil)
	a, err := c.Lookup(context.Background(), "big.example", dns.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != 1 || len(a.Records[0].(*dns.TXT).Txt) != 3000 {
		t.Fatalf("answer: %d records", len(a.Records))
	}
	if st := c.Stats(); st.TCPRetries != 1 || st.Sent != 2 {
		t.Errorf("stats %+v, want one UDP packet and its TCP retry", st)
	}
}
