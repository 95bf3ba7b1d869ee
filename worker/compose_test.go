package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/hrsync/hrsync/workflows"
)

// The binaries the image holds, as the Dockerfile installs them.
const (
	workerBinary  = "/usr/local/bin/worker"
	starterBinary = "/usr/local/bin/starter"
)

// compose is the part of a docker-compose.yml the check reads.
type compose struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Entrypoint  words             `yaml:"entrypoint"`
	Command     words             `yaml:"command"`
	Environment envList           `yaml:"environment"`
	Ports       []any             `yaml:"ports"`
	Expose      []any             `yaml:"expose"`
	Volumes     []any             `yaml:"volumes"`
	Healthcheck *composeHealthchk `yaml:"healthcheck"`
}

type composeHealthchk struct {
	Test words `yaml:"test"`
}

// words is a command: a list, or a string split at spaces.
type words []string

func (w *words) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*w = strings.Fields(n.Value)
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*w = list
	return nil
}

// envList is a service's environment, in either of compose's forms, in
// the order written.
type envList []envEntry

type envEntry struct{ Name, Value string }

func (e *envList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			*e = append(*e, envEntry{n.Content[i].Value, n.Content[i+1].Value})
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			name, value, _ := strings.Cut(item.Value, "=")
			*e = append(*e, envEntry{name, value})
		}
	default:
		return fmt.Errorf("line %d: environment: want a mapping or a list", n.Line)
	}
	return nil
}

