package main

import (
	"encoding/binary"
	"flag"
	"io"
	"net"
	"sync"
	"time"
)

// delayProxy forwards DNS over UDP and TCP from listen to upstream, each
// query held for delay first: the round trip of an upstream server far
// away, for the latency row (a resolver whose every upstream query costs
// delay).
func delayProxy(args []string) error {
	fs := flag.NewFlagSet("delay", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to serve on (UDP and TCP)")
	upstream := fs.String("upstream", "127.0.0.1:53", "server to forward to")
	delay := fs.Duration("delay", 30*time.Millisecond, "added to every query")
	fs.Parse(args)
	pc, err := net.ListenPacket("udp", *listen)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				// Queries pipelined on one connection are answered each
				// in its own time, as a server does: no head-of-line
				// blocking.
				defer c.Close()
				var mu sync.Mutex
				for {
					q, err := readTCP(c)
					if err != nil {
						return
					}
					go func() {
						time.Sleep(*delay)
						u, err := net.DialTimeout("tcp", *upstream, 2*time.Second)
						if err != nil {
							return
						}
						defer u.Close()
						u.SetDeadline(time.Now().Add(3 * time.Second))
						if writeTCP(u, q) != nil {
							return
						}
						a, err := readTCP(u)
						if err != nil {
							return
						}
						mu.Lock()
						defer mu.Unlock()
						writeTCP(c, a)
					}()
				}
			}()
		}
	}()
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		q := append([]byte(nil), buf[:n]...)
		go func() {
			time.Sleep(*delay)
			u, err := net.Dial("udp", *upstream)
			if err != nil {
				return
			}
			defer u.Close()
			u.SetDeadline(time.Now().Add(3 * time.Second))
			if _, err := u.Write(q); err != nil {
				return
			}
			a := make([]byte, 65535)
			n, err := u.Read(a)
			if err != nil {
				return
			}
			pc.WriteTo(a[:n], from)
		}()
	}
}

func readTCP(c net.Conn) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint16(l[:]))
	_, err := io.ReadFull(c, b)
	return b, err
}

func writeTCP(c net.Conn, b []byte) error {
	_, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...))
	return err
}
