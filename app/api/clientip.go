package api

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// parseTrusted reads the trusted-proxy list: single addresses or CIDR
// ranges. Entries that parse as neither are skipped, so a typo trusts less,
// never more.
func parseTrusted(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

func (s *Server) trustedAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address rate limits and the audit log attribute a request
// to. The peer is believed unless it is a trusted proxy; then X-Forwarded-For
// is read from the right, skipping our own proxies, because a client can
// prepend anything it likes to that header but cannot forge what the
// proxies append. Fiber's c.IP() returns the header's leftmost text, which a
// client chooses, so it is not used.
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	peer = peer.Unmap()
	if !s.trustedAddr(peer) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Anything unparsable was written by the client, not a proxy.
			break
		}
		if !s.trustedAddr(a) {
			return a.Unmap().String()
		}
	}
	return peer.String()
}

// overTLS reports whether the client reached us over TLS: directly, or via a
// trusted proxy that says so. Without trusted proxies the forwarded headers
// are the client's own words and are ignored.
func (s *Server) overTLS(c *fiber.Ctx) bool {
	if c.Context().IsTLS() {
		return true
	}
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !s.trustedAddr(peer) {
		return false
	}
	proto, _, _ := strings.Cut(c.Get(fiber.HeaderXForwardedProto), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
