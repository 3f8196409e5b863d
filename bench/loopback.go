package bench

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckLoopback returns an error unless hostport ("host:port", or a URL)
// names a loopback address: the load tool must never send load elsewhere.
// "localhost" counts only when every address it resolves to is loopback.
func CheckLoopback(hostport string) error {
	host := hostport
	if strings.Contains(hostport, "://") {
		u, err := url.Parse(hostport)
		if err != nil {
			return fmt.Errorf("bench: %q: %w", hostport, err)
		}
		host = u.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return fmt.Errorf("bench: %q names no host", hostport)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("bench: %s is not a loopback address; the load tool only targets this machine", host)
		}
		return nil
	}
	if host != "localhost" {
		return fmt.Errorf("bench: %s is not a loopback address; use 127.0.0.1", host)
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("bench: resolve %s: %v", host, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("bench: %s resolves to %s, not loopback", host, ip)
		}
	}
	return nil
}
