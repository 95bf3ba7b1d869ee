package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/internal/netguard"
)

// envVar is one environment variable the worker reads.
type envVar struct {
	// Name is the variable's name; one ending in "_" is a prefix, and every
	// variable starting with it is read (HRSYNC_SECRET_<NAME>).
	Name string
	// Meaning says what it sets, in one line.
	Meaning string
}

// workerEnv is every HRSYNC_ and TEMPORAL_ variable the worker, and the
// packages it uses, read: `worker --help` lists it, and a test walks the
// sources to keep the two in step (TestWorkerEnvTableMatchesTheSources).
var workerEnv = []envVar{
	{"TEMPORAL_ADDRESS", "Temporal frontend, host:port (default 127.0.0.1:7233)"},
	{"TEMPORAL_NAMESPACE", "Temporal namespace (default \"default\")"},
	{"TEMPORAL_API_KEY", "API key, e.g. Temporal Cloud's; turns TLS on"},
	{"TEMPORAL_TLS", "true or false; false turns TLS off whatever else is set"},
	{"TEMPORAL_TLS_CLIENT_CERT_PATH", "client certificate for mTLS, a PEM file"},
	{"TEMPORAL_TLS_CLIENT_CERT_DATA", "client certificate for mTLS, inline PEM"},
	{"TEMPORAL_TLS_CLIENT_KEY_PATH", "its private key, a PEM file"},
	{"TEMPORAL_TLS_CLIENT_KEY_DATA", "its private key, inline PEM"},
	{"TEMPORAL_TLS_SERVER_CA_CERT_PATH", "CA certificates to trust instead of the system's, a PEM file"},
	{"TEMPORAL_TLS_SERVER_CA_CERT_DATA", "CA certificates to trust instead of the system's, inline PEM"},
	{"TEMPORAL_TLS_SERVER_NAME", "name to expect in the server's certificate"},
	{"TEMPORAL_TLS_DISABLE_HOST_VERIFICATION", "true: do not check the server's name (the chain still is)"},
	{codec.KeyEnv, "payload key, <id>:<base64 of 32 bytes> (`starter keygen`); required unless --allow-plaintext-history"},
	{codec.OldKeysEnv, "older payload keys, comma-separated: histories they sealed still decode"},
	{credentials.KeyEnv, "store key: seals stored credentials, keys identity digests"},
	{credentials.OldKeysEnv, "older store keys, comma-separated"},
	{"HRSYNC_STORE", "the store, a SQLite file or a postgres:// DSN (--store)"},
	{"HRSYNC_CSV_DIRS", "folders CSV sources may read, comma-separated (--csv-dir)"},
	{"HRSYNC_WEB_UI_URL", "the Temporal Web UI's base URL, for links in notices (--web-ui-url)"},
	{allowLoopbackEnv, "true: integrations may reach loopback addresses (--" + netguard.LoopbackFlag + ")"},
	{allowPrivateEnv, "true: integrations may reach private addresses (--" + netguard.PrivateFlag + ")"},
	{workflowPollersEnv, "long polls kept open for workflow tasks (--workflow-pollers)"},
	{activityPollersEnv, "long polls kept open for activity tasks (--activity-pollers)"},
	{debugAddrEnv, "serve Go profiles on this address (--debug-addr)"},
	{"HRSYNC_METRICS_ADDR", "serve /metrics, /healthz and /readyz on this address (--metrics-addr)"},
	{codecAddrEnv, "serve the Web UI's codec server on this address (--codec-addr)"},
	{codecTokenEnv, "the codec server's static bearer token"},
	{codecOriginsEnv, "Web UI origins the codec server answers browsers from, comma-separated (--codec-origin)"},
	{codecIssuerEnv, "accept forwarded access tokens from this OIDC issuer (--codec-oidc-issuer)"},
	{codecAudienceEnv, "audience those tokens must carry (--codec-oidc-audience)"},
	{codecClaimEnv, "claim holding Temporal permissions (--codec-oidc-permissions-claim)"},
	{temporalPostgresEnv, "dev mode: the embedded Temporal's databases on this PostgreSQL server (--temporal-postgres)"},
	{credentials.EnvPrefix, "a secret configs may name (env:…), sent only to the hosts in its …" + credentials.HostsSuffix + " companion"},
}

// readsEnv says whether the worker reads variable name.
func readsEnv(name string) bool {
	for _, v := range workerEnv {
		if v.Name == name || (strings.HasSuffix(v.Name, "_") && strings.HasPrefix(name, v.Name) && len(name) > len(v.Name)) {
			return true
		}
	}
	return false
}

// envHelp is the Environment section of `worker --help`.
func envHelp() string {
	var b strings.Builder
	b.WriteString("\nEnvironment:\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, v := range workerEnv {
		name := v.Name
		if strings.HasSuffix(name, "_") {
			name += "<NAME>"
		}
		fmt.Fprintf(w, "  %s\t%s\n", name, v.Meaning)
	}
	_ = w.Flush()
	return b.String()
}
