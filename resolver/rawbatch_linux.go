//go:build linux && (amd64 || arm64)

package resolver

import (
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/net/ipv4"
)

// mmsghdr is struct mmsghdr of recvmmsg(2) on 64-bit Linux.
type mmsghdr struct {
	hdr syscall.Msghdr
	n   uint32
	_   [4]byte
}

// rawBatch reads datagrams with recvmmsg(2) on the socket itself, inside
// one wait of the runtime's poller: after a batch that emptied the
// socket's queue, the reader waits for the next datagram at once instead
// of asking the kernel again and being told EAGAIN (ipv4.PacketConn's
// ReadBatch costs that second system call on every wakeup, and parses a
// source address for every datagram, which a connected socket does not
// need).
type rawBatch struct {
	rc   syscall.RawConn
	ms   []ipv4.Message
	hdrs []mmsghdr
	iovs []syscall.Iovec
}

func newRawBatch(c net.Conn, ms []ipv4.Message) *rawBatch {
	uc, ok := c.(*net.UDPConn)
	if !ok {
		return nil
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawBatch{rc: rc, ms: ms, hdrs: make([]mmsghdr, len(ms)), iovs: make([]syscall.Iovec, len(ms))}
	for i := range ms {
		b := ms[i].Buffers[0]
		r.iovs[i].Base = &b[0]
		r.iovs[i].SetLen(len(b))
		r.hdrs[i].hdr.Iov = &r.iovs[i]
		r.hdrs[i].hdr.Iovlen = 1
	}
	return r
}

// read reads batches and hands each to got (ms[:n], with N and Flags set)
// until got returns false or reading fails (a read deadline, a socket
// error). A batch that leaves the queue empty (fewer datagrams than ms
// holds) is followed by a wait, not a read: a datagram that arrives after
// it marks the socket ready, and the wait returns at once.
func (r *rawBatch) read(got func(n int) bool) error {
	var rerr error
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			for i := range r.hdrs {
				r.hdrs[i].hdr.Flags = 0
				r.hdrs[i].n = 0
			}
			n, _, errno := syscall.Syscall6(syscall.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(r.hdrs)), 0, 0, 0)
			switch errno {
			case 0:
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			default:
				rerr = &net.OpError{Op: "read", Net: "udp", Err: errno}
				return true
			}
			for i := range int(n) {
				r.ms[i].N = int(r.hdrs[i].n)
				r.ms[i].Flags = int(r.hdrs[i].hdr.Flags)
			}
			if !got(int(n)) {
				return true
			}
			if int(n) < len(r.hdrs) {
				return false
			}
		}
	})
	if err != nil {
		return err
	}
	return rerr
}
