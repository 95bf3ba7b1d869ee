package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
)

// Environment variables of the codec server; the token is read only from
// the environment, so it never shows in a process list.
const (
	codecAddrEnv     = "HRSYNC_CODEC_ADDR"
	codecTokenEnv    = "HRSYNC_CODEC_TOKEN"
	codecOriginsEnv  = "HRSYNC_CODEC_ORIGINS"
	codecIssuerEnv   = "HRSYNC_CODEC_OIDC_ISSUER"
	codecAudienceEnv = "HRSYNC_CODEC_OIDC_AUDIENCE"
	codecClaimEnv    = "HRSYNC_CODEC_OIDC_PERMISSIONS_CLAIM"
)

// CodecConfig says whether and how the worker serves the codec server the
// Temporal Web UI decodes payloads through.
type CodecConfig struct {
	// Addr is where to listen, e.g. ":8234"; empty serves nothing.
	Addr string
	// Origins are the Web UI origins browsers call from.
	Origins []string
	// Token is a static bearer token (HRSYNC_CODEC_TOKEN).
	Token string
	// OIDC, when its Issuer is set, accepts the access tokens the Web UI
	// forwards for signed-in users.
	OIDC codec.OIDCConfig
	// TLSCert and TLSKey, both set, serve HTTPS: a Web UI served over HTTPS
	// may only call an HTTPS codec endpoint.
	TLSCert, TLSKey string
}

// codecConfigFromEnv reads the codec server's settings from the environment.
func codecConfigFromEnv() CodecConfig {
	c := CodecConfig{
		Addr:  os.Getenv(codecAddrEnv),
		Token: os.Getenv(codecTokenEnv),
		OIDC: codec.OIDCConfig{Issuer: os.Getenv(codecIssuerEnv), Audience: os.Getenv(codecAudienceEnv),
			PermissionsClaim: os.Getenv(codecClaimEnv)},
	}
	c.Origins = splitList(os.Getenv(codecOriginsEnv))
	return c
}

// splitList reads a comma-separated list from the environment, skipping
// blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// addFlags binds the codec server's flags, defaulting to the environment.
func (c *CodecConfig) addFlags(f *pflag.FlagSet) {
	f.StringVar(&c.Addr, "codec-addr", c.Addr,
		"serve the Web UI's codec server on this address, e.g. :8234, outside dev mode (env "+codecAddrEnv+"); needs "+
			codecTokenEnv+" or --codec-oidc-issuer")
	f.StringSliceVar(&c.Origins, "codec-origin", c.Origins,
		"Web UI origin allowed to call the codec server, e.g. https://temporal.example.com (repeatable; env "+codecOriginsEnv+")")
	f.StringVar(&c.OIDC.Issuer, "codec-oidc-issuer", c.OIDC.Issuer,
		"accept the Web UI's forwarded access tokens from this OIDC issuer (env "+codecIssuerEnv+")")
	f.StringVar(&c.OIDC.Audience, "codec-oidc-audience", c.OIDC.Audience,
		"audience the forwarded access tokens must carry (env "+codecAudienceEnv+")")
	f.StringVar(&c.OIDC.PermissionsClaim, "codec-oidc-permissions-claim", c.OIDC.PermissionsClaim,
		"claim holding Temporal permissions (<namespace>:<role>), e.g. permissions; empty lets any valid token decode (env "+codecClaimEnv+")")
	f.StringVar(&c.TLSCert, "codec-tls-cert", "", "certificate file: serve the codec server over HTTPS")
	f.StringVar(&c.TLSKey, "codec-tls-key", "", "private key file for --codec-tls-cert")
}

// server builds the codec server for namespace, refusing a configuration
// that would decode for anyone.
func (c CodecConfig) server(ctx context.Context, pc *codec.Codec, namespace string, logger *zap.Logger) (*http.Server, error) {
	if pc == nil {
		return nil, errors.New("the codec server needs a payload key (" + codec.KeyEnv + "): there is nothing to decode without one")
	}
	if c.Token == "" && c.OIDC.Issuer == "" {
		return nil, errors.New("the codec server needs " + codecTokenEnv + " or --codec-oidc-issuer: it would otherwise refuse everyone")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("--codec-tls-cert and --codec-tls-key go together")
	}
	opts := codec.ServerOptions{Codec: pc, Token: c.Token, Origins: c.Origins, Namespaces: []string{namespace},
		Logger: logger.Named("codec")}
	if c.OIDC.Issuer != "" {
		v, err := codec.NewOIDCVerifier(ctx, c.OIDC)
		if err != nil {
			return nil, err
		}
		opts.Tokens = v
	}
	if len(c.Origins) == 0 {
		logger.Warn("No --codec-origin: browsers are refused, so the Web UI cannot decode; the temporal CLI still can")
	}
	return &http.Server{Handler: codec.NewServer(opts), ReadHeaderTimeout: 10 * time.Second}, nil
}

// serve starts the codec server when an address is configured, and
// returns its endpoint and a function that stops it.
func (c CodecConfig) serve(ctx context.Context, pc *codec.Codec, namespace string, logger *zap.Logger) (string, func(), error) {
	if c.Addr == "" {
		return "", func() {}, nil
	}
	srv, err := c.server(ctx, pc, namespace, logger)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return "", nil, fmt.Errorf("unable to serve the codec server on %s: %w", c.Addr, err)
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	go func() {
		var err error
		if c.TLSCert != "" {
			err = srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("codec server stopped", zap.Error(err))
		}
	}()
	endpoint := scheme + "://" + ln.Addr().String()
	logger.Info("Codec server started", zap.String("endpoint", endpoint),
		zap.Strings("origins", c.Origins), zap.Bool("oidc", c.OIDC.Issuer != ""))
	return endpoint, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
