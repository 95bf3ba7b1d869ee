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

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/internal/temporalenv"
	"github.com/hrsync/hrsync/operator"
)

func main() {
	if err := newRootCmd(os.Stdout).Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// exitError ends the starter with code, the command having already said
// why.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

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

func newRootCmd(out io.Writer) *cobra.Command {
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
		"create or update an integration without a payload key, its configuration in workflow history in the clear")
	root.PersistentFlags().StringVar(&c.dataDir, "data-dir", ".hrsync",
		"dev mode's data dir, where its payload key is kept when "+codec.KeyEnv+" is not set")
	root.AddCommand(
		c.createCmd(), c.updateCmd(), c.listCmd(), c.statusCmd(), c.syncCmd(), c.pauseCmd(), c.resumeCmd(),
		c.approveCmd(), c.rejectCmd(), c.removeCmd(), c.historyCmd(), c.previewCmd(), c.reportCmd(), c.reviewCmd(),
		c.connectCmd(), c.bindCmd(), c.disconnectCmd(), c.fieldsCmd(), c.keygenCmd(),
	)
	return root
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

// requirePayloadKey refuses to send a configuration to Temporal in the
// clear: without the payload key, its admin emails, webhook and credential
// references would sit unencrypted in workflow history. The worker refuses
// to run that way too, unless told.
func (c *cli) requirePayloadKey() error {
	_, _, err := codec.LoadConverter(filepath.Join(c.dataDir, codec.KeyFile))
	switch {
	case errors.Is(err, codec.ErrNoKey) && !c.allowPlaintext:
		return errors.New("no payload key: the configuration would enter workflow history unencrypted; set " +
			codec.KeyEnv + " to the worker's key (or run where dev mode keeps it), or pass --allow-plaintext-history")
	case errors.Is(err, codec.ErrNoKey):
		return nil
	}
	return err
}

// withOperator runs fn with a connected operator.
func (c *cli) withOperator(cmd *cobra.Command, fn func(ctx context.Context, op *operator.Operator) error) error {
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
