// Package temporalenv reads how to reach Temporal from the standard
// TEMPORAL_* environment variables (the names the Temporal CLI uses) and
// dials a client with hrsync's logger: plaintext for a local dev server,
// TLS or mutual TLS for a self-hosted cluster, and an API key over TLS for
// Temporal Cloud.
package temporalenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/internal/logging"
)

// Defaults when the environment sets nothing.
const (
	DefaultAddress   = "127.0.0.1:7233"
	DefaultNamespace = "default"
)

// The environment variables FromEnv reads.
const (
	envAddress                 = "TEMPORAL_ADDRESS"
	envNamespace               = "TEMPORAL_NAMESPACE"
	envAPIKey                  = "TEMPORAL_API_KEY"
	envTLS                     = "TEMPORAL_TLS"
	envClientCertPath          = "TEMPORAL_TLS_CLIENT_CERT_PATH"
	envClientCertData          = "TEMPORAL_TLS_CLIENT_CERT_DATA"
	envClientKeyPath           = "TEMPORAL_TLS_CLIENT_KEY_PATH"
	envClientKeyData           = "TEMPORAL_TLS_CLIENT_KEY_DATA"
	envServerCACertPath        = "TEMPORAL_TLS_SERVER_CA_CERT_PATH"
	envServerCACertData        = "TEMPORAL_TLS_SERVER_CA_CERT_DATA"
	envServerName              = "TEMPORAL_TLS_SERVER_NAME"
	envDisableHostVerification = "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION"
)

// dialTimeout bounds how long Dial waits for the frontend to answer.
const dialTimeout = 10 * time.Second

// Connection says which Temporal service and namespace to use and how to
// secure the connection. The zero value of every security field means
// "off", so Connection{Address: a, Namespace: n} dials a plaintext dev
// server as before.
type Connection struct {
	// Address is TEMPORAL_ADDRESS, host:port of the frontend.
	Address string
	// Namespace is TEMPORAL_NAMESPACE.
	Namespace string
	// APIKey is TEMPORAL_API_KEY. It is sent as a bearer token on every
	// call and turns TLS on unless TLS.Disabled is set.
	APIKey Secret
	// TLS is the TEMPORAL_TLS* settings.
	TLS TLS
	// DataConverter, when set, encodes and decodes every payload (hrsync
	// sets one with an encrypting codec). Nil means the SDK's default.
	DataConverter converter.DataConverter
	// FailureConverter, when set, turns errors into history failures and
	// back; hrsync sets one that seals their messages and stack traces
	// with the payload codec, as those may quote what a server said about
	// a person. Nil means the SDK's default, in the clear.
	FailureConverter converter.FailureConverter
	// MetricsHandler, when set, receives the SDK's metrics and those
	// workflows record (hrsync sets one that feeds its Prometheus
	// registry). Nil means none are recorded.
	MetricsHandler client.MetricsHandler
}

// TLS holds the TEMPORAL_TLS* settings. Each client certificate, key and
// server CA can come from a file (…Path) or inline PEM (…Data), not both.
type TLS struct {
	// Enabled is TEMPORAL_TLS=true: use TLS even with no certificates
	// (a server with a publicly trusted certificate).
	Enabled bool
	// Disabled is TEMPORAL_TLS=false: never use TLS, even with an API key
	// or certificates set. Only for a local proxy; it sends the API key in
	// the clear.
	Disabled bool
	// ClientCertPath is TEMPORAL_TLS_CLIENT_CERT_PATH, a PEM file.
	ClientCertPath string
	// ClientCertData is TEMPORAL_TLS_CLIENT_CERT_DATA, inline PEM.
	ClientCertData string
	// ClientKeyPath is TEMPORAL_TLS_CLIENT_KEY_PATH, a PEM file.
	ClientKeyPath string
	// ClientKeyData is TEMPORAL_TLS_CLIENT_KEY_DATA, inline PEM.
	ClientKeyData Secret
	// ServerCACertPath is TEMPORAL_TLS_SERVER_CA_CERT_PATH: a PEM file of
	// CA certificates that replaces the system roots.
	ServerCACertPath string
	// ServerCACertData is TEMPORAL_TLS_SERVER_CA_CERT_DATA, inline PEM.
	ServerCACertData string
	// ServerName is TEMPORAL_TLS_SERVER_NAME: the name the server's
	// certificate must carry, when it differs from the host in Address.
	ServerName string
	// DisableHostVerification is TEMPORAL_TLS_DISABLE_HOST_VERIFICATION:
	// accept a server certificate whatever name it carries. Unlike the
	// Temporal CLI, hrsync still checks that the certificate chains to a
	// trusted CA (the system roots or ServerCACert…), so set the CA for a
	// self-signed server.
	DisableHostVerification bool
}

