// Package listenaddr tells things about the addresses servers listen on.
package listenaddr

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation"
)

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

// Check reports why addr is not an address a server can listen on: host:port, with a host
// that is empty (every interface), an IP or a DNS name, and a port from 0 to 65535. flag names
// the option the address was given with, for the message.
func Check(flag, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var addrErr *net.AddrError
		if errors.As(err, &addrErr) {
			err = errors.New(addrErr.Err)
		}
		return fmt.Errorf("%s %q is not a listen address (host:port, e.g. 127.0.0.1:8080): %w",
			flag, addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s %q: port %q is not a number from 0 to 65535", flag, addr, port)
	}
	if host != "" && net.ParseIP(host) == nil {
		if msgs := validation.IsDNS1123Subdomain(host); len(msgs) > 0 {
			return fmt.Errorf("%s %q: host %q is neither an IP address nor a DNS name",
				flag, addr, host)
		}
	}
	return nil
}
