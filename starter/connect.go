package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/connectors/justlogin"
	"github.com/hrsync/hrsync/connectors/merge"
	"github.com/hrsync/hrsync/connectors/registry"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/roster"
)

// credentialKinds says what each connectable system stores.
var credentialKinds = map[string]string{
	"merge":    "api-key",
	"bamboohr": "api-key",
	"scim":     "bearer-token",
}

// defaultHosts is where a system's credential may be sent when connect is
// given no --host: only systems with one fixed public host have one.
var defaultHosts = map[string][]string{
	"merge": {hostOf(merge.DefaultBaseURL)},
}

// scopeFlags bind a credential: the hosts it may be sent to and the
// integrations that may use it.
type scopeFlags struct {
	hosts, integrations []string
}

func (s *scopeFlags) add(f *pflag.FlagSet) {
	f.StringSliceVar(&s.hosts, "host", nil,
		"a host (name or name:port) the credential may be sent to; repeat or comma-separate for several")
	f.StringSliceVar(&s.integrations, "integration", nil,
		"an integration id that may use the credential; repeat for several (default: any)")
}

// scope checks the flags, using defaults when no host is given.
func (s scopeFlags) scope(system string, defaults []string) (credentials.Scope, error) {
	hosts := s.hosts
	if len(hosts) == 0 {
		hosts = defaults
	}
	if len(hosts) == 0 {
		return credentials.Scope{}, fmt.Errorf("connect %s: --host is required: the host(s) this credential may be sent to, such as the directory's", system)
	}
	scope, err := credentials.NewScope(hosts, s.integrations)
	if err != nil {
		return credentials.Scope{}, fmt.Errorf("--host/--integration: %w", err)
	}
	return scope, nil
}

// hostOf is the host of URL raw, "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// describeScope says where a credential may go, for the CLI.
func describeScope(s credentials.Scope) string {
	out := "may be sent to " + strings.Join(s.Hosts, ", ")
	if len(s.Integrations) > 0 {
		out += ", by " + strings.Join(s.Integrations, ", ") + " only"
	}
	return out
}

// vault opens the credential store with HRSYNC_CREDENTIALS_KEY, or with the
// key dev mode keeps beside the store.
func (c *cli) vault(ctx context.Context) (*credentials.Vault, func(), error) {
	st, err := c.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	current, old, err := credentials.KeysFromEnv()
	if os.Getenv(credentials.KeyEnv) == "" {
		data, readErr := os.ReadFile(filepath.Join(filepath.Dir(c.storePath), "credentials.key"))
		if errors.Is(readErr, fs.ErrNotExist) {
			_ = st.Close()
			return nil, nil, err
		}
		if readErr != nil {
			_ = st.Close()
			return nil, nil, readErr
		}
		current, err = credentials.ParseKey(string(data))
	}
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	v, err := credentials.NewVault(st, current, old...)
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	return v, func() { _ = st.Close() }, nil
}

// oauthFlags are connect's flags for an OAuth source (JustLogin).
type oauthFlags struct {
	clientID, secretEnv, redirect, apiURL, authURL, tokenURL string
}

