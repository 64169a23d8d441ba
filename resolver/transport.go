package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// The send and receive path. A question in flight is a flight: the
// caller who asks it first packs its packet and writes it on the server's
// shared UDP socket (a udpMux); the mux's reader goroutine matches each
// answer to its flight by ID and question, unpacks it, and finishes the
// flight (caching the answer and waking every waiter) or sends the next
// try; the same reader expires tries that time out. Only a truncated
// answer (the TCP retry) gets a goroutine of its own; a question that
// finds every MaxInFlight slot taken waits in a queue (slots).

// slots counts the packets in flight against Config.MaxInFlight. A
// flight that finds none free waits in a FIFO queue, and whoever frees a
// slot (the mux's reader, with an answer) sends the next: no goroutine
// per waiting question.
type slots struct {
	mu       sync.Mutex
	free     int
	queue    []*flight
	head     int
	draining bool // a goroutine is sending from the queue
}

// launch sends f's first packet from the caller's goroutine when a slot is
// free and nobody waits before it; it queues f otherwise.
func (c *Client) launch(f *flight) {
	s := &c.slots
	s.mu.Lock()
	if s.free > 0 && s.head == len(s.queue) {
		s.free--
		s.mu.Unlock()
		f.slot = true
		c.attempt(f)
		return
	}
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	c.drain()
}

// release frees f's slot and sends what waits for one.
func (c *Client) release() {
	s := &c.slots
	s.mu.Lock()
	s.free++
	s.mu.Unlock()
	c.drain()
}

// drain sends queued flights while slots are free. One goroutine drains
// at a time: a slot freed meanwhile (a send that fails at once finishes
// its flight) is taken by its loop, not by a nested one. A flight whose
// waiters all left is finished without a slot.
func (c *Client) drain() {
	s := &c.slots
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		return
	}
	s.draining = true
	for s.free > 0 && s.head < len(s.queue) {
		f := s.queue[s.head]
		s.queue[s.head] = nil
		s.head++
		switch {
		case s.head == len(s.queue):
			s.queue, s.head = s.queue[:0], 0
		case s.head >= 1024 && s.head*2 >= len(s.queue):
			n := copy(s.queue, s.queue[s.head:])
			clear(s.queue[n:])
			s.queue, s.head = s.queue[:n], 0
		}
		dead := c.unwanted(f)
		if !dead {
			s.free--
		}
		s.mu.Unlock()
		if dead {
			c.finish(f, nil, c.canceled(f))
		} else {
			f.slot = true
			c.attempt(f)
		}
		s.mu.Lock()
	}
	s.draining = false
	s.mu.Unlock()
}

// attempt sends f's next try, cycling through the servers. Once its packet
// is registered on the server's udpMux, the mux's reader carries on. With
// no try left, or the budget spent, it finishes f with the failure.
func (c *Client) attempt(f *flight) {
	for f.try < c.cfg.Tries {
		if c.unwanted(f) {
			c.finish(f, nil, c.canceled(f))
			return
		}
		i := f.try % len(c.servers)
		server := c.servers[i]
		if c.pace != nil && !f.paced {
			if wait := c.pace[i].reserve(time.Now()); wait > 0 {
				// Not its server's turn yet: sent by a timer when it is.
				f.paced = true
				c.paced.Add(1)
				time.AfterFunc(wait, func() { c.attempt(f) })
				return
			}
		}
		f.paced = false
		if !f.budget.take() {
			c.finish(f, nil, &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Server: server,
				Err: fmt.Errorf("%w (%d packets)", ErrBudget, f.budget.Max())})
			return
		}
		c.sent.Add(1)
		m, err := c.mux(i)
		if err == nil {
			if err = m.send(f); err == nil {
				return
			}
		}
		f.last = &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Server: server, Err: err}
		f.try++
	}
	c.finish(f, nil, f.last)
}

// outcome is what one response says about a flight's question.
type outcome struct {
	truncated bool // retry over TCP
	malformed bool // not a response after all: keep waiting
	rcode     int
	st        *step
	err       error // newStep's: a referral or an unusable answer
}