func (e envList) get(name string) (string, bool) {
	for _, v := range e {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// interpolation is a ${NAME…} compose fills in from the host's environment.
var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`)

// dockerfile is what the check needs of the Dockerfile: the final stage's
// ENTRYPOINT, CMD (exec form) and ENV names.
type dockerfile struct {
	Entrypoint, Cmd []string
	Env             []string
}

func readDockerfile(data []byte) (dockerfile, error) {
	var d dockerfile
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		word, rest, _ := strings.Cut(line, " ")
		var into *[]string
		switch strings.ToUpper(word) {
		case "FROM": // a new stage starts afresh
			d = dockerfile{}
		case "ENTRYPOINT":
			into = &d.Entrypoint
		case "CMD":
			into = &d.Cmd
		case "ENV":
			name, _, _ := strings.Cut(strings.TrimSpace(rest), "=")
			d.Env = append(d.Env, strings.Fields(name)[0])
		}
		if into != nil {
			if err := json.Unmarshal([]byte(rest), into); err != nil {
				return d, fmt.Errorf("%s %s: want the exec form, a JSON list", word, rest)
			}
		}
	}
	return d, nil
}

// composeCheck is what a compose file is checked against: the worker's
// command tree, the variables the worker and the starter read, and the
// files next to it.
type composeCheck struct {
	dir        string // the compose file's folder
	dockerfile dockerfile
	worker     func() *cobra.Command
	workerEnv  func(string) bool
	starterEnv func(string) bool
}

// check returns every way compose disagrees with the worker, each naming
// the service and what is wrong.
func (c composeCheck) check(data []byte) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var f compose
	if err := yaml.Unmarshal(data, &f); err != nil {
		return []string{"docker-compose.yml: " + err.Error()}
	}
	for _, name := range c.dockerfile.Env {
		if !c.workerEnv(name) {
			bad("Dockerfile: ENV %s is not a variable the worker reads", name)
		}
	}
	var workers []workerService
	for _, name := range slices.Sorted(mapKeys(f.Services)) {
		s := f.Services[name]
		if s.Build == nil && !strings.HasPrefix(s.Image, "hrsync") {
			continue // not built from this repository
		}
		entrypoint, args := c.dockerfile.Entrypoint, c.dockerfile.Cmd
		if s.Entrypoint != nil {
			entrypoint, args = s.Entrypoint, nil
		}
		if s.Command != nil {
			args = s.Command
		}
		if len(entrypoint) == 0 {
			bad("service %s: no entrypoint, in the service or the Dockerfile", name)
			continue
		}
		// Interpolated host variables named like hrsync's carry the same meaning.
		for _, e := range s.Environment {
			for _, m := range interpolation.FindAllStringSubmatch(e.Value, -1) {
				if envNamePattern.MatchString(m[1]) && m[1] != e.Name {
					bad("service %s: environment %s takes ${%s}, another hrsync variable's name", name, e.Name, m[1])
				}
			}
		}
		switch bin := entrypoint[0]; bin {
		case starterBinary:
			for _, e := range s.Environment {
				if !c.starterEnv(e.Name) {
					bad("service %s: environment %s is not a variable the starter reads", name, e.Name)
				}
			}
			if args = append(slices.Clone(entrypoint[1:]), args...); len(args) > 0 {
				// The starter is package main of ./starter: its flags cannot
				// be checked from here, so the compose file fixes none.
				bad("service %s: the starter's arguments %q are not checked; leave them to `docker compose run`", name, args)
			}
			continue
		case workerBinary:
		default:
			bad("service %s: entrypoint %s is neither %s nor %s", name, bin, workerBinary, starterBinary)
			continue
		}
		args = append(slices.Clone(entrypoint[1:]), args...)
		for _, e := range s.Environment {
			if !c.workerEnv(e.Name) {
				bad("service %s: environment %s is not a variable the worker reads", name, e.Name)
			}
		}
		cmd, rest, err := c.worker().Find(args)
		if err == nil {
			err = cmd.ParseFlags(rest)
		}
		if err != nil {
			bad("service %s: %v, in `worker %s`", name, err, strings.Join(args, " "))
			continue
		}
		if cmd.HasParent() {
			bad("service %s: runs `worker %s`, not the worker", name, cmd.Name())
			continue
		}
		if len(cmd.Flags().Args()) > 0 {
			bad("service %s: worker takes no arguments, got %q", name, cmd.Flags().Args())
		}
		metrics := c.address(cmd, s.Environment, "metrics-addr", "HRSYNC_METRICS_ADDR", name, &problems)
		codecAddr := c.address(cmd, s.Environment, "codec-addr", codecAddrEnv, name, &problems)
		metricsPort, codecPort := port(metrics), port(codecAddr)
		if metrics == "" {
			bad("service %s: serves no metrics: set --metrics-addr or HRSYNC_METRICS_ADDR", name)
		}
		for _, p := range append(slices.Clone(s.Ports), s.Expose...) {
			container, err := containerPort(p)
			switch {
			case err != nil:
				bad("service %s: port %v: %v", name, p, err)
			case container != metricsPort && container != codecPort:
				bad("service %s: port %s is neither the metrics address (%q) nor the codec address (%q)",
					name, container, metrics, codecAddr)
			}
		}
		c.checkHealthcheck(name, s, metricsPort, &problems)
		if len(workers) > 0 && !slices.Equal(args, workers[0].args) {
			bad("service %s: runs `worker %s`, service %s `worker %s`; replicas run alike",
				name, strings.Join(args, " "), workers[0].name, strings.Join(workers[0].args, " "))
		}
		workers = append(workers, workerService{name: name, metricsPort: metricsPort, env: s.Environment, args: args})
	}

	// Replicas: at least two, on one shared store, Temporal and namespace.
	if len(workers) < 2 {
		bad("docker-compose.yml: %d worker services; production runs at least two", len(workers))
	}
	for _, w := range workers {
		st, _ := w.env.get("HRSYNC_STORE")
		if !strings.HasPrefix(st, "postgres://") && !strings.HasPrefix(st, "postgresql://") {
			bad("service %s: HRSYNC_STORE %q is not a postgres:// store several workers can share", w.name, st)
		}
		for _, v := range []string{"HRSYNC_STORE", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", codecTokenEnv, "HRSYNC_PAYLOAD_KEY"} {
			mine, _ := w.env.get(v)
			first, _ := workers[0].env.get(v)
			if mine != first {
				bad("service %s: %s differs from service %s's", w.name, v, workers[0].name)
			}
		}
	}
	c.checkPrometheus(f, workers, &problems)
	c.checkSearchAttributes(f, &problems)
	return problems
}

// workerService is a worker the compose file runs.
type workerService struct {
	name, metricsPort string
	env               envList
	args              []string
}

// address is where the worker serves what flag says: the flag if the
// command sets it, else the variable, else the flag's default.
func (c composeCheck) address(cmd *cobra.Command, env envList, flag, variable, service string, problems *[]string) string {
	fl := cmd.Flags().Lookup(flag)
	if fl == nil {
		*problems = append(*problems, fmt.Sprintf("service %s: the worker has no --%s flag", service, flag))
		v, _ := env.get(variable)
		return v
	}
	if fl.Changed {
		return fl.Value.String()
	}
	if v, ok := env.get(variable); ok {
		return v
	}
	return fl.DefValue
}

// checkHealthcheck wants the service's healthcheck to ask its own metrics
// port for /readyz with a command the image has.
func (c composeCheck) checkHealthcheck(name string, s composeService, metricsPort string, problems *[]string) {
	bad := func(format string, args ...any) {
		*problems = append(*problems, fmt.Sprintf("service %s: healthcheck: ", name)+fmt.Sprintf(format, args...))
	}
	if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 {
		bad("none; want %s probe http://127.0.0.1:<metrics port>/readyz", workerBinary)
		return
	}
	test := s.Healthcheck.Test
	if test[0] != "CMD" || test[1] != workerBinary {
		bad("%q: the image has no shell or curl; want [CMD, %s, probe, URL]", test, workerBinary)
		return
	}
	cmd, rest, err := c.worker().Find(test[2:])
	if err == nil {
		err = cmd.ParseFlags(rest)
	}
	if err != nil || cmd.Name() != "probe" || len(cmd.Flags().Args()) != 1 {
		bad("%q is not `worker probe URL` (%v)", test, err)
		return
	}
	u, err := url.Parse(cmd.Flags().Arg(0))
	if err != nil || u.Path != "/readyz" || u.Port() != metricsPort || !slices.Contains([]string{"127.0.0.1", "localhost", "::1"}, u.Hostname()) {
		bad("probes %s; want http://127.0.0.1:%s/readyz, the metrics port", cmd.Flags().Arg(0), metricsPort)
	}
}

// checkPrometheus wants the Prometheus service's configuration to scrape
// every worker on its metrics port, and Temporal on its metrics endpoint,
// and to name no host that is not a service.
func (c composeCheck) checkPrometheus(f compose, workers []workerService, problems *[]string) {
	bad := func(format string, args ...any) { *problems = append(*problems, fmt.Sprintf(format, args...)) }
	var config string
	for _, name := range slices.Sorted(mapKeys(f.Services)) {
		if !strings.HasPrefix(f.Services[name].Image, "prom/prometheus") {
			continue
		}
		for _, v := range f.Services[name].Volumes {
			if s, ok := v.(string); ok {
				parts := strings.Split(s, ":")
				if len(parts) >= 2 && parts[1] == "/etc/prometheus/prometheus.yml" {
					config = parts[0]
				}
			}
		}
		if config == "" {
			bad("service %s: mounts no /etc/prometheus/prometheus.yml", name)
			return
		}
	}
	if config == "" {
		bad("docker-compose.yml: no Prometheus service (image prom/prometheus)")
		return
	}
	data, err := os.ReadFile(filepath.Join(c.dir, config))
	if err != nil {
		bad("%s: %v", config, err)
		return
	}
	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &prom); err != nil {
		bad("%s: %v", config, err)
		return
	}
	targets := map[string]bool{}
	for _, job := range prom.ScrapeConfigs {
		for _, sc := range job.StaticConfigs {
			for _, target := range sc.Targets {
				host, _, err := net.SplitHostPort(target)
				if _, ok := f.Services[host]; err != nil || !ok {
					bad("%s: job %s scrapes %s, which is no service's host:port", config, job.JobName, target)
				}
				if job.MetricsPath == "" || job.MetricsPath == "/metrics" {
					targets[target] = true
				}
			}
		}
	}
	for _, w := range workers {
		if target := net.JoinHostPort(w.name, w.metricsPort); !targets[target] {
			bad("%s: no job scrapes %s/metrics, service %s's metrics", config, target, w.name)
		}
	}
	for _, name := range slices.Sorted(mapKeys(f.Services)) {
		if !strings.HasPrefix(f.Services[name].Image, "temporalio/server") {
			continue
		}
		endpoint, _ := f.Services[name].Environment.get("PROMETHEUS_ENDPOINT")
		if endpoint == "" {
			bad("service %s: sets no PROMETHEUS_ENDPOINT, so Temporal serves no metrics", name)
		} else if target := net.JoinHostPort(name, port(endpoint)); !targets[target] {
			bad("%s: no job scrapes %s/metrics, service %s's PROMETHEUS_ENDPOINT", config, target, name)
		}
	}
}

// registeredAttribute is `--name X --type Y` in a temporal operator
// search-attribute create command.
var registeredAttribute = regexp.MustCompile(`search-attribute create\b[^\n]*?--name[ =](\w+)[^\n]*?--type[ =](\w+)`)

// checkSearchAttributes wants every search attribute hrsync sets
// registered, with its type, by some service's command, and no other.
func (c composeCheck) checkSearchAttributes(f compose, problems *[]string) {
	registered := map[string]string{}
	for _, name := range slices.Sorted(mapKeys(f.Services)) {
		s := f.Services[name]
		script := strings.Join(append(slices.Clone(s.Entrypoint), s.Command...), " ")
		for _, m := range registeredAttribute.FindAllStringSubmatch(script, -1) {
			registered[m[1]] = m[2]
		}
	}
	want := workflows.SearchAttributes()
	for _, name := range slices.Sorted(mapKeys(want)) {
		typ := strings.ReplaceAll(strings.TrimPrefix(want[name].String(), "INDEXED_VALUE_TYPE_"), "_", "")
		got, ok := registered[name]
		switch {
		case !ok:
			*problems = append(*problems, fmt.Sprintf("docker-compose.yml: no service registers the search attribute %s (%s)", name, typ))
		case !strings.EqualFold(got, typ):
			*problems = append(*problems, fmt.Sprintf("docker-compose.yml: search attribute %s registered as %s; hrsync sets a %s", name, got, typ))
		}
	}
	for _, name := range slices.Sorted(mapKeys(registered)) {
		if _, ok := want[name]; !ok {
			*problems = append(*problems, fmt.Sprintf("docker-compose.yml: registers the search attribute %s, which hrsync does not set", name))
		}
	}
}

func mapKeys[M ~map[K]V, K comparable, V any](m M) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// port is the port of a listen address such as ":9090"; "" for none.
func port(addr string) string {
	if addr == "" {
		return ""
	}
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return p
}

// containerPort is the container's side of a compose port: "9090",
// "8234:8234", "127.0.0.1:8234:8234", "9090/tcp", or the long form's target.
func containerPort(p any) (string, error) {
	switch v := p.(type) {
	case int:
		return fmt.Sprint(v), nil
	case string:
		parts := strings.Split(v, ":")
		last, _, _ := strings.Cut(parts[len(parts)-1], "/")
		if last == "" || strings.Contains(last, "-") {
			return "", fmt.Errorf("want one port, got %q", v)
		}
		return last, nil
	case map[string]any:
		if t, ok := v["target"]; ok {
			return fmt.Sprint(t), nil
		}
	}
	return "", fmt.Errorf("unreadable port %v", p)
}

// newComposeCheck checks against this repository: its Dockerfile, the
// worker's commands and the variables the worker and the starter read.
func newComposeCheck(t *testing.T) composeCheck {
	t.Helper()
	data, err := os.ReadFile("../Dockerfile")
	require.NoError(t, err)
	df, err := readDockerfile(data)
	require.NoError(t, err)
	starter := sourceEnvNames(t, "../starter")
	return composeCheck{dir: "..", dockerfile: df, worker: newRootCmd, workerEnv: readsEnv,
		starterEnv: func(name string) bool { _, ok := starter[name]; return ok }}
}

// TestDockerComposeAgreesWithTheWorker checks docker-compose.yml, which no
// machine here can run, against the worker it runs: every hrsync service's
// flags parse as the worker's, its variables are ones the worker (or, for
// the CLI, the starter) reads, its ports are its metrics and codec
// addresses, its healthcheck asks its metrics port for /readyz; there are
// two workers on one PostgreSQL store; Prometheus scrapes each of them and
// Temporal; hrsync's search attributes are registered.
func TestDockerComposeAgreesWithTheWorker(t *testing.T) {
	data, err := os.ReadFile("../docker-compose.yml")
	require.NoError(t, err)
	problems := newComposeCheck(t).check(data)
	require.Empty(t, problems, strings.Join(problems, "\n"))
}

// withMetricsFlag is the worker's command tree with a --metrics-addr flag
// (env HRSYNC_METRICS_ADDR) if it has none yet, so the tests of the check
// itself run before that flag's branch is merged.
func withMetricsFlag() *cobra.Command {
	cmd := newRootCmd()
	if cmd.Flags().Lookup("metrics-addr") == nil {
		cmd.Flags().String("metrics-addr", "", "")
	}
	return cmd
}

func TestDockerComposeCheckNamesWhatIsWrong(t *testing.T) {
	c := newComposeCheck(t)
	c.worker = withMetricsFlag

	t.Run("a small file", func(t *testing.T) {
		problems := strings.Join(c.check([]byte(`
services:
  worker-1:
    build: .
    command: ["--stroe", "/tmp/x.db"]
    environment:
      HRSYNC_PAYLOD_KEY: x
  worker-cli:
    image: hrsync:local
    entrypoint: ["/usr/local/bin/starter"]
    environment:
      HRSYNC_CODEC_TOKEN: x
`)), "\n")
		require.Contains(t, problems, "service worker-1: unknown flag: --stroe")
		require.Contains(t, problems, "service worker-1: environment HRSYNC_PAYLOD_KEY is not a variable the worker reads")
		require.Contains(t, problems, "service worker-cli: environment HRSYNC_CODEC_TOKEN is not a variable the starter reads")
		require.Contains(t, problems, "no Prometheus service")
		require.Contains(t, problems, "no service registers the search attribute IntegrationId (Keyword)")
	})

	compose, err := os.ReadFile("../docker-compose.yml")
	require.NoError(t, err)
	prometheus, err := os.ReadFile("../deploy/prometheus.yml")
	require.NoError(t, err)
	require.Empty(t, c.check(compose), "the real file, before any change")
	for _, tc := range []struct {
		name, file, old, new string
		want                 []string
	}{
		{"a misspelt flag", "compose", "--codec-addr=", "--codec-adr=",
			[]string{"service worker-1: unknown flag: --codec-adr", "service worker-2: unknown flag: --codec-adr"}},
		{"a misspelt variable", "compose", "HRSYNC_CREDENTIALS_OLD_KEYS:", "HRSYNC_CREDENTIAL_OLD_KEYS:",
			[]string{"service worker-1: environment HRSYNC_CREDENTIAL_OLD_KEYS is not a variable the worker reads"}},
		{"another variable's value", "compose", "HRSYNC_PAYLOAD_OLD_KEYS: ${HRSYNC_PAYLOAD_OLD_KEYS", "HRSYNC_PAYLOAD_OLD_KEYS: ${HRSYNC_CREDENTIALS_OLD_KEYS",
			[]string{"service worker-1: environment HRSYNC_PAYLOAD_OLD_KEYS takes ${HRSYNC_CREDENTIALS_OLD_KEYS}"}},
		{"a port nothing listens on", "compose", `- "8234"`, `- "8235"`,
			[]string{`service worker-2: port 8235 is neither the metrics address (":9090") nor the codec address (":8234")`}},
		{"a healthcheck on another port", "compose", "9090/readyz", "9091/readyz",
			[]string{"service worker-1: healthcheck: probes http://127.0.0.1:9091/readyz; want http://127.0.0.1:9090/readyz"}},
		{"a healthcheck on /healthz", "compose", "9090/readyz", "9090/healthz",
			[]string{"service worker-2: healthcheck: probes http://127.0.0.1:9090/healthz"}},
		{"a shell healthcheck", "compose", `["CMD", "/usr/local/bin/worker", "probe",`, `["CMD", "curl", "-f",`,
			[]string{"service worker-1: healthcheck: "}},
		{"metrics moved but not their port", "compose", "--metrics-addr=:9090", "--metrics-addr=:9100",
			[]string{`port 9090 is neither the metrics address (":9100")`, "healthcheck: probes http://127.0.0.1:9090/readyz; want http://127.0.0.1:9100/readyz",
				"no job scrapes worker-1:9100/metrics"}},
		{"a SQLite store", "compose", "HRSYNC_STORE: postgres://hrsync", "HRSYNC_STORE: /var/lib/hrsync/hrsync.db#",
			[]string{`service worker-1: HRSYNC_STORE "/var/lib/hrsync/hrsync.db#`}},
		{"one worker", "compose", "  worker-2:\n    <<: *hrsync-worker\n", "",
			[]string{"1 worker services; production runs at least two", "job hrsync scrapes worker-2:9090, which is no service's host:port"}},
		{"replicas run differently", "compose", "  worker-2:\n    <<: *hrsync-worker\n",
			"  worker-2:\n    <<: *hrsync-worker\n    command: [--metrics-addr=:9090, --codec-addr=:8234]\n",
			[]string{"service worker-2: runs `worker --metrics-addr=:9090 --codec-addr=:8234`, service worker-1 `worker --metrics-addr=:9090"}},
		{"a search attribute of another type", "compose", "--name SyncStatus --type Keyword", "--name SyncStatus --type Text",
			[]string{"search attribute SyncStatus registered as Text; hrsync sets a Keyword"}},
		{"Temporal without metrics", "compose", "PROMETHEUS_ENDPOINT: 0.0.0.0:8000", "PROMETHEUS_ENDPOINTS: 0.0.0.0:8000",
			[]string{"service temporal: sets no PROMETHEUS_ENDPOINT"}},
		{"a worker Prometheus does not scrape", "prometheus", `"worker-2:9090"`, `"worker-3:9090"`,
			[]string{"job hrsync scrapes worker-3:9090, which is no service's host:port", "no job scrapes worker-2:9090/metrics, service worker-2's metrics"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c
			c.dir = t.TempDir()
			files := map[string][]byte{"compose": compose, "prometheus": prometheus}
			require.Contains(t, string(files[tc.file]), tc.old)
			files[tc.file] = []byte(strings.Replace(string(files[tc.file]), tc.old, tc.new, 1))
			require.NoError(t, os.MkdirAll(filepath.Join(c.dir, "deploy"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(c.dir, "deploy", "prometheus.yml"), files["prometheus"], 0o644))
			problems := strings.Join(c.check(files["compose"]), "\n")
			for _, want := range tc.want {
				require.Contains(t, problems, want)
			}
		})
	}
}

// readmeWorker is the worker command README.md's "Production" section
// shows: the variables set before `worker`, and its arguments.
func readmeWorker(readme string) (env, args []string, err error) {
	_, section, ok := strings.Cut(readme, "\n## Production\n")
	if !ok {
		return nil, nil, fmt.Errorf("README.md has no Production section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, block := range strings.Split(section, "```sh\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		words := shellWords(strings.ReplaceAll(block, "\\\n", " "))
		i := slices.Index(words, "worker")
		if i < 0 {
			continue
		}
		for _, w := range words[:i] {
			name, _, ok := strings.Cut(w, "=")
			if !ok || !envNamePattern.MatchString(name) {
				return nil, nil, fmt.Errorf("README.md, Production: %q before `worker` is not a VARIABLE=value", w)
			}
			env = append(env, name)
		}
		return env, words[i+1:], nil
	}
	return nil, nil, fmt.Errorf("README.md, Production: no sh block runs `worker`")
}

// shellWords splits s at blanks outside single quotes, dropping the quotes.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, in = !quoted, true
		case !quoted && (r == ' ' || r == '\n' || r == '\t'):
			if in {
				words, in = append(words, w.String()), false
				w.Reset()
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// TestReadmeProductionRunsTheComposeWorkers holds README.md's "Production"
// worker to docker-compose.yml's: the same arguments, the same variables.
func TestReadmeProductionRunsTheComposeWorkers(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	env, args, err := readmeWorker(string(readme))
	require.NoError(t, err)
	data, err := os.ReadFile("../docker-compose.yml")
	require.NoError(t, err)
	var f compose
	require.NoError(t, yaml.Unmarshal(data, &f))
	seen := 0
	for _, name := range slices.Sorted(mapKeys(f.Services)) {
		s := f.Services[name]
		if (s.Build == nil && !strings.HasPrefix(s.Image, "hrsync")) || s.Entrypoint != nil {
			continue // not the image's worker
		}
		seen++
		var names []string
		for _, e := range s.Environment {
			names = append(names, e.Name)
		}
		require.Equal(t, []string(s.Command), args, "service %s's command and README.md's worker", name)
		require.ElementsMatch(t, names, env, "service %s's environment and README.md's worker", name)
	}
	require.GreaterOrEqual(t, seen, 2)
}
