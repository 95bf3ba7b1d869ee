package devserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// uiServer is the Web UI running in a goroutine.
type uiServer struct {
	srv  *uiserver.Server
	done chan struct{}
}

// startUI serves the Web UI on ip:port and waits until it answers.
//
// ui-server's Start blocks, and on any listen error other than a closed
// server it calls Fatal and exits the process. So the port is checked just
// before, and Start runs in its own goroutine.
func startUI(ctx context.Context, o *Options, port int, frontend string) (*uiServer, error) {
	if err := checkPortFree(o.IP, port); err != nil {
		return nil, err
	}
	cfg := &uiconfig.Config{
		TemporalGRPCAddress: frontend,
		Host:                o.IP,
		Port:                port,
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		DisableNewsFetch:    true,
		HideLogs:            true,
		// Served over plain HTTP: the CSRF cookie must not require HTTPS.
		CORS:  uiconfig.CORS{CookieInsecure: true},
		Codec: uiconfig.Codec{Endpoint: o.CodecEndpoint},
	}
	u := &uiServer{
		srv:  uiserver.NewServer(uioptions.WithConfigProvider(cfg)),
		done: make(chan struct{}),
	}
	go func() {
		defer close(u.done)
		_ = u.srv.Start()
	}()

	health := "http://" + net.JoinHostPort(o.IP, strconv.Itoa(port)) + "/healthz"
	if err := waitHTTP(ctx, health); err != nil {
		_ = u.stop()
		return nil, fmt.Errorf("the Web UI on port %d did not start: %w", port, err)
	}
	return u, nil
}

// stop closes the UI's listener and waits for its goroutine to end.
func (u *uiServer) stop() error {
	u.srv.Stop()
	select {
	case <-u.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("devserver: the Web UI did not stop within %s", stopTimeout)
	}
}

// waitHTTP polls url until it answers 200 OK or ctx ends.
func waitHTTP(ctx context.Context, url string) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