// handle carries f on after a response from server, which f's owner has
// taken off the mux.
func (c *Client) handle(f *flight, server string, o outcome) {
	if o.truncated {
		c.tcpRetries.Add(1)
		go c.tcp(f, server)
		return
	}
	switch o.rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		if o.err == nil {
			c.finish(f, o.st, nil)
			return
		}
		// A referral or an unusable answer: as a SERVFAIL, another server
		// may do better.
		f.last = &Error{Name: f.k.name, Type: f.k.qtype, Rcode: o.rcode, Server: server, Err: o.err}
	default:
		f.last = &Error{Name: f.k.name, Type: f.k.qtype, Rcode: o.rcode, Server: server, Err: ErrTemporary}
	}
	f.try++
	if len(c.servers) == 1 {
		// The one server gave its answer; asking it again will not help.
		c.finish(f, nil, f.last)
		return
	}
	c.attempt(f)
}

// abandon takes f's packet off the mux it waits on, when every waiter has
// left, and finishes f. When f is not on a mux, its owner finishes it at
// its next step (attempt, the TCP retry, the queue for a slot).
func (c *Client) abandon(f *flight) {
	for i := range c.muxes {
		m := c.muxes[i].Load()
		if m == nil {
			continue
		}
		taken := false
		m.mu.Lock()
		for id, g := range m.pending {
			if g == f {
				delete(m.pending, id)
				taken = true
				break
			}
		}
		m.mu.Unlock()
		if taken {
			c.finish(f, nil, c.canceled(f))
			return
		}
	}
}

// tcpWait takes server's turn under Config.Rate for a TCP retry and
// returns how long to wait for it: 0 without a rate, the servers not
// searched.
func (c *Client) tcpWait(server string) time.Duration {
	if c.pace == nil {
		return 0
	}
	if i := slices.Index(c.servers, server); i >= 0 {
		return c.pace[i].reserve(time.Now())
	}
	return 0
}

// tcp retries f over TCP after a truncated answer from server: one
// connection per exchange, within one try's timeout.
func (c *Client) tcp(f *flight, server string) {
	abort := c.abortChan(f)
	if abort == nil {
		c.finish(f, nil, c.canceled(f))
		return
	}
	if wait := c.tcpWait(server); wait > 0 {
		c.paced.Add(1)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-abort:
			t.Stop()
			c.finish(f, nil, c.canceled(f))
			return
		}
	}
	if !f.budget.take() {
		c.finish(f, nil, &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Server: server,
			Err: fmt.Errorf("%w (%d packets)", ErrBudget, f.budget.Max())})
		return
	}
	c.sent.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	go func() {
		select {
		case <-abort:
			cancel()
		case <-ctx.Done():
		}
	}()
	r, err := c.exchangeTCP(ctx, server, f.k)
	cancel()
	if err != nil {
		if f.dead.Load() {
			c.finish(f, nil, c.canceled(f))
			return
		}
		f.last = &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Server: server, Err: err}
		f.try++
		c.attempt(f)
		return
	}
	c.handle(f, server, msgOutcome(r, f.k))
}

