package credentials

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// EnvPrefix starts the name of every environment variable a configuration
// may reference ("env:HRSYNC_SECRET_SCIM_TOKEN"). Anything else in the
// worker's environment — its own keys and tokens above all — cannot be
// named by a configuration.
const EnvPrefix = "HRSYNC_SECRET_"

// HostsSuffix names the companion variable that binds an environment
// secret to hosts: HRSYNC_SECRET_SCIM_TOKEN may be sent only to the hosts
// listed, comma-separated, in HRSYNC_SECRET_SCIM_TOKEN_HOSTS.
const HostsSuffix = "_HOSTS"

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckEnvName says whether a configuration may reference the environment
// variable name.
func CheckEnvName(name string) error {
	if !envNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not an environment variable name (letters, digits and '_', not starting with a digit)", name)
	}
	rest, ok := strings.CutPrefix(name, EnvPrefix)
	if !ok || rest == "" {
		return fmt.Errorf("%s cannot be referenced: only variables named %s<NAME> can, so a configuration never reaches the worker's own keys", name, EnvPrefix)
	}
	if strings.HasSuffix(name, HostsSuffix) {
		return fmt.Errorf("%s names the hosts of a secret, not a secret", name)
	}
	return nil
}

// EnvSecret reads the environment variable name, through getenv (nil:
// os.Getenv), to send to use.Hosts. The name must pass CheckEnvName, and
// when use names hosts, the variable's <name>_HOSTS must allow each of
// them; a secret that is never sent (an HMAC key) passes no hosts.
func EnvSecret(getenv func(string) string, name string, use Use) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := CheckEnvName(name); err != nil {
		return "", err
	}
	v := getenv(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set on the worker", name)
	}
	if len(use.Hosts) == 0 {
		return v, nil
	}
	hosts := getenv(name + HostsSuffix)
	if strings.TrimSpace(hosts) == "" {
		return "", fmt.Errorf("%s is bound to no host: list the hosts it may be sent to in %s%s on the worker", name, name, HostsSuffix)
	}
	scope, err := ParseHosts(hosts)
	if err != nil {
		return "", fmt.Errorf("%s%s: %w", name, HostsSuffix, err)
	}
	if err := scope.Allows(use); err != nil {
		return "", fmt.Errorf("%s refused: %w (%s%s)", name, err, name, HostsSuffix)
	}
	return v, nil
}
