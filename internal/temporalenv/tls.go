package temporalenv

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSConfig builds the client TLS config from c.TLS, or returns nil when
// c does not use TLS (see UsesTLS). A client certificate and key make it
// mutual TLS; a server CA replaces the system roots. Errors name the
// variable or file at fault and never include key material.
func (c Connection) TLSConfig() (*tls.Config, error) {
	if !c.UsesTLS() {
		return nil, nil
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t := c.TLS
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		ServerName: t.ServerName,
	}
	if t.mutual() {
		certPEM, err := pemFrom(t.ClientCertPath, t.ClientCertData, envClientCertPath, envClientCertData)
		if err != nil {
			return nil, err
		}
		keyPEM, err := pemFrom(t.ClientKeyPath, string(t.ClientKeyData), envClientKeyPath, envClientKeyData)
		if err != nil {
			return nil, err
		}
		// X509KeyPair's errors are fixed phrases ("private key does not
		// match public key"), never the key itself.
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("client certificate and key (%s, %s): %w",
				source(t.ClientCertPath, envClientCertPath, envClientCertData),
				source(t.ClientKeyPath, envClientKeyPath, envClientKeyData), err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if t.ServerCACertPath != "" || t.ServerCACertData != "" {
		caPEM, err := pemFrom(t.ServerCACertPath, t.ServerCACertData, envServerCACertPath, envServerCACertData)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("server CA (%s): no PEM certificate found",
				source(t.ServerCACertPath, envServerCACertPath, envServerCACertData))
		}
		cfg.RootCAs = pool
	}
	if t.DisableHostVerification {
		// Skip the name check only: still verify the chain ourselves.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(cfg.RootCAs)
	}
	return cfg, nil
}

// verifyChainOnly checks that the server's certificate chains to roots
// (nil: the system roots) for server authentication, whatever its name.
func verifyChainOnly(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("temporal server sent no certificate")
		}
		opts := x509.VerifyOptions{
			Roots:         roots,
			Intermediates: x509.NewCertPool(),
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, ic := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(ic)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return fmt.Errorf("temporal server certificate: %w", err)
		}
		return nil
	}
}

// pemFrom returns the PEM in the file at path, or data.
func pemFrom(path, data, pathVar, dataVar string) ([]byte, error) {
	if path == "" {
		if data == "" {
			return nil, fmt.Errorf("%s is empty", dataVar)
		}
		return []byte(data), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pathVar, err)
	}
	return b, nil
}

// source names where a PEM item came from, for error messages.
func source(path, pathVar, dataVar string) string {
	if path != "" {
		return fmt.Sprintf("%s=%s", pathVar, path)
	}
	return dataVar
}
