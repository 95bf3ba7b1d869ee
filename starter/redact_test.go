package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/integration"
	"github.com/hrsync/hrsync/notify"
)

func TestRedactConfigHidesTheSecretsURLsCarry(t *testing.T) {
	cfg := integration.Config{
		Source: integration.Endpoint{Kind: "merge", URL: "https://api.merge.dev/api/hris/v1?token=abc&x=1"},
		Target: integration.Endpoint{Kind: "scim", URL: "https://bob:hunter2@people.example/scim/v2"},
		Notify: notify.Config{Webhook: &notify.WebhookConfig{URL: "https://hooks.example/services/T0/B0/s3cr3t?key=k"}},
	}
	got := redactConfig(cfg)
	require.Equal(t, "https://api.merge.dev/api/hris/v1?token=REDACTED&x=REDACTED", got.Source.URL)
	require.Equal(t, "https://bob:REDACTED@people.example/scim/v2", got.Target.URL)
	require.Equal(t, "https://hooks.example/REDACTED?key=REDACTED", got.Notify.Webhook.URL)
	require.Equal(t, "https://hooks.example/services/T0/B0/s3cr3t?key=k", cfg.Notify.Webhook.URL, "the config itself is untouched")
	require.Equal(t, "http://127.0.0.1:8280", redactURL("http://127.0.0.1:8280", false))
	require.Empty(t, redactURL("", true))
}