func (c *Client) exchangeTCP(ctx context.Context, server string, k qkey) (*dns.Msg, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return nil, c.classify(ctx, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	// Built by hand: dns.Msg.SetQuestion draws its ID from crypto/rand.
	// A fresh, unpredictable ID per packet (math/rand/v2's generator is
	// ChaCha8 seeded by the system).
	q := &dns.Msg{Question: []dns.Question{{Name: k.name, Qtype: k.qtype, Qclass: dns.ClassINET}}}
	q.Id = uint16(rand.Uint32())
	q.Opcode = dns.OpcodeQuery
	q.RecursionDesired = true
	q.AuthenticatedData = true // RFC 6840 §5.7: ask for the AD bit
	q.SetEdns0(c.cfg.UDPSize, false)
	co := &dns.Conn{Conn: conn, UDPSize: c.cfg.UDPSize}
	if err := co.WriteMsg(q); err != nil {
		return nil, c.classify(ctx, err)
	}
	r, err := co.ReadMsg()
	switch {
	case r == nil:
		return nil, c.classify(ctx, err)
	case err != nil:
		return nil, fmt.Errorf("%w: malformed response: %v", ErrTemporary, err)
	case r.Id != q.Id || !questionMatches(r, q):
		return nil, fmt.Errorf("%w: response does not match the question", ErrTemporary)
	}
	return r, nil
}

// Close closes the Client's shared UDP sockets. The Client stays usable:
// they are opened again when needed. Questions waiting on them are sent
// again (as their next try).
func (c *Client) Close() error {
	c.dialMu.Lock()
	defer c.dialMu.Unlock()
	for i := range c.muxes {
		if m := c.muxes[i].Swap(nil); m != nil {
			m.close()
		}
	}
	return nil
}

func questionMatches(r, q *dns.Msg) bool {
	if len(r.Question) != 1 {
		// A truncated or error response may omit the question.
		return len(r.Question) == 0 && (r.Truncated || r.Rcode != dns.RcodeSuccess)
	}
	a, b := r.Question[0], q.Question[0]
	return a.Qtype == b.Qtype && a.Qclass == b.Qclass && strings.EqualFold(a.Name, b.Name)
}

// classify turns a network error into the context's error where the
// context ended, counting timeouts.
func (c *Client) classify(tctx context.Context, err error) error {
	if cerr := tctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			c.timeouts.Add(1)
		}
		return cerr
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.timeouts.Add(1)
		return context.DeadlineExceeded
	}
	return err
}

// udpMux carries every UDP question to one server over one connected
// socket. Its reader goroutine runs only while answers are awaited (and
// a little after): under load that is one read per answer instead of a
// socket, a poll and a read per question.
type udpMux struct {
	c       *Client
	server  string
	conn    net.Conn
	mu      sync.Mutex
	pending map[uint16]*flight
	reading bool
	closed  bool
	idle    int // scans in a row that found nothing pending
	// batch reads and writes several datagrams per system call (recvmmsg,
	// sendmmsg); nil when conn is no *net.UDPConn.
	batch interface {
		ReadBatch([]ipv4.Message, int) (int, error)
		WriteBatch([]ipv4.Message, int) (int, error)
	}
	// While the reader hands out a batch of answers (delivering), the
	// packets sent meanwhile — mostly by the reader itself, the next
	// questions taking the slots the answers freed — wait in out, and the
	// reader writes them in one system call when it is done.
	delivering bool
	out        []outPacket
	spare      []outPacket // the reader's: out's other buffer
}

// outPacket is a query waiting in udpMux.out for the reader's flush.
type outPacket struct {
	f  *flight
	id uint16
	bp *[]byte // its buffer, from queryBufs
}

// mux returns the shared socket to server i, opening it when needed.
func (c *Client) mux(i int) (*udpMux, error) {
	if m := c.muxes[i].Load(); m != nil {
		return m, nil
	}
	c.dialMu.Lock()
	defer c.dialMu.Unlock()
	if m := c.muxes[i].Load(); m != nil {
		return m, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", c.servers[i])
	if err != nil {
		return nil, c.classify(ctx, err)
	}
	m := &udpMux{c: c, server: c.servers[i], conn: conn, pending: map[uint16]*flight{}}
	if uc, ok := conn.(*net.UDPConn); ok {
		if a, ok := uc.RemoteAddr().(*net.UDPAddr); ok && a.IP.To4() == nil {
			m.batch = ipv6.NewPacketConn(uc)
		} else {
			m.batch = ipv4.NewPacketConn(uc)
		}
	}
	c.muxes[i].Store(m)
	return m, nil
}

func (m *udpMux) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.conn.Close()
}

var queryBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// readBatch is a reader's buffers: 16 datagrams of up to 4 KB (more than
// the EDNS0 size advertised) per system call. Readers come and go with
// the traffic (and a Client per domain has its own), so they share them.
type readBatch struct{ ms []ipv4.Message }

