// Package netguard decides which network addresses a worker may send to on
// an integration's behalf. The check runs when a connection is dialled, on
// the address the host name resolved to, so a name that points (or is
// re-pointed) at a forbidden address is refused as surely as a literal one.
//
// Link-local addresses, where cloud metadata services answer, and the other
// addresses no integration has a reason to reach are refused always;
// loopback and private ranges only unless the worker's operator allows
// them.
package netguard

import (
	"fmt"
	"net/netip"
	"syscall"
)

// The worker flags that widen a Policy; refusals name them.
const (
	LoopbackFlag = "allow-loopback-destinations"
	PrivateFlag  = "allow-private-destinations"
)

// Policy says which ranges beyond the public internet a worker may send to.
// The zero Policy allows neither.
type Policy struct {
	// AllowLoopback allows 127.0.0.0/8 and ::1: a worker beside the
	// systems it syncs, as in dev mode and tests.
	AllowLoopback bool
	// AllowPrivate allows 10/8, 172.16/12, 192.168/16, 100.64/10 and
	// fc00::/7: an HRIS or directory inside the company's network.
	AllowPrivate bool
}

// RefusedError is a destination a Policy does not allow. No retry changes
// that, so connectors treat it as permanent.
type RefusedError struct {
	// Address is the IP address refused, as it was dialled.
	Address string
	// What names its range, e.g. "a loopback address".
	What string
	// Flag is the worker flag that would allow it; empty when none does.
	Flag string
}

// Error says in one sentence which address was refused, why, and how to
// allow it when it can be.
func (e *RefusedError) Error() string {
	if e.Flag == "" {
		return fmt.Sprintf("%s is %s, which hrsync never sends to", e.Address, e.What)
	}
	return fmt.Sprintf("%s is %s, which this worker does not send to (allow with --%s)", e.Address, e.What, e.Flag)
}

// Check refuses addr, with a *RefusedError, unless p allows its range.
func (p Policy) Check(addr netip.Addr) error {
	what, flag := rangeOf(addr)
	switch {
	case what == "",
		flag == LoopbackFlag && p.AllowLoopback,
		flag == PrivateFlag && p.AllowPrivate:
		return nil
	}
	return &RefusedError{Address: addr.String(), What: what, Flag: flag}
}

// Control is a net.Dialer Control function: it refuses a connection to an
// address p does not allow before anything is sent. address is the
// resolved "ip:port" the dialer is about to connect to.
func (p Policy) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: what cannot be read cannot be allowed.
		return &RefusedError{Address: address, What: "not an IP address and port"}
	}
	return p.Check(ap.Addr())
}

var (
	// metadataAddrs are cloud metadata services outside the link-local
	// range: AWS's IPv6 one, Alibaba Cloud's, and Azure's WireServer.
	metadataAddrs = map[netip.Addr]bool{
		netip.MustParseAddr("fd00:ec2::254"):   true,
		netip.MustParseAddr("100.100.100.200"): true,
		netip.MustParseAddr("168.63.129.16"):   true,
	}
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	reserved    = netip.MustParsePrefix("240.0.0.0/4")
	broadcast   = netip.MustParseAddr("255.255.255.255")
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT
	// nat64 is the well-known NAT64 prefix, whose addresses reach the IPv4
	// address in their last four bytes.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
)

// rangeOf names the range of addr that needs a policy's leave, and the flag
// that gives it ("" when nothing does). A public address has no such range:
// what is "".
func rangeOf(addr netip.Addr) (what, flag string) {
	ip := addr.WithZone("").Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case !ip.IsValid():
		return "not an IP address", ""
	case metadataAddrs[ip]:
		return "a cloud metadata address", ""
	case ip.IsUnspecified(), thisNetwork.Contains(ip):
		return "an unspecified address", ""
	case ip.IsLinkLocalUnicast():
		return "a link-local address, where cloud metadata services answer", ""
	case ip.IsMulticast():
		return "a multicast address", ""
	case ip == broadcast:
		return "the broadcast address", ""
	case reserved.Contains(ip):
		return "a reserved address", ""
	case ip.IsLoopback():
		return "a loopback address", LoopbackFlag
	case ip.IsPrivate(), sharedSpace.Contains(ip):
		return "a private address", PrivateFlag
	}
	return "", ""
}
