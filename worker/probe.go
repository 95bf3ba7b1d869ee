package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

// newProbeCmd is `worker probe URL`: one GET, exit code 0 on a 2xx answer
// and 1 otherwise. The worker's image has no shell or HTTP client, so a
// container healthcheck asks the worker binary itself, e.g.
// `worker probe http://127.0.0.1:9090/readyz`.
func newProbeCmd() *cobra.Command {
	timeout := 5 * time.Second
	cmd := &cobra.Command{
		Use:   "probe URL",
		Short: "GET URL; exit 0 on a 2xx answer, 1 otherwise (a container healthcheck: probe http://127.0.0.1:9090/readyz)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			return probe(ctx, args[0])
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "give up after this long")
	return cmd
}

// probe GETs rawURL, an http or https URL, and fails unless the answer
// is 2xx. It uses no proxy from the environment.
func probe(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("probe %q: want an http:// or https:// URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("redirected")
	}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("probe %s: %s", u.Redacted(), resp.Status)
	}
	return nil
}