var readBufs = sync.Pool{New: func() any {
	const batch, size = 16, 4096
	rb := &readBatch{ms: make([]ipv4.Message, batch)}
	bufs := make([]byte, batch*size)
	for i := range rb.ms {
		rb.ms[i].Buffers = [][]byte{bufs[i*size : (i+1)*size]}
	}
	return rb
}}

// send registers f under a fresh ID and writes its packet. From the
// registration on, f belongs to whoever takes it off the mux; send takes
// it back only when the write fails (and nobody took it first), and
// finishes it when its waiters left meanwhile.
func (m *udpMux) send(f *flight) error {
	bp := queryBufs.Get().(*[]byte)
	b, err := appendQuery((*bp)[:0], f.k.name, f.k.qtype, m.c.cfg.UDPSize)
	if err != nil {
		queryBufs.Put(bp)
		return err
	}
	*bp = b
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		queryBufs.Put(bp)
		return net.ErrClosed
	}
	var id uint16
	for {
		id = uint16(rand.Uint32())
		if _, taken := m.pending[id]; !taken {
			break
		}
	}
	f.id, f.deadline = id, time.Now().Add(m.c.cfg.Timeout)
	m.pending[id] = f
	binary.BigEndian.PutUint16(b, id)
	if !m.reading {
		m.reading = true
		m.idle = 0
		go m.read()
	}
	if m.delivering {
		m.out = append(m.out, outPacket{f: f, id: id, bp: bp}) // written by the reader's flush
		m.mu.Unlock()
		return nil
	}
	m.mu.Unlock()
	defer queryBufs.Put(bp)
	if _, err := m.conn.Write(b); err != nil {
		if m.take(id, f) {
			return err
		}
		return nil // the reader took it (a failed socket) and carries on
	}
	if f.dead.Load() && m.take(id, f) {
		m.c.finish(f, nil, m.c.canceled(f))
	}
	return nil
}

// take removes f, registered under id, from the pending packets; false
// when someone else took it first.
func (m *udpMux) take(id uint16, f *flight) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending[id] == f {
		delete(m.pending, id)
		return true
	}
	return false
}

// read delivers answers while any are awaited, expires the tries that
// time out, and ends shortly after the last answer (so an idle Client
// holds no goroutine). A packet goes to the question with its ID only when
// its question matches too: a spoofed or late packet is skipped, and so is
// a malformed one, the question still waiting.
func (m *udpMux) read() {
	// Several answers per system call (recvmmsg) when several wait, into
	// buffers larger than the EDNS0 size advertised: a longer datagram is
	// cut short (MSG_TRUNC) and its question retried over TCP.
	rb := readBufs.Get().(*readBatch)
	defer readBufs.Put(rb)
	ms := rb.ms
	pc := m.batch
	var raw *rawBatch
	if pc != nil {
		raw = newRawBatch(m.conn, ms)
	}
	var wb []ipv4.Message // the flush's messages
	every := min(25*time.Millisecond, max(m.c.cfg.Timeout/4, time.Millisecond))
	next := time.Now().Add(every)
	m.conn.SetReadDeadline(next)
	// got hands out n answers read into ms; false when the tries are due
	// to be expired.
	got := func(n int) bool {
		if pc != nil {
			m.mu.Lock()
			m.delivering = true
			m.mu.Unlock()
		}
		for i := range n {
			if b := ms[i].Buffers[0][:ms[i].N]; len(b) >= 12 {
				m.deliver(b, ms[i].Flags&syscall.MSG_TRUNC != 0)
			}
		}
		if pc != nil {
			wb = m.flush(wb)
		}
		return time.Now().Before(next)
	}
	for {
		var n int
		var err error
		switch {
		case raw != nil:
			err = raw.read(got)
		case pc != nil:
			n, err = pc.ReadBatch(ms, 0)
		default:
			ms[0].N, err = m.conn.Read(ms[0].Buffers[0])
			n = 1
		}
		if err != nil {
			var ne net.Error
			if !(errors.As(err, &ne) && ne.Timeout()) {
				// Nothing listens (ICMP port unreachable), or the socket
				// was closed: every question waiting on it fails now (and
				// goes on to its next try) rather than at its timeout.
				m.failAll(err)
				m.mu.Lock()
				if m.closed || len(m.pending) == 0 {
					m.reading = false
					m.mu.Unlock()
					return
				}
				m.mu.Unlock()
			}
			n = 0
		}
		if n > 0 {
			got(n)
		}
		if now := time.Now(); !now.Before(next) {
			if m.expire(now, int(100*time.Millisecond/every)) {
				return
			}
			next = now.Add(every)
			m.conn.SetReadDeadline(next)
		}
	}
}

