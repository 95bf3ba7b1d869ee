package temporalenv

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// frontend is a fake Temporal frontend that answers what Dial asks (the
// health check and GetSystemInfo) and records who called and how.
type frontend struct {
	workflowservice.UnimplementedWorkflowServiceServer

	mu      sync.Mutex
	auth    []string // the authorization headers received
	clients []string // the client certificates' common names
}

func (f *frontend) GetSystemInfo(context.Context, *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	return &workflowservice.GetSystemInfoResponse{Capabilities: &workflowservice.GetSystemInfoResponse_Capabilities{}}, nil
}

// record is a unary interceptor that notes each call's credentials.
func (f *frontend) record(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	f.mu.Lock()
	md, _ := metadata.FromIncomingContext(ctx)
	f.auth = append(f.auth, md.Get("authorization")...)
	if p, ok := peer.FromContext(ctx); ok {
		if info, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(info.State.PeerCertificates) > 0 {
			f.clients = append(f.clients, info.State.PeerCertificates[0].Subject.CommonName)
		}
	}
	f.mu.Unlock()
	return handler(ctx, req)
}

// startFrontend serves a fake frontend over mutual TLS on 127.0.0.1.
func startFrontend(t *testing.T, p *pki) (*frontend, string) {
	t.Helper()
	f := &frontend{}
	s := grpc.NewServer(grpc.Creds(credentials.NewTLS(p.serverTLS())), grpc.UnaryInterceptor(f.record))
	workflowservice.RegisterWorkflowServiceServer(s, f)
	hs := health.NewServer()
	hs.SetServingStatus(workflowservice.WorkflowService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	return f, ln.Addr().String()
}

func TestDialOverMutualTLSWithAPIKey(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	f, addr := startFrontend(t, p)
	dir := t.TempDir()
	clearEnv(t, map[string]string{
		envAddress:          addr,
		envNamespace:        "hr",
		envAPIKey:           apiKey,
		envClientCertPath:   writeFile(t, dir, "client.pem", p.clientCertPEM),
		envClientKeyPath:    writeFile(t, dir, "client.key", p.clientKeyPEM),
		envServerCACertData: string(p.caPEM),
	})
	c, err := FromEnv()
	require.NoError(t, err)
	core, logs := observer.New(zapcore.DebugLevel)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := c.Dial(ctx, zap.New(core))
	require.NoError(t, err)
	cl.Close()

	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.auth)
	for _, a := range f.auth {
		assert.Equal(t, "Bearer "+apiKey, a)
	}
	require.NotEmpty(t, f.clients)
	assert.Equal(t, "hrsync-worker", f.clients[0])
	for _, e := range logs.All() {
		assert.NotContains(t, e.Message, apiKey)
		for _, v := range e.ContextMap() {
			assert.NotContains(t, v, apiKey)
		}
	}
}

func TestDialFailureNamesTheSetupButNoSecret(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	_, addr := startFrontend(t, p)
	// No client certificate, so the server refuses the connection.
	clearEnv(t, map[string]string{envAddress: addr, envAPIKey: apiKey, envServerCACertData: string(p.caPEM)})
	c, err := FromEnv()
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = c.Dial(ctx, nil)
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), addr)
	assert.Contains(t, err.Error(), "TLS + API key")
	assert.NotContains(t, err.Error(), apiKey)
}
