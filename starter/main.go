// Command starter is the operator's CLI for hrsync: create integrations,
// read their state and history, sync on demand, pause, resume, approve or
// reject a blocked sync, remove an integration, and connect or disconnect
// the credentials integrations use. It talks to Temporal at
// TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (default 127.0.0.1:7233, default).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/internal/temporalenv"
	"github.com/hrsync/hrsync/operator"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// The starter's exit codes.
const (
	// exitFailed: the command failed; the error says why.
	exitFailed = 1
	// exitAwaitingApproval: sync --wait found the run held for an
	// administrator's approval.
	exitAwaitingApproval = 3
)

// exitError ends the starter with code. A nil err means the command has
// already printed what it had to say.
type exitError struct {
	code int
	err  error
}

// Error is the error's message, or names the exit code when it has none.
func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}

// Unwrap is the error the exit code goes with.
func (e *exitError) Unwrap() error { return e.err }

// run runs the starter with args and returns its exit code. Errors go to
// stderr as text, or with --json to stdout as {"error": "..."}, so a
// script reading --json output always reads JSON.
func run(args []string, stdout, stderr io.Writer) int {
	root, c := newCLI(stdout)
	root.SetArgs(args)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	code := exitFailed
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code
		}
	}
	// A flag the parser refused leaves --json unparsed.
	if c.json || slices.Contains(args, "--json") || slices.Contains(args, "--json=true") {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]string{"error": err.Error()})
		return code
	}
	fmt.Fprintln(stderr, "error:", err)
	return code
}

// cli carries what every command needs.
type cli struct {
	out       io.Writer
	json      bool
	storePath string
	dataDir   string
	// allowPlaintext lets create and update run without a payload key.
	allowPlaintext bool
	conn           temporalenv.Connection
	connErr        error // from reading conn from the environment
	operator       func(ctx context.Context) (*operator.Operator, func(), error)
}

// openURL shows a person a page to open (an OAuth consent page); tests
// replace it with a browser of their own.
var openURL = func(u string) {
	fmt.Fprintf(os.Stderr, "Open this address to authorise hrsync:\n  %s\n", u)
}

// newRootCmd is the starter's command tree, printing to out.
func newRootCmd(out io.Writer) *cobra.Command {
	root, _ := newCLI(out)
	return root
}

// newCLI builds the command tree and the state its commands share.
func newCLI(out io.Writer) (*cobra.Command, *cli) {
	conn, connErr := temporalenv.FromEnv()
	c := &cli{out: out, conn: conn, connErr: connErr}
	c.operator = c.dial
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Operate hrsync integrations",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVar(&c.json, "json", false, "print machine-readable JSON")
	storePath := os.Getenv("HRSYNC_STORE")
	if storePath == "" {
		storePath = defaultStore
	}
	root.PersistentFlags().StringVar(&c.storePath, "store", storePath,
		"the worker's store, for plan details, reports and previews (env HRSYNC_STORE)")
	root.PersistentFlags().BoolVar(&c.allowPlaintext, "allow-plaintext-history", false,
		"work without a payload key, with a worker run the same way: create and update put the configuration in workflow history in the clear")
	root.PersistentFlags().StringVar(&c.dataDir, "data-dir", ".hrsync",
		"dev mode's data dir, where its payload key is kept when "+codec.KeyEnv+" is not set")
	root.AddCommand(
		c.createCmd(), c.updateCmd(), c.listCmd(), c.statusCmd(), c.syncCmd(), c.pauseCmd(), c.resumeCmd(),
		c.approveCmd(), c.rejectCmd(), c.removeCmd(), c.historyCmd(), c.previewCmd(), c.reportCmd(), c.reviewCmd(),
		c.connectCmd(), c.bindCmd(), c.disconnectCmd(), c.fieldsCmd(), c.keygenCmd(),
	)
	return root, c
}

// dial connects to Temporal. The CLI logs nothing of its own beyond errors.
func (c *cli) dial(ctx context.Context) (*operator.Operator, func(), error) {
	if c.connErr != nil {
		return nil, nil, c.connErr
	}
	// The worker's payload key decodes what it encrypted: run results,
	// query answers, progress. Without one, payloads are in the clear.
	dc, _, err := codec.LoadConverter(filepath.Join(c.dataDir, codec.KeyFile))
	if err != nil && !errors.Is(err, codec.ErrNoKey) {
		return nil, nil, err
	}
	conn := c.conn
	conn.DataConverter = dc
	if err == nil {
		conn.FailureConverter = codec.FailureConverter(dc)
	}
	cl, err := conn.Dial(ctx, zap.NewNop())
	if err != nil {
		return nil, nil, err
	}
	return operator.New(cl, dc), cl.Close, nil
}

// requirePayloadKey refuses to go on without the worker's payload key:
// unread, because what the command would send or read is encrypted (why
// says what), before anything is sent. Create and update would put a
// configuration's admin emails, webhook and credential references in
// workflow history in the clear; every other command would act and then
// fail to read the worker's answer. With --allow-plaintext-history (for a
// worker run the same way) a missing key is no error.
func (c *cli) requirePayloadKey(why string) error {
	path := filepath.Join(c.dataDir, codec.KeyFile)
	_, _, err := codec.LoadConverter(path)
	switch {
	case errors.Is(err, codec.ErrNoKey) && !c.allowPlaintext:
		return fmt.Errorf("no payload key: %s. Set %s to the worker's key, or point --data-dir at dev mode's data dir "+
			"(it keeps the key in %s; the default, .hrsync, is relative to the current directory); "+
			"with a worker run with --allow-plaintext-history, pass --allow-plaintext-history", why, codec.KeyEnv, path)
	case errors.Is(err, codec.ErrNoKey):
		return nil
	}
	return err
}

// Why commands need the payload key.
const (
	whyConfig  = "the configuration would enter workflow history unencrypted"
	whyPayload = "the worker encrypts what this command sends and reads, so nothing was sent"
)

// withOperator runs fn with a connected operator, once it has the payload
// key fn's requests and answers are encrypted with.
func (c *cli) withOperator(cmd *cobra.Command, fn func(ctx context.Context, op *operator.Operator) error) error {
	if err := c.requirePayloadKey(whyPayload); err != nil {
		return err
	}
	return c.withTemporal(cmd, fn)
}

// withTemporal runs fn with a connected operator, payload key or not: for
// commands that read only search attributes.
func (c *cli) withTemporal(cmd *cobra.Command, fn func(ctx context.Context, op *operator.Operator) error) error {
	ctx := cmd.Context()
	op, closeFn, err := c.operator(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	return fn(ctx, op)
}

// print writes v as indented JSON with --json, or text otherwise.
func (c *cli) print(v any, text func(w io.Writer)) error {
	if c.json {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(c.out)
	return nil
}