// flush ends the reader's delivery: the packets sent meanwhile are
// written, several per system call (sendmmsg). One that cannot be written
// goes on to its question's next try, as a failed write does. wb is the
// reader's message slice, returned for reuse.
func (m *udpMux) flush(wb []ipv4.Message) []ipv4.Message {
	m.mu.Lock()
	out := m.out
	m.out, m.delivering = m.spare[:0], false
	m.mu.Unlock()
	m.spare = out
	if len(out) == 0 {
		return wb
	}
	if len(wb) < len(out) {
		wb = append(wb, make([]ipv4.Message, len(out)-len(wb))...)
	}
	for i, p := range out {
		if wb[i].Buffers == nil {
			wb[i].Buffers = make([][]byte, 1)
		}
		wb[i].Buffers[0] = *p.bp
	}
	sent := 0
	for sent < len(out) {
		k, err := m.batch.WriteBatch(wb[sent:len(out)], 0)
		if err != nil {
			for _, p := range out[sent:] {
				if m.take(p.id, p.f) {
					p.f.last = &Error{Name: p.f.k.name, Type: p.f.k.qtype, Rcode: -1, Server: m.server, Err: err}
					p.f.try++
					m.c.attempt(p.f)
				}
			}
			break
		}
		sent += k
	}
	for i, p := range out {
		// As send does after its write: a flight whose waiters left
		// between attempt's look and its registration (abandon did not
		// find it on the mux yet) is finished now, not at its timeout.
		if i < sent && p.f.dead.Load() && m.take(p.id, p.f) {
			m.c.finish(p.f, nil, m.c.canceled(p.f))
		}
		queryBufs.Put(p.bp)
		wb[i].Buffers[0] = nil
		out[i] = outPacket{}
	}
	return wb
}

// deliver hands the packet b to the question with its ID, when its
// question matches too. cut: the datagram was longer than the buffer.
func (m *udpMux) deliver(b []byte, cut bool) {
	id := binary.BigEndian.Uint16(b)
	m.mu.Lock()
	f := m.pending[id]
	m.mu.Unlock()
	if f == nil || !rawQuestionMatches(b, f.k.name, f.k.qtype) {
		return
	}
	o := outcome{truncated: true}
	if !cut {
		o = parseReply(b, f.k)
	}
	if o.malformed || !m.take(id, f) {
		return
	}
	m.c.handle(f, m.server, o)
}

// expire sends the next try of every question whose try timed out. It
// reports true, the reader stopped, after idleScans scans in a row found
// nothing pending.
func (m *udpMux) expire(now time.Time, idleScans int) bool {
	var out []*flight
	m.mu.Lock()
	for id, f := range m.pending {
		if !now.Before(f.deadline) {
			delete(m.pending, id)
			out = append(out, f)
		}
	}
	if len(m.pending) == 0 && len(out) == 0 {
		m.idle++
		if m.idle >= idleScans || m.closed {
			m.reading = false
			m.mu.Unlock()
			return true
		}
	} else {
		m.idle = 0
	}
	m.mu.Unlock()
	for _, f := range out {
		m.c.timeouts.Add(1)
		f.last = &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Server: m.server, Err: context.DeadlineExceeded}
		f.try++
		m.c.attempt(f)
	}
	return false
}