func (c *cli) connectCmd() *cobra.Command {
	var id, fromEnv string
	var oauth oauthFlags
	var bind scopeFlags
	cmd := &cobra.Command{
		Use:   "connect KIND --id ID",
		Short: "Connect a system (merge, bamboohr, scim: a key; justlogin: OAuth) and store its credential, encrypted",
		Long: "For merge, bamboohr and scim, reads the secret from the environment variable named by\n" +
			"--from-env, or from standard input (Merge: <api key>:<account token>). For justlogin, prints\n" +
			"the authorization URL, waits for the redirect to the local callback and stores the token; the\n" +
			"worker saves every refreshed token back to it. Either way the credential is stored encrypted in\n" +
			"the worker's store, the secret is never printed, and configs reference it as store:ID.\n" +
			"The credential is bound to the hosts it may be sent to (--host; Merge and JustLogin have\n" +
			"defaults) and optionally to integrations (--integration): the worker refuses to send it\n" +
			"anywhere else.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := credentials.CheckID(id); err != nil {
				return fmt.Errorf("--id %q: %w", id, err)
			}
			if args[0] == "justlogin" {
				return c.connectJustLogin(cmd, id, oauth, bind)
			}
			kind, ok := credentialKinds[args[0]]
			if !ok {
				return fmt.Errorf("connect %s: unknown system (merge, bamboohr, justlogin, scim)", args[0])
			}
			scope, err := bind.scope(args[0], defaultHosts[args[0]])
			if err != nil {
				return err
			}
			secret, err := readSecret(cmd.InOrStdin(), fromEnv)
			if err != nil {
				return err
			}
			v, closeFn, err := c.vault(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			if err := v.PutScoped(cmd.Context(), id, kind, []byte(secret), scope); err != nil {
				return err
			}
			ref := credentials.RefPrefix + id
			return c.print(map[string]any{"id": id, "kind": kind, "credentialRef": ref, "scope": scope}, func(w io.Writer) {
				fmt.Fprintf(w, "stored %s credential %s (it %s); reference it as credentialRef: %s\n",
					kind, id, describeScope(scope), ref)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&id, "id", "", "name to store the credential under")
	f.StringVar(&fromEnv, "from-env", "", "read the secret from this environment variable instead of standard input")
	f.StringVar(&oauth.clientID, "client-id", "", "justlogin: the OAuth client id JustLogin issued")
	f.StringVar(&oauth.secretEnv, "client-secret-env", "", "justlogin: environment variable holding the OAuth client secret")
	f.StringVar(&oauth.redirect, "redirect-url", "http://127.0.0.1:8765/callback", "justlogin: the callback registered with JustLogin")
	f.StringVar(&oauth.apiURL, "api-url", "", "justlogin: API base URL (default the production one)")
	f.StringVar(&oauth.authURL, "auth-url", "", "justlogin: authorize endpoint (default JustLogin's)")
	f.StringVar(&oauth.tokenURL, "token-url", "", "justlogin: token endpoint (default JustLogin's)")
	bind.add(f)
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

// bindCmd rescopes a stored credential without asking for its secret again.
func (c *cli) bindCmd() *cobra.Command {
	var bind scopeFlags
	cmd := &cobra.Command{
		Use:   "bind ID --host HOST [--host HOST…] [--integration ID…]",
		Short: "Set the hosts a stored credential may be sent to, and the integrations that may use it",
		Long: "Replaces the scope of stored credential ID: the worker sends it only to the hosts given and,\n" +
			"with --integration, only for those integrations. Credentials stored before scopes existed are\n" +
			"bound to no host and refused until bound.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if err := credentials.CheckID(id); err != nil {
				return fmt.Errorf("%q: %w", id, err)
			}
			scope, err := bind.scope("bind", nil)
			if err != nil {
				return err
			}
			v, closeFn, err := c.vault(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			if err := v.Bind(cmd.Context(), id, scope); err != nil {
				return err
			}
			return c.print(map[string]any{"id": id, "scope": scope}, func(w io.Writer) {
				fmt.Fprintf(w, "credential %s %s\n", id, describeScope(scope))
			})
		},
	}
	bind.add(cmd.Flags())
	return cmd
}

// connectJustLogin runs the OAuth code flow and stores the token as id,
// bound to the API and token hosts unless --host says otherwise.
func (c *cli) connectJustLogin(cmd *cobra.Command, id string, o oauthFlags, bind scopeFlags) error {
	if o.clientID == "" || o.secretEnv == "" {
		return errors.New("connect justlogin needs --client-id and --client-secret-env")
	}
	scope, err := bind.scope("justlogin", []string{
		hostOf(cmp.Or(o.apiURL, justlogin.DefaultAPIBaseURL)), hostOf(cmp.Or(o.tokenURL, justlogin.DefaultTokenURL))})
	if err != nil {
		return err
	}
	secret := os.Getenv(o.secretEnv)
	if secret == "" {
		return fmt.Errorf("--client-secret-env: environment variable %q is empty", o.secretEnv)
	}
	v, closeFn, err := c.vault(cmd.Context())
	if err != nil {
		return err
	}
	defer closeFn()
	ref := credentials.RefPrefix + id
	tokens, err := registry.NewVaultTokens(v, ref, nil)
	if err != nil {
		return err
	}
	_, err = justlogin.Connect(cmd.Context(), justlogin.Config{APIBaseURL: o.apiURL, AuthURL: o.authURL,
		TokenURL: o.tokenURL, ClientID: o.clientID, ClientSecret: secret, RedirectURL: o.redirect, Tokens: tokens},
		openURL)
	if err != nil {
		return err
	}
	if err := v.Bind(cmd.Context(), id, scope); err != nil {
		return err
	}
	return c.print(map[string]any{"id": id, "tokenRef": ref, "scope": scope}, func(w io.Writer) {
		fmt.Fprintf(w, "connected JustLogin; the token %s; reference it as oauth.tokenRef: %s\n", describeScope(scope), ref)
	})
}

// readSecret takes the secret from env var name, or the first line of in.
func readSecret(in io.Reader, name string) (string, error) {
	if name != "" {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", name)
		}
		return v, nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("unable to read the secret: %w", err)
	}
	if strings.TrimSpace(line) == "" {
		return "", errors.New("no secret given: pipe it in, or use --from-env")
	}
	return strings.TrimSpace(line), nil
}

func (c *cli) keygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen [ID]",
		Short: "Print a new random key, <id>:<base64 of 32 bytes>, for " + codec.KeyEnv + " or " + credentials.KeyEnv,
		Long: "Prints a new AES-256 key from the system's random source, named ID (default: today's date,\n" +
			"e.g. k20261121). To rotate, put the new key in the variable and move the old one to the\n" +
			"matching _OLD_KEYS variable. The key is a secret: keep it out of shell history and logs.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := "k" + time.Now().UTC().Format("20060102")
			if len(args) == 1 {
				id = args[0]
			}
			key, err := keys.NewKey(id)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.out, key.String())
			return err
		},
	}
}

func (c *cli) fieldsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "fields KIND",
		Short: "List the fields a source (demo, merge, bamboohr, justlogin) supplies, and under which names",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fields, known := registry.Fields(args[0])
			if !known {
				return fmt.Errorf("%s: the source names its own fields (a CSV file's header row), or is unknown", args[0])
			}
			rows := make([]map[string]string, 0, len(roster.Catalogue))
			for _, f := range roster.Catalogue {
				rows = append(rows, map[string]string{"field": string(f), "source": fields[f]})
			}
			return c.print(rows, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "FIELD\tFROM")
				for _, r := range rows {
					from := r["source"]
					if from == "" {
						from = "— (not supplied; map another field to it, or leave it out)"
					}
					fmt.Fprintf(tw, "%s\t%s\n", r["field"], from)
				}
				_ = tw.Flush()
			})
		},
	}
}
