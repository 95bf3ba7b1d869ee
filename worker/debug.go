package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"go.uber.org/zap"
)

// debugAddrEnv names the address the worker serves its Go profiles on.
const debugAddrEnv = "HRSYNC_DEBUG_ADDR"

// serveDebug serves the Go runtime's profiles (net/http/pprof, under
// /debug/pprof/) on addr until ctx ends, so an operator can see where a
// slow or large run spends its CPU and memory. The profiles say nothing of
// people, but they do of the process: bind addr to loopback or a private
// interface. An empty addr serves nothing.
func serveDebug(ctx context.Context, addr string, logger *zap.Logger) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("unable to serve profiles on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("Profile server stopped", zap.Error(err))
		}
	}()
	logger.Info("Serving Go profiles", zap.String("addr", ln.Addr().String()))
	return func() {
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}, nil
}
