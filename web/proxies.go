package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// clientIP returns how the server finds a request's client address: the
// connection's own address, unless that is one of the trusted reverse
// proxies. Then X-Forwarded-For is walked from the right (the entry the
// nearest proxy wrote), skipping the addresses of trusted proxies; the
// first other address is the client. Anything to its left was written by
// the client itself and is never believed. With no trusted proxies the
// header is ignored entirely: a LAN client cannot pick its own address
// for the sign-in limits or /metrics.
func clientIP(trusted []netip.Prefix) echo.IPExtractor {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		remote, ok := parseHop(r.RemoteAddr)
		if !ok {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				return r.RemoteAddr
			}
			return host
		}
		if len(trusted) == 0 || !isTrusted(remote) {
			return remote.String()
		}
		var hops []string
		for _, h := range r.Header.Values(echo.HeaderXForwardedFor) {
			hops = append(hops, strings.Split(h, ",")...)
		}
		client := remote
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHop(hops[i])
			if !ok {
				// A hop a trusted proxy could not have written: stop at
				// the last address a trusted party vouched for.
				break
			}
			client = a
			if !isTrusted(a) {
				break
			}
		}
		return client.String()
	}
}

// parseHop reads one address of X-Forwarded-For or RemoteAddr: a bare
// IPv4 or IPv6 address, or either with a port ("[::1]:80").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}