// material reports whether any certificate or key is set.
func (t TLS) material() bool {
	return t.ClientCertPath != "" || t.ClientCertData != "" || t.ClientKeyPath != "" || t.ClientKeyData != "" ||
		t.ServerCACertPath != "" || t.ServerCACertData != "" || t.ServerName != "" || t.DisableHostVerification
}

// mutual reports whether a client certificate is set.
func (t TLS) mutual() bool {
	return t.ClientCertPath != "" || t.ClientCertData != ""
}

// UsesTLS reports whether Dial uses TLS: when TLS.Enabled is set, when any
// TLS setting is, or when an API key is, unless TLS.Disabled is set.
func (c Connection) UsesTLS() bool {
	if c.TLS.Disabled {
		return false
	}
	return c.TLS.Enabled || c.TLS.material() || c.APIKey != ""
}

// security describes, without secrets, how the connection is secured.
func (c Connection) security() string {
	var s string
	switch {
	case !c.UsesTLS():
		s = "plaintext"
	case c.TLS.mutual():
		s = "mTLS"
	default:
		s = "TLS"
	}
	if c.APIKey != "" {
		s += " + API key"
	}
	return s
}

// FromEnv reads the connection from the environment, with defaults:
//
//	TEMPORAL_ADDRESS                          host:port (default 127.0.0.1:7233)
//	TEMPORAL_NAMESPACE                        namespace (default "default")
//	TEMPORAL_API_KEY                          API key (Temporal Cloud); turns TLS on
//	TEMPORAL_TLS                              true or false; false wins over everything
//	TEMPORAL_TLS_CLIENT_CERT_PATH / _DATA     client certificate for mTLS (file / inline PEM)
//	TEMPORAL_TLS_CLIENT_KEY_PATH / _DATA      its private key; set together with the certificate
//	TEMPORAL_TLS_SERVER_CA_CERT_PATH / _DATA  CA certificates to trust instead of the system roots
//	TEMPORAL_TLS_SERVER_NAME                  name to expect in the server's certificate
//	TEMPORAL_TLS_DISABLE_HOST_VERIFICATION    true: do not check the server's name (the chain still is)
//
// Any TLS setting turns TLS on. FromEnv loads the certificates and keys,
// so a bad value fails here, at startup, with an error naming the
// variable; errors never include the API key or key material. On error
// it returns the zero Connection.
func FromEnv() (Connection, error) {
	c := Connection{
		Address:   strings.TrimSpace(os.Getenv(envAddress)),
		Namespace: strings.TrimSpace(os.Getenv(envNamespace)),
		APIKey:    Secret(strings.TrimSpace(os.Getenv(envAPIKey))),
		TLS: TLS{
			ClientCertPath:   strings.TrimSpace(os.Getenv(envClientCertPath)),
			ClientCertData:   os.Getenv(envClientCertData),
			ClientKeyPath:    strings.TrimSpace(os.Getenv(envClientKeyPath)),
			ClientKeyData:    Secret(os.Getenv(envClientKeyData)),
			ServerCACertPath: strings.TrimSpace(os.Getenv(envServerCACertPath)),
			ServerCACertData: os.Getenv(envServerCACertData),
			ServerName:       strings.TrimSpace(os.Getenv(envServerName)),
		},
	}
	if c.Address == "" {
		c.Address = DefaultAddress
	}
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	on, set, err := envBool(envTLS)
	if err != nil {
		return Connection{}, err
	}
	if set {
		c.TLS.Enabled, c.TLS.Disabled = on, !on
	}
	if c.TLS.DisableHostVerification, _, err = envBool(envDisableHostVerification); err != nil {
		return Connection{}, err
	}
	if err := c.Validate(); err != nil {
		return Connection{}, err
	}
	// Load the certificates now so a bad file fails at startup.
	if _, err := c.TLSConfig(); err != nil {
		return Connection{}, err
	}
	return c, nil
}

// envBool reads a true/false variable; set is false when it is empty.
func envBool(name string) (value, set bool, err error) {
	s := strings.TrimSpace(os.Getenv(name))
	if s == "" {
		return false, false, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return false, false, fmt.Errorf("%s=%q: want true or false", name, s)
	}
	return v, true, nil
}