func (m *udpMux) failAll(err error) {
	m.mu.Lock()
	out := make([]*flight, 0, len(m.pending))
	for id, f := range m.pending {
		delete(m.pending, id)
		out = append(out, f)
	}
	m.mu.Unlock()
	for _, f := range out {
		f.last = &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Server: m.server, Err: err}
		f.try++
		m.c.attempt(f)
	}
}

// appendQuery appends the query for name/qtype with ID 0, as
// dns.Msg.Pack would pack it: RD and AD set (RFC 6840 §5.7: ask for the
// AD bit), an EDNS0 OPT record advertising udpSize, no DO bit.
func appendQuery(b []byte, name string, qtype, udpSize uint16) ([]byte, error) {
	b = append(b, 0, 0, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1)
	n := len(b)
	if cap(b)-n < len(name)+2 {
		b = append(b, make([]byte, len(name)+2)...)
	}
	off, err := dns.PackDomainName(name, b[:cap(b)], n, nil, false)
	if err != nil {
		return nil, err
	}
	b = b[:off]
	b = append(b, byte(qtype>>8), byte(qtype), 0, byte(dns.ClassINET))
	return append(b, 0, 0, byte(dns.TypeOPT), byte(udpSize>>8), byte(udpSize), 0, 0, 0, 0, 0, 0), nil
}

// rawQuestionMatches reports whether a packet not yet unpacked asks
// name/qtype in class IN, or asks nothing as a truncated or error
// response may.
func rawQuestionMatches(b []byte, name string, qtype uint16) bool {
	qd := binary.BigEndian.Uint16(b[4:6])
	if qd != 1 {
		truncated, rcode := b[2]&0x02 != 0, b[3]&0x0f
		return qd == 0 && (truncated || rcode != dns.RcodeSuccess)
	}
	off, ok := wireNameIs(b, 12, name)
	if !ok || off+4 > len(b) {
		return false
	}
	return binary.BigEndian.Uint16(b[off:]) == qtype && binary.BigEndian.Uint16(b[off+2:]) == dns.ClassINET
}

// wireNameIs reports whether the uncompressed name at b[off:] is name (an
// FQDN in presentation form), ignoring ASCII case, and where it ends.
// Names with escapes or compression pointers are unpacked to compare.
func wireNameIs(b []byte, off int, name string) (int, bool) {
	slow := func() (int, bool) {
		got, end, err := dns.UnpackDomainName(b, off)
		return end, err == nil && strings.EqualFold(got, name)
	}
	if strings.IndexByte(name, '\\') >= 0 {
		return slow()
	}
	rest := name
	if rest == "." {
		rest = ""
	}
	for p := off; ; {
		if p >= len(b) {
			return 0, false
		}
		l := int(b[p])
		if l == 0 {
			return p + 1, rest == ""
		}
		if l&0xc0 != 0 {
			return slow()
		}
		if strings.IndexByte(rest, '.') != l || p+1+l > len(b) {
			return 0, false
		}
		for i := range l {
			x, y := b[p+1+i], rest[i]
			if 'A' <= x && x <= 'Z' {
				x += 'a' - 'A'
			}
			if 'A' <= y && y <= 'Z' {
				y += 'a' - 'A'
			}
			if x != y {
				return 0, false
			}
		}
		rest = rest[l+1:]
		p += 1 + l
	}
}

// parseReply reads a response to k from its wire form. The common shapes
// (answers of the type asked or CNAMEs, SOAs in the authority section) are
// read in one pass that unpacks only the records kept; anything else is
// unpacked whole by miekg/dns and read by newStep as before.
func parseReply(b []byte, k qkey) outcome {
	if b[2]&0x02 != 0 {
		return outcome{truncated: true}
	}
	if o, ok := fastReply(b, k); ok {
		return o
	}
	r := new(dns.Msg)
	if err := r.Unpack(b); err != nil {
		return outcome{malformed: true}
	}
	return msgOutcome(r, k)
}

