package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"

	"github.com/hrsync/hrsync/connectors/justlogin"
	"github.com/hrsync/hrsync/credentials"
	"github.com/hrsync/hrsync/store"
)

// Vault keeps credentials the connectors read and write, such as OAuth
// tokens that are refreshed as they are used.
type Vault interface {
	Get(ctx context.Context, id string) (kind string, secret []byte, err error)
	// Put replaces a credential's secret, keeping its scope.
	Put(ctx context.Context, id, kind string, secret []byte) error
	// Allow says whether credential id may be used as use says.
	Allow(ctx context.Context, id string, use credentials.Use) error
}

// tokenKind is the credential kind of an OAuth token.
const tokenKind = "oauth-token"

// VaultTokens keeps one OAuth token in a Vault under a stored credential's
// id.
type VaultTokens struct {
	Vault Vault
	ID    string
	// Use, when set, is where the token will be sent; a token whose scope
	// does not allow it is refused. Only `starter connect`, which binds the
	// token it fetches, leaves it nil.
	Use *credentials.Use
}

var _ justlogin.TokenStore = VaultTokens{}

// NewVaultTokens returns the token store of reference ref ("store:<id>"),
// for a token sent as use says (nil: not checked).
func NewVaultTokens(v Vault, ref string, use *credentials.Use) (VaultTokens, error) {
	id, ok := strings.CutPrefix(ref, "store:")
	if !ok || id == "" {
		return VaultTokens{}, fmt.Errorf("token %s: must be store:<id>", ref)
	}
	if v == nil {
		return VaultTokens{}, fmt.Errorf("token %s: no credential store is configured on this worker", ref)
	}
	return VaultTokens{Vault: v, ID: id, Use: use}, nil
}

// Load returns the stored token, or nil when there is none yet.
func (t VaultTokens) Load(ctx context.Context) (*oauth2.Token, error) {
	_, data, err := t.Vault.Get(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.Use != nil {
		if err := t.Vault.Allow(ctx, t.ID, *t.Use); err != nil {
			return nil, err
		}
	}
	var tok oauth2.Token
	if err := json.Unmarshal(data, &tok); err != nil {
		return nil, fmt.Errorf("token %s is damaged: %w", t.ID, err)
	}
	return &tok, nil
}

// Save replaces the stored token.
func (t VaultTokens) Save(ctx context.Context, tok *oauth2.Token) error {
	data, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("unable to encode token %s: %w", t.ID, err)
	}
	return t.Vault.Put(ctx, t.ID, tokenKind, data)
}