// Validate checks the settings for contradictions without reading files:
// a malformed address, a file and inline PEM for the same item, or a
// client certificate without its key (or the reverse).
func (c Connection) Validate() error {
	if c.Address != "" && !strings.Contains(c.Address, "://") {
		if host, port, err := net.SplitHostPort(c.Address); err != nil || host == "" || port == "" {
			return fmt.Errorf("%s=%q: want host:port", envAddress, c.Address)
		}
	}
	if c.TLS.Enabled && c.TLS.Disabled {
		return fmt.Errorf("TLS is both enabled and disabled; set %s to true or false", envTLS)
	}
	t := c.TLS
	for _, p := range []struct {
		path, data         bool
		pathName, dataName string
	}{
		{t.ClientCertPath != "", t.ClientCertData != "", envClientCertPath, envClientCertData},
		{t.ClientKeyPath != "", t.ClientKeyData != "", envClientKeyPath, envClientKeyData},
		{t.ServerCACertPath != "", t.ServerCACertData != "", envServerCACertPath, envServerCACertData},
	} {
		if p.path && p.data {
			return fmt.Errorf("both %s and %s are set; set one", p.pathName, p.dataName)
		}
	}
	hasCert, hasKey := t.mutual(), t.ClientKeyPath != "" || t.ClientKeyData != ""
	if hasCert != hasKey {
		what := "a client certificate without its key"
		if hasKey {
			what = "a client key without its certificate"
		}
		return fmt.Errorf("%s: set %s (or %s) and %s (or %s) together",
			what, envClientCertPath, envClientCertData, envClientKeyPath, envClientKeyData)
	}
	return nil
}

// ClientOptions returns the SDK options for c: address, namespace, the
// TLS config, the API key as credentials, the data converter, and logger
// (nil for none) adapted for the SDK. It reads certificate files each time
// it is called. It warns through logger when the API key would travel in
// plaintext or the server's name is not checked.
func (c Connection) ClientOptions(logger *zap.Logger) (client.Options, error) {
	if logger == nil {
		logger = zap.NewNop()
	}
	if err := c.Validate(); err != nil {
		return client.Options{}, err
	}
	tlsCfg, err := c.TLSConfig()
	if err != nil {
		return client.Options{}, err
	}
	opts := client.Options{
		HostPort:         c.Address,
		Namespace:        c.Namespace,
		Logger:           logging.NewTemporal(logger),
		DataConverter:    c.DataConverter,
		FailureConverter: c.FailureConverter,
		MetricsHandler:   c.MetricsHandler,
		ConnectionOptions: client.ConnectionOptions{
			TLS: tlsCfg,
		},
	}
	if c.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(string(c.APIKey))
		if tlsCfg == nil {
			// Without this the SDK would turn TLS on by itself.
			opts.ConnectionOptions.TLSDisabled = true
			logger.Warn("Temporal API key is sent without TLS (TEMPORAL_TLS=false)", zap.String("temporal", c.Address))
		}
	}
	if tlsCfg != nil && c.TLS.DisableHostVerification {
		logger.Warn("Temporal server name is not verified (TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)", zap.String("temporal", c.Address))
	}
	return opts, nil
}

// Dial connects to Temporal and checks that the frontend answers.
func (c Connection) Dial(ctx context.Context, logger *zap.Logger) (client.Client, error) {
	opts, err := c.ClientOptions(logger)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	cl, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, c.scrub(fmt.Errorf("unable to reach Temporal at %s (namespace %s, %s; set TEMPORAL_ADDRESS and TEMPORAL_TLS*/TEMPORAL_API_KEY, or run `go run ./worker --dev`): %w",
			c.Address, c.Namespace, c.security(), err))
	}
	return cl, nil
}

// ForDevServer returns a copy of c that dials a local dev server at
// address and namespace: plaintext, no API key, but the same data and
// failure converters and metrics handler. Use it when hrsync starts its own Temporal server so
// the TEMPORAL_TLS* and TEMPORAL_API_KEY meant for a real cluster do not
// apply.
func (c Connection) ForDevServer(address, namespace string) Connection {
	return Connection{Address: address, Namespace: namespace, DataConverter: c.DataConverter,
		FailureConverter: c.FailureConverter, MetricsHandler: c.MetricsHandler}
}

// scrub hides the API key and credentials in err's text, keeping err
// for errors.Is and errors.As.
func (c Connection) scrub(err error) error {
	msg := err.Error()
	if c.APIKey != "" {
		msg = strings.ReplaceAll(msg, string(c.APIKey), "[redacted]")
	}
	return &scrubbedError{msg: logging.Redact(msg), err: err}
}

// scrubbedError is an error whose text has had secrets removed.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// Secret is a string that does not print: fmt's verbs, JSON and text
// encoding show "[redacted]" (or nothing when empty). Convert it with
// string(s) where the value itself is needed.
type Secret string

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString is what %#v prints.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalText keeps the secret out of JSON, YAML and logs.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