func msgOutcome(r *dns.Msg, k qkey) outcome {
	o := outcome{rcode: r.Rcode}
	if r.Rcode == dns.RcodeSuccess || r.Rcode == dns.RcodeNameError {
		o.st, o.err = newStep(r, k.name, k.qtype)
	}
	return o
}

// fastReply is parseReply's one pass; false sends the packet the whole
// way.
func fastReply(b []byte, k qkey) (outcome, bool) {
	if len(b) < 12 {
		return outcome{}, false
	}
	qd, an := int(binary.BigEndian.Uint16(b[4:])), int(binary.BigEndian.Uint16(b[6:]))
	ns, ar := int(binary.BigEndian.Uint16(b[8:])), int(binary.BigEndian.Uint16(b[10:]))
	rcode := int(b[3] & 0x0f)
	off := 12
	for range qd {
		if off = skipName(b, off); off < 0 || off+4 > len(b) {
			return outcome{}, false
		}
		off += 4
	}
	var answer, auth []dns.RR
	for range an {
		end, typ, class, _, ok := rrBounds(b, off)
		if !ok || class != dns.ClassINET || (typ != k.qtype && typ != dns.TypeCNAME) {
			return outcome{}, false
		}
		rr, off1, err := dns.UnpackRR(b, off)
		if err != nil || off1 != end {
			return outcome{}, false
		}
		answer = append(answer, rr)
		off = end
	}
	sawNS := false
	for range ns {
		end, typ, _, _, ok := rrBounds(b, off)
		if !ok {
			return outcome{}, false
		}
		switch typ {
		case dns.TypeSOA:
			rr, off1, err := dns.UnpackRR(b, off)
			if _, soa := rr.(*dns.SOA); err != nil || off1 != end || !soa {
				return outcome{}, false
			}
			auth = append(auth, rr)
		case dns.TypeNS:
			sawNS = true
		}
		off = end
	}
	if len(answer) == 0 && sawNS && len(auth) == 0 {
		return outcome{}, false // a referral: newStep says so from the whole message
	}
	for range ar {
		end, typ, _, ttl, ok := rrBounds(b, off)
		if !ok {
			return outcome{}, false
		}
		if typ == dns.TypeOPT {
			rcode = int(b[3]&0x0f) | int(ttl>>24)<<4 // the extended RCODE, as miekg/dns reads it
		}
		off = end
	}
	o := outcome{rcode: rcode}
	if rcode == dns.RcodeSuccess || rcode == dns.RcodeNameError {
		m := dns.Msg{Answer: answer, Ns: auth}
		m.Rcode, m.AuthenticatedData = rcode, b[3]&0x20 != 0
		o.st, o.err = newStep(&m, k.name, k.qtype)
	}
	return o, true
}

// skipName returns the offset after the name at b[off:], or -1.
func skipName(b []byte, off int) int {
	for range 128 {
		if off >= len(b) {
			return -1
		}
		l := int(b[off])
		switch l & 0xc0 {
		case 0:
			if l == 0 {
				return off + 1
			}
			off += 1 + l
		case 0xc0:
			if off+2 > len(b) {
				return -1
			}
			return off + 2
		default:
			return -1
		}
	}
	return -1
}

// rrBounds reads the header of the record at b[off:]: where the record
// ends, its type, class and TTL.
func rrBounds(b []byte, off int) (end int, typ, class uint16, ttl uint32, ok bool) {
	p := skipName(b, off)
	if p < 0 || p+10 > len(b) {
		return 0, 0, 0, 0, false
	}
	typ, class = binary.BigEndian.Uint16(b[p:]), binary.BigEndian.Uint16(b[p+2:])
	ttl = binary.BigEndian.Uint32(b[p+4:])
	end = p + 10 + int(binary.BigEndian.Uint16(b[p+8:]))
	if end > len(b) {
		return 0, 0, 0, 0, false
	}
	return end, typ, class, ttl, true
}
