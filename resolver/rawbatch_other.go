//go:build !(linux && (amd64 || arm64))

package resolver

import (
	"net"

	"golang.org/x/net/ipv4"
)

// rawBatch is the Linux reader of rawbatch_linux.go; elsewhere the
// reader uses ipv4.PacketConn's ReadBatch.
type rawBatch struct{}

func newRawBatch(net.Conn, []ipv4.Message) *rawBatch { return nil }

func (*rawBatch) read(func(int) bool) error { return nil }
