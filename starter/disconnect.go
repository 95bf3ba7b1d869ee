package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/operator"
	"github.com/hrsync/hrsync/store"
)

// disconnectOut is what disconnect prints.
type disconnectOut struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	CredentialRef string `json:"credentialRef"`
	Deleted       bool   `json:"deleted"`
}

func (c *cli) disconnectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "disconnect ID",
		Short: "Delete a stored credential (ID or store:ID), unless an integration still uses it",
		Long: "Deletes the credential `starter connect` stored as ID from the worker's store (--store or\n" +
			"HRSYNC_STORE). It refuses, naming them, while any running integration's config references\n" +
			"store:ID; update or remove those integrations first.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id := strings.TrimPrefix(args[0], credentials.RefPrefix)
			if err := credentials.CheckID(id); err != nil {
				return fmt.Errorf("disconnect %q: %w", args[0], err)
			}
			ref := credentials.RefPrefix + id
			st, err := c.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			cred, err := st.GetCredential(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no credential %s in the worker's store", ref)
			}
			if err != nil {
				return err
			}
			return c.withOperator(cmd, func(ctx context.Context, op *operator.Operator) error {
				users, err := op.CredentialUsers(ctx)
				if err != nil {
					return fmt.Errorf("disconnect refused: %w", err)
				}
				if ids := users[ref]; len(ids) > 0 {
					who := "integration " + ids[0]
					if len(ids) > 1 {
						who = "integrations " + strings.Join(ids, ", ")
					}
					return fmt.Errorf("disconnect refused: %w: %s is used by %s; "+
						"change their references (starter update) or remove them first",
						operator.ErrCredentialInUse, ref, who)
				}
				if err := st.DeleteCredential(ctx, id); err != nil {
					return err
				}
				out := disconnectOut{ID: id, Kind: cred.Kind, CredentialRef: ref, Deleted: true}
				return c.print(out, func(w io.Writer) {
					fmt.Fprintf(w, "deleted %s credential %s\n", cred.Kind, ref)
				})
			})
		},
	}
}
