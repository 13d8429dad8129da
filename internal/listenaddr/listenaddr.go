// Package listenaddr tells things about the addresses servers listen on.
package listenaddr

import "net"

// IsLoopback reports whether a host:port listen address binds to loopback only: localhost or a
// loopback IP. An empty host (":8080", every interface) is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
