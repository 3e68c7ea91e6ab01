package app

import (
	"crypto/tls"
	"net"
)

func tlsListener(ln net.Listener, c *tls.Config) net.Listener {
	c = c.Clone()
	if len(c.NextProtos) == 0 {
		c.NextProtos = []string{"h2", "http/1.1"}
	}
	return tls.NewListener(ln, c)
}
