package main

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/internal/selfsigned"
)

const uiOrigin = "https://temporal.example.com"

// newPayloadCodec is a codec under a fresh key, and one payload it sealed.
func newPayloadCodec(t *testing.T) (*codec.Codec, *commonpb.Payload) {
	t.Helper()
	key, err := keys.NewKey("p1")
	require.NoError(t, err)
	pc, err := codec.New(keys.Keyring{Current: key})
	require.NoError(t, err)
	plain, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"workEmail": "ada@x.test"})
	require.NoError(t, err)
	sealed, err := pc.Encode([]*commonpb.Payload{plain})
	require.NoError(t, err)
	return pc, sealed[0]
}

// remoteDecode decodes p through the codec server at endpoint as the Web
// UI would, with token and origin, and returns the decoded data.
func remoteDecode(t *testing.T, client *http.Client, endpoint, token, origin string, p *commonpb.Payload) (string, error) {
	t.Helper()
	return decodeVia(client, endpoint+"/default", p, func(r *http.Request) {
		r.Header.Set("Origin", origin)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
	})
}

// decodeVia decodes p with a POST to endpoint/decode, which modify may
// reshape, and returns the decoded data or an error that starts with the
// HTTP status text.
func decodeVia(client *http.Client, endpoint string, p *commonpb.Payload, modify func(*http.Request)) (string, error) {
	rc := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: endpoint,
		Client:   *client,
		ModifyRequest: func(r *http.Request) error {
			modify(r)
			return nil
		},
	})
	out, err := rc.Decode([]*commonpb.Payload{p})
	if err != nil {
		return "", err
	}
	return string(out[0].GetData()), nil
}

func TestCodecServerConfig(t *testing.T) {
	pc, _ := newPayloadCodec(t)
	ctx, log := context.Background(), zap.NewNop()
	tests := []struct {
		name  string
		cfg   CodecConfig
		codec *codec.Codec
		err   string
	}{
		{name: "no payload key", cfg: CodecConfig{Token: "t"}, err: codec.KeyEnv},
		{name: "neither token nor OIDC", cfg: CodecConfig{}, codec: pc, err: codecTokenEnv},
		{name: "a certificate without its key", cfg: CodecConfig{Token: "t", TLSCert: "c.pem"}, codec: pc, err: "go together"},
		{name: "OIDC without an audience", cfg: CodecConfig{OIDC: codec.OIDCConfig{Issuer: "http://127.0.0.1:1"}}, codec: pc,
			err: "audience"},
		{name: "a token is enough", cfg: CodecConfig{Token: "t"}, codec: pc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.server(ctx, tt.codec, "default", log)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
}

func TestCodecServerServesTheWebUI(t *testing.T) {
	pc, sealed := newPayloadCodec(t)
	cfg := CodecConfig{Addr: "127.0.0.1:0", Token: "s3cret", Origins: []string{uiOrigin}}
	endpoint, stop, err := cfg.serve(context.Background(), pc, "default", zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(stop)
	client := &http.Client{Timeout: 5 * time.Second}

	got, err := remoteDecode(t, client, endpoint, "s3cret", uiOrigin, sealed)
	require.NoError(t, err)
	require.JSONEq(t, `{"workEmail":"ada@x.test"}`, got)

	for _, c := range []struct{ name, token, origin, refusal string }{
		{"no token", "", uiOrigin, "Unauthorized"},
		{"a wrong token", "guess", uiOrigin, "Unauthorized"},
		{"another origin", "s3cret", "https://evil.example", "Forbidden: origin not allowed"},
	} {
		_, err := remoteDecode(t, client, endpoint, c.token, c.origin, sealed)
		require.ErrorContains(t, err, c.refusal, c.name)
	}
}

func TestCodecServerOverHTTPS(t *testing.T) {
	pc, sealed := newPayloadCodec(t)
	cert, err := selfsigned.New("codec")
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, cert.CertPEM, 0o600))
	require.NoError(t, os.WriteFile(keyFile, cert.KeyPEM, 0o600))
	cfg := CodecConfig{Addr: "127.0.0.1:0", Token: "s3cret", Origins: []string{uiOrigin}, TLSCert: certFile, TLSKey: keyFile}
	endpoint, stop, err := cfg.serve(context.Background(), pc, "default", zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(stop)
	require.Regexp(t, `^https://127\.0\.0\.1:\d+$`, endpoint)

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}}
	got, err := remoteDecode(t, client, endpoint, "s3cret", uiOrigin, sealed)
	require.NoError(t, err)
	require.JSONEq(t, `{"workEmail":"ada@x.test"}`, got)
}
