package temporalenv

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// apiKey stands for a Temporal Cloud API key; no error, log or printout
// may contain it.
const apiKey = "tcld-test-KEY-0123456789abcdef"

// allVars is every variable FromEnv reads.
var allVars = []string{envAddress, envNamespace, envAPIKey, envTLS, envClientCertPath, envClientCertData,
	envClientKeyPath, envClientKeyData, envServerCACertPath, envServerCACertData, envServerName,
	envDisableHostVerification}

// clearEnv unsets every TEMPORAL_* variable FromEnv reads for the test,
// whatever the developer's shell has, then sets vars.
func clearEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, v := range allVars {
		t.Setenv(v, "")
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

func TestFromEnvDefaults(t *testing.T) {
	clearEnv(t, nil)
	c, err := FromEnv()
	require.NoError(t, err)
	assert.Equal(t, Connection{Address: DefaultAddress, Namespace: DefaultNamespace}, c)
	assert.False(t, c.UsesTLS())
	cfg, err := c.TLSConfig()
	require.NoError(t, err)
	assert.Nil(t, cfg)

	opts, err := c.ClientOptions(nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultAddress, opts.HostPort)
	assert.Equal(t, DefaultNamespace, opts.Namespace)
	assert.Nil(t, opts.Credentials)
	assert.Nil(t, opts.ConnectionOptions.TLS)
	assert.False(t, opts.ConnectionOptions.TLSDisabled)
	assert.NotNil(t, opts.Logger)
}

func TestFromEnvTLSSwitch(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	tests := []struct {
		name    string
		vars    map[string]string
		wantTLS bool
	}{
		{"nothing set", nil, false},
		{"TEMPORAL_TLS=true", map[string]string{envTLS: "true"}, true},
		{"TEMPORAL_TLS=false", map[string]string{envTLS: "false"}, false},
		{"API key", map[string]string{envAPIKey: apiKey}, true},
		{"API key, TEMPORAL_TLS=false", map[string]string{envAPIKey: apiKey, envTLS: "false"}, false},
		{"CA", map[string]string{envServerCACertData: string(p.caPEM)}, true},
		{"server name", map[string]string{envServerName: serverName}, true},
		{"client cert and key", map[string]string{envClientCertData: string(p.clientCertPEM), envClientKeyData: string(p.clientKeyPEM)}, true},
		{"CA, TEMPORAL_TLS=false", map[string]string{envServerCACertData: string(p.caPEM), envTLS: "0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t, tt.vars)
			c, err := FromEnv()
			require.NoError(t, err)
			assert.Equal(t, tt.wantTLS, c.UsesTLS())
			cfg, err := c.TLSConfig()
			require.NoError(t, err)
			assert.Equal(t, tt.wantTLS, cfg != nil)
		})
	}
}

func TestFromEnvErrors(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	other := newPKI(t, "someone-else")
	dir := t.TempDir()
	certPath := writeFile(t, dir, "client.pem", p.clientCertPEM)
	keyPath := writeFile(t, dir, "client.key", p.clientKeyPEM)
	// A key in the right wrapping but with garbage inside: its text must
	// not leak into the error.
	badKey := "-----BEGIN PRIVATE KEY-----\nU0VLUklULUtFWS1NQVRFUklBTA==\n-----END PRIVATE KEY-----\n"

	tests := []struct {
		name string
		vars map[string]string
		want []string // all must appear in the error
	}{
		{"bad TEMPORAL_TLS", map[string]string{envTLS: "yes please"}, []string{envTLS, "true or false"}},
		{"bad host verification flag", map[string]string{envDisableHostVerification: "maybe"}, []string{envDisableHostVerification}},
		{"address without port", map[string]string{envAddress: "temporal.example.com"}, []string{envAddress, "host:port"}},
		{"cert without key", map[string]string{envClientCertPath: certPath},
			[]string{"without its key", envClientCertPath, envClientKeyPath}},
		{"key without cert", map[string]string{envClientKeyData: string(p.clientKeyPEM), envAPIKey: apiKey},
			[]string{"without its certificate", envClientCertPath, envClientKeyPath}},
		{"cert path and data", map[string]string{envClientCertPath: certPath, envClientCertData: string(p.clientCertPEM), envClientKeyPath: keyPath},
			[]string{envClientCertPath, envClientCertData, "set one"}},
		{"CA path and data", map[string]string{envServerCACertPath: certPath, envServerCACertData: string(p.caPEM)},
			[]string{envServerCACertPath, envServerCACertData}},
		{"missing cert file", map[string]string{envClientCertPath: filepath.Join(dir, "nope.pem"), envClientKeyPath: keyPath},
			[]string{envClientCertPath, "nope.pem"}},
		{"missing CA file", map[string]string{envServerCACertPath: filepath.Join(dir, "ca.pem")},
			[]string{envServerCACertPath, "ca.pem"}},
		{"CA not PEM", map[string]string{envServerCACertData: "not a certificate"},
			[]string{envServerCACertData, "no PEM certificate"}},
		{"garbage key", map[string]string{envClientCertData: string(p.clientCertPEM), envClientKeyData: badKey, envAPIKey: apiKey},
			[]string{envClientCertData, envClientKeyData}},
		{"key of another certificate", map[string]string{envClientCertPath: certPath, envClientKeyData: string(other.clientKeyPEM)},
			[]string{envClientCertPath, envClientKeyData, "does not match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t, tt.vars)
			c, err := FromEnv()
			require.Error(t, err)
			t.Log(err)
			assert.Equal(t, Connection{}, c)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, secret := range []string{apiKey, "U0VLUklU", "PRIVATE KEY", string(p.clientKeyPEM[30:60]), string(other.clientKeyPEM[30:60])} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

func TestAPIKeyBecomesCredentialsOverTLS(t *testing.T) {
	clearEnv(t, map[string]string{envAPIKey: apiKey, envAddress: "hr.a1b2c.tmprl.cloud:7233", envNamespace: "hr.a1b2c"})
	c, err := FromEnv()
	require.NoError(t, err)
	assert.True(t, c.UsesTLS())
	assert.Equal(t, apiKey, string(c.APIKey))

	dc := converter.GetDefaultDataConverter()
	c.DataConverter = dc
	opts, err := c.ClientOptions(nil)
	require.NoError(t, err)
	assert.NotNil(t, opts.Credentials)
	require.NotNil(t, opts.ConnectionOptions.TLS, "Temporal Cloud needs TLS with an API key")
	assert.Empty(t, opts.ConnectionOptions.TLS.Certificates)
	assert.Nil(t, opts.ConnectionOptions.TLS.RootCAs, "the system roots")
	assert.False(t, opts.ConnectionOptions.TLSDisabled)
	assert.Equal(t, "hr.a1b2c.tmprl.cloud:7233", opts.HostPort)
	assert.Equal(t, "hr.a1b2c", opts.Namespace)
	assert.Same(t, dc, opts.DataConverter)

	// Explicitly off: the SDK must be told, or it turns TLS on itself.
	t.Setenv(envTLS, "false")
	c, err = FromEnv()
	require.NoError(t, err)
	opts, err = c.ClientOptions(nil)
	require.NoError(t, err)
	assert.NotNil(t, opts.Credentials)
	assert.Nil(t, opts.ConnectionOptions.TLS)
	assert.True(t, opts.ConnectionOptions.TLSDisabled)
}

func TestSecretsDoNotPrint(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	clearEnv(t, map[string]string{envAPIKey: apiKey, envClientCertData: string(p.clientCertPEM), envClientKeyData: string(p.clientKeyPEM)})
	c, err := FromEnv()
	require.NoError(t, err)
	b, err := json.Marshal(c.TLS)
	require.NoError(t, err)
	keyBody := string(p.clientKeyPEM[30:60])
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s %q", c.APIKey, c.APIKey), string(b)} {
		assert.NotContains(t, out, apiKey)
		assert.NotContains(t, out, keyBody)
		assert.Contains(t, out, "[redacted]")
	}
	assert.Equal(t, "", Secret("").String())
}

func TestForDevServerDropsSecurity(t *testing.T) {
	clearEnv(t, map[string]string{envAPIKey: apiKey, envTLS: "true"})
	c, err := FromEnv()
	require.NoError(t, err)
	c.DataConverter = converter.GetDefaultDataConverter()
	c.MetricsHandler = client.MetricsNopHandler.WithTags(map[string]string{"worker": "one"})
	dev := c.ForDevServer("127.0.0.1:7233", "default")
	assert.False(t, dev.UsesTLS())
	assert.Empty(t, dev.APIKey)
	assert.Same(t, c.DataConverter, dev.DataConverter)
	opts, err := dev.ClientOptions(nil)
	require.NoError(t, err)
	assert.Equal(t, c.MetricsHandler, opts.MetricsHandler, "the dev server's client records metrics as the worker's would")
}

// tlsServer listens on 127.0.0.1 with cfg and writes "ok" to every
// client that completes the handshake.
func tlsServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = conn.Close() }()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				if conn.(*tls.Conn).Handshake() == nil {
					_, _ = conn.Write([]byte("ok"))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// handshake dials addr with cfg and reads the server's "ok". With TLS 1.3
// a rejected client certificate only shows on that first read.
func handshake(addr string, cfg *tls.Config) error {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != "ok" {
		return fmt.Errorf("server said %q", buf)
	}
	return nil
}

func TestMutualTLSHandshake(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	stranger := newPKI(t, "hrsync-worker")
	addr := tlsServer(t, p.serverTLS())
	dir := t.TempDir()
	certPath := writeFile(t, dir, "client.pem", p.clientCertPEM)
	keyPath := writeFile(t, dir, "client.key", p.clientKeyPEM)
	caPath := writeFile(t, dir, "ca.pem", p.caPEM)

	tests := []struct {
		name    string
		vars    map[string]string
		wantErr string
	}{
		{"files", map[string]string{envClientCertPath: certPath, envClientKeyPath: keyPath, envServerCACertPath: caPath}, ""},
		{"inline PEM and server name", map[string]string{envClientCertData: string(p.clientCertPEM),
			envClientKeyData: string(p.clientKeyPEM), envServerCACertData: string(p.caPEM), envServerName: serverName}, ""},
		{"no client certificate", map[string]string{envServerCACertPath: caPath, envTLS: "true"}, "certificate"},
		{"client certificate from another CA", map[string]string{envClientCertData: string(stranger.clientCertPEM),
			envClientKeyData: string(stranger.clientKeyPEM), envServerCACertPath: caPath}, "certificate"},
		{"server not trusted", map[string]string{envClientCertPath: certPath, envClientKeyPath: keyPath}, "certificate"},
		{"wrong server name", map[string]string{envClientCertPath: certPath, envClientKeyPath: keyPath,
			envServerCACertPath: caPath, envServerName: "other.test"}, "other.test"},
		{"wrong server name, host verification off", map[string]string{envClientCertPath: certPath, envClientKeyPath: keyPath,
			envServerCACertPath: caPath, envServerName: "other.test", envDisableHostVerification: "true"}, ""},
		{"host verification off still checks the CA", map[string]string{envClientCertPath: certPath, envClientKeyPath: keyPath,
			envServerCACertData: string(stranger.caPEM), envDisableHostVerification: "true"}, "unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t, tt.vars)
			c, err := FromEnv()
			require.NoError(t, err)
			require.True(t, c.UsesTLS())
			cfg, err := c.TLSConfig()
			require.NoError(t, err)
			err = handshake(addr, cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestTLSConfigReadsFilesWhenCalled(t *testing.T) {
	p := newPKI(t, "hrsync-worker")
	dir := t.TempDir()
	caPath := writeFile(t, dir, "ca.pem", []byte("placeholder"))
	c := Connection{Address: "127.0.0.1:7233", TLS: TLS{ServerCACertPath: caPath}}
	_, err := c.TLSConfig()
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), envServerCACertPath))
	writeFile(t, dir, "ca.pem", p.caPEM)
	cfg, err := c.TLSConfig()
	require.NoError(t, err)
	assert.NotNil(t, cfg.RootCAs)
}
