package connectors_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/internal/netguard"
)

func TestARefusedDestinationIsPermanentAndAnOutageIsNot(t *testing.T) {
	// A port nothing listens on: a dial that gets through is refused by
	// the host, which a retry may find answering.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String() + "/scim/v2/Users"
	require.NoError(t, ln.Close())

	_, err = netguard.Policy{}.Client(5 * time.Second).Get(closed)
	wrapped := fmt.Errorf("scim: GET /Users: %w", err)
	require.True(t, connectors.IsPermanent(wrapped), "the policy's refusal: %v", wrapped)
	require.Contains(t, wrapped.Error(), "127.0.0.1 is a loopback address")

	_, err = netguard.Policy{AllowLoopback: true}.Client(5 * time.Second).Get(closed)
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err), "connection refused by the host: %v", err)
}
