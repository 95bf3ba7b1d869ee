package netguard

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	const (
		always   = "always"
		loopback = "loopback"
		private  = "private"
		public   = "public"
	)
	cases := []struct {
		addr string
		want string
		what string
	}{
		{"8.8.8.8", public, ""},
		{"2606:4700:4700::1111", public, ""},
		{"::ffff:8.8.8.8", public, ""},
		{"172.32.0.1", public, ""},
		{"100.128.0.1", public, ""},

		{"127.0.0.1", loopback, "a loopback address"},
		{"127.255.0.9", loopback, "a loopback address"},
		{"::1", loopback, "a loopback address"},
		{"::ffff:127.0.0.1", loopback, "a loopback address"},

		{"10.1.2.3", private, "a private address"},
		{"172.16.0.1", private, "a private address"},
		{"172.31.255.254", private, "a private address"},
		{"192.168.1.1", private, "a private address"},
		{"100.64.0.1", private, "a private address"},
		{"fc00::1", private, "a private address"},
		{"fd12:3456::1", private, "a private address"},
		{"::ffff:10.0.0.1", private, "a private address"},

		{"169.254.169.254", always, "a link-local address, where cloud metadata services answer"},
		{"169.254.0.1", always, "a link-local address, where cloud metadata services answer"},
		{"::ffff:169.254.169.254", always, "a link-local address, where cloud metadata services answer"},
		{"64:ff9b::a9fe:a9fe", always, "a link-local address, where cloud metadata services answer"},
		{"fe80::1", always, "a link-local address, where cloud metadata services answer"},
		{"fe80::1%eth0", always, "a link-local address, where cloud metadata services answer"},
		{"fd00:ec2::254", always, "a cloud metadata address"},
		{"100.100.100.200", always, "a cloud metadata address"},
		{"168.63.129.16", always, "a cloud metadata address"},
		{"0.0.0.0", always, "an unspecified address"},
		{"0.1.2.3", always, "an unspecified address"},
		{"::", always, "an unspecified address"},
		{"224.0.0.1", always, "a multicast address"},
		{"239.1.1.1", always, "a multicast address"},
		{"ff02::1", always, "a multicast address"},
		{"255.255.255.255", always, "the broadcast address"},
		{"240.0.0.1", always, "a reserved address"},
	}
	policies := map[string]Policy{
		"default":  {},
		"loopback": {AllowLoopback: true},
		"private":  {AllowPrivate: true},
		"both":     {AllowLoopback: true, AllowPrivate: true},
	}
	for _, c := range cases {
		addr := netip.MustParseAddr(c.addr)
		for name, p := range policies {
			allowed := c.want == public || c.want == loopback && p.AllowLoopback || c.want == private && p.AllowPrivate
			err := p.Check(addr)
			if allowed {
				require.NoError(t, err, "%s under %s", c.addr, name)
				continue
			}
			var refused *RefusedError
			require.True(t, errors.As(err, &refused), "%s under %s: %v", c.addr, name, err)
			require.Equal(t, c.what, refused.What, c.addr)
			require.Equal(t, c.addr, refused.Address)
		}
	}
}

func TestRefusedErrorSaysHowToAllow(t *testing.T) {
	err := Policy{}.Control("tcp4", "127.0.0.1:8080", nil)
	require.EqualError(t, err,
		"127.0.0.1 is a loopback address, which this worker does not send to (allow with --allow-loopback-destinations)")
	err = Policy{}.Control("tcp6", "[fd00::5]:443", nil)
	require.EqualError(t, err,
		"fd00::5 is a private address, which this worker does not send to (allow with --allow-private-destinations)")
	err = Policy{AllowLoopback: true, AllowPrivate: true}.Control("tcp4", "169.254.169.254:80", nil)
	require.EqualError(t, err,
		"169.254.169.254 is a link-local address, where cloud metadata services answer, which hrsync never sends to")
	require.Error(t, Policy{AllowLoopback: true, AllowPrivate: true}.Control("tcp6", "[fe80::1%eth0]:80", nil))
	require.NoError(t, Policy{}.Control("tcp4", "93.184.215.14:443", nil))
	err = Policy{AllowLoopback: true}.Control("unix", "/run/x.sock", nil)
	require.EqualError(t, err, "/run/x.sock is not an IP address and port, which hrsync never sends to")
}

func TestCheckURL(t *testing.T) {
	ok := []string{
		"https://api.merge.dev/api/hris/v1",
		"https://acme.example:8443/scim/v2",
		"https://10.0.0.5/scim/v2", // private: the worker's policy decides when it dials
		"https://127.0.0.1:9000/",  // loopback likewise
		"http://127.0.0.1:8280",    // dev mode and tests
		"http://127.9.9.9:80/x",
		"http://localhost:8080/hook",
		"http://LOCALHOST./hook",
		"http://[::1]:8281/scim/v2",
		"http://[::ffff:127.0.0.1]/",
	}
	for _, u := range ok {
		require.NoError(t, CheckURL(u), u)
	}
	bad := []struct{ url, err string }{
		{"http://example.com/hook?token=s3cret", "http://example.com would send in the clear: use https (http is for loopback hosts only)"},
		{"http://10.0.0.5/", "http://10.0.0.5 would send in the clear"},
		{"https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address, where cloud metadata services answer, which hrsync never sends to"},
		{"http://169.254.169.254/", "169.254.169.254 is a link-local address"},
		{"https://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"},
		{"https://[fe80::1%25eth0]/", "fe80::1%eth0 is a link-local address"},
		{"https://[::ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe is a link-local address"},
		{"https://100.100.100.200/", "100.100.100.200 is a cloud metadata address"},
		{"https://0.0.0.0:8080/", "0.0.0.0 is an unspecified address"},
		{"https://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a cloud metadata host, which hrsync never sends to"},
		{"http://Metadata.Google.Internal./", "is a cloud metadata host"},
		{"http://metadata/", "metadata is a cloud metadata host"},
		{"ftp://files.acme.example/hris.csv", `the scheme must be https (or http to a loopback host), not "ftp"`},
		{"file:///tmp/x.csv", `not "file"`},
		{"acme.example/scim", `not ""`},
		{"https:///T0K3N", "has no host"},
		{"", "is required"},
		{"https://h/%zz?token=T0K3N", "is not a URL"},
	}
	for _, c := range bad {
		err := CheckURL(c.url)
		require.ErrorContains(t, err, c.err, c.url)
		require.NotContains(t, err.Error(), "s3cret")
		require.NotContains(t, err.Error(), "T0K3N")
	}
}
