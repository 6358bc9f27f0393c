package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// X-Forwarded-For is walked from the right, skipping trusted hops; what
// the client wrote to the left of the first untrusted address is never
// believed.
func TestClientIPWalksForwardedForFromTheRight(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("fd00::/64")}
	cases := []struct{ remote, xff, want string }{
		{"192.168.1.9:1234", "127.0.0.1", "192.168.1.9"},                       // not a proxy: header ignored
		{"10.0.0.2:1234", "", "10.0.0.2"},                                      // a proxy without a header
		{"10.0.0.2:1234", "198.51.100.4", "198.51.100.4"},                      // one proxy
		{"10.0.0.2:1234", "127.0.0.1, 198.51.100.4, 10.0.0.3", "198.51.100.4"}, // two proxies; the client spoofed the first entry
		{"10.0.0.2:1234", "10.0.0.5, 10.0.0.3", "10.0.0.5"},                    // every hop trusted: the leftmost
		{"10.0.0.2:1234", "garbage, 10.0.0.3", "10.0.0.3"},                     // stop at what a trusted hop vouched for
		{"10.0.0.2:1234", "[2001:db8::7]:443", "2001:db8::7"},                  // with a port
		{"[fd00::2]:1234", "::ffff:198.51.100.4", "198.51.100.4"},              // IPv6 proxy, mapped IPv4 client
		{"[::ffff:10.0.0.2]:1234", "198.51.100.4", "198.51.100.4"},             // a mapped proxy address
	}
	ext := clientIP(trusted)
	none := clientIP(nil)
	for _, tc := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.remote
		if tc.xff != "" {
			req.Header.Add("X-Forwarded-For", tc.xff)
		}
		if got := ext(req); got != tc.want {
			t.Errorf("remote %s, X-Forwarded-For %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
		if p, _ := parseHop(tc.remote); none(req) != p.String() {
			t.Errorf("without trusted proxies: %s, want the connection's %s", none(req), p)
		}
	}
}
