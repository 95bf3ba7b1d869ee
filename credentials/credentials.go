// Package credentials keeps the secrets hrsync connects with — API keys,
// OAuth tokens — in the store, sealed with AES-256-GCM under a key from the
// environment, each bound to the hosts it may be sent to (Scope). It also
// decides which environment variables a configuration may name
// (EnvSecret). Integration configs name a credential as "store:<id>"; the
// secret itself never enters workflow history, logs or CLI output.
package credentials

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hrsync/hrsync/internal/keys"
	"github.com/hrsync/hrsync/store"
)

// Environment variables holding the keys: "<key id>:<base64 of 32 bytes>";
// older keys, comma-separated, still open what they sealed.
const (
	KeyEnv     = "HRSYNC_CREDENTIALS_KEY"
	OldKeysEnv = "HRSYNC_CREDENTIALS_OLD_KEYS"
	// RefPrefix starts a reference to a stored credential.
	RefPrefix = "store:"
)

// idPattern is what a stored credential may be called.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// CheckID says whether id can name a stored credential.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return errors.New("a credential id is letters, digits, '.', '-' or '_' (at most 64)")
	}
	return nil
}

// Key is one AES-256 key and the id sealed values carry.
type Key = keys.Key

// ParseKey reads "<id>:<base64 of 32 bytes>".
func ParseKey(s string) (Key, error) { return keys.ParseKey(s) }

// NewKey makes a random key with id.
func NewKey(id string) (Key, error) { return keys.NewKey(id) }

// KeysFromEnv reads the sealing key and the older keys from the environment.
func KeysFromEnv() (Key, []Key, error) {
	ring, err := keys.FromEnv(KeyEnv, OldKeysEnv)
	if errors.Is(err, keys.ErrNotSet) {
		return Key{}, nil, fmt.Errorf("%w: credentials cannot be stored or read", err)
	}
	if err != nil {
		return Key{}, nil, err
	}
	return ring.Current, ring.Old, nil
}

// Vault seals credentials into the store and opens them again.
type Vault struct {
	store *store.Store
	ring  keys.Keyring
}

// NewVault returns a Vault sealing with current and opening with current or
// any of old.
func NewVault(st *store.Store, current Key, old ...Key) (*Vault, error) {
	ring := keys.Keyring{Current: current, Old: old}
	if err := ring.Validate(); err != nil {
		return nil, fmt.Errorf("credentials keys: %w", err)
	}
	return &Vault{store: st, ring: ring}, nil
}

// Put seals secret and stores it as credential id of the given kind. A
// credential that exists keeps its scope, so a refreshed OAuth token stays
// bound where it was.
func (v *Vault) Put(ctx context.Context, id, kind string, secret []byte) error {
	var scope Scope
	old, err := v.store.GetCredential(ctx, id)
	switch {
	case err == nil:
		scope = storedScope(old)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return v.PutScoped(ctx, id, kind, secret, scope)
}

// PutScoped seals secret and stores it as credential id, sendable only
// within scope.
func (v *Vault) PutScoped(ctx context.Context, id, kind string, secret []byte, scope Scope) error {
	sealed, err := v.seal(id, scope, secret)
	if err != nil {
		return err
	}
	return v.store.PutCredential(ctx, store.SealedCredential{ID: id, Kind: kind, Sealed: sealed,
		Hosts: scope.Hosts, Integrations: scope.Integrations})
}

// Bind gives credential id a new scope, sealing its secret again.
func (v *Vault) Bind(ctx context.Context, id string, scope Scope) error {
	kind, secret, _, err := v.open(ctx, id)
	if err != nil {
		return err
	}
	return v.PutScoped(ctx, id, kind, secret, scope)
}

// Get opens credential id.
func (v *Vault) Get(ctx context.Context, id string) (kind string, secret []byte, err error) {
	kind, secret, _, err = v.open(ctx, id)
	return kind, secret, err
}

// Scope returns where credential id may be sent; an error when it is
// missing or damaged.
func (v *Vault) Scope(ctx context.Context, id string) (Scope, error) {
	_, _, scope, err := v.open(ctx, id)
	return scope, err
}

// Allow says whether credential id may be used as use says.
func (v *Vault) Allow(ctx context.Context, id string, use Use) error {
	scope, err := v.Scope(ctx, id)
	if err != nil {
		return err
	}
	if err := scope.Allows(use); err != nil {
		return fmt.Errorf("credential %s%s refused: %w (rebind it with `starter bind`)", RefPrefix, id, err)
	}
	return nil
}

// Delete removes credential id.
func (v *Vault) Delete(ctx context.Context, id string) error {
	return v.store.DeleteCredential(ctx, id)
}

// Secret resolves "store:<id>" to the stored secret when use stays within
// its scope, so the Vault can stand wherever a worker resolves credential
// references.
func (v *Vault) Secret(ref string, use Use) (string, error) {
	id, ok := strings.CutPrefix(ref, RefPrefix)
	if !ok {
		return "", fmt.Errorf("credential %s: not a stored credential", ref)
	}
	_, secret, scope, err := v.open(context.Background(), id)
	if err != nil {
		return "", fmt.Errorf("credential %s: %w", ref, err)
	}
	if err := scope.Allows(use); err != nil {
		return "", fmt.Errorf("credential %s refused: %w (rebind it with `starter bind`)", ref, err)
	}
	return string(secret), nil
}

// storedScope is the scope the store shows for c.
func storedScope(c store.SealedCredential) Scope {
	return Scope{Hosts: c.Hosts, Integrations: c.Integrations}
}

// seal encrypts secret under the current key, bound to the credential's
// id and scope so a sealed value can be neither moved to another credential
// nor given a wider scope in the store: key id length, key id, then what
// the keyring sealed (nonce, ciphertext).
func (v *Vault) seal(id string, scope Scope, secret []byte) ([]byte, error) {
	body, err := v.ring.Seal(secret, associated(id, scope))
	if err != nil {
		return nil, err
	}
	keyID := v.ring.Current.ID
	out := make([]byte, 0, 1+len(keyID)+len(body))
	out = append(out, byte(len(keyID)))
	out = append(out, keyID...)
	return append(out, body...), nil
}

// open reads credential id and opens its secret.
func (v *Vault) open(ctx context.Context, id string) (kind string, secret []byte, scope Scope, err error) {
	c, err := v.store.GetCredential(ctx, id)
	if err != nil {
		return "", nil, Scope{}, err
	}
	scope = storedScope(c)
	sealed := c.Sealed
	if len(sealed) < 1 || len(sealed) < 1+int(sealed[0]) {
		return "", nil, Scope{}, fmt.Errorf("credential %s is damaged", id)
	}
	keyID := string(sealed[1 : 1+int(sealed[0])])
	secret, err = v.ring.Open(keyID, sealed[1+int(sealed[0]):], associated(id, scope))
	if errors.Is(err, keys.ErrUnknownKey) {
		return "", nil, Scope{}, fmt.Errorf("credential %s was sealed with key %s, which is not configured", id, keyID)
	}
	if err != nil {
		return "", nil, Scope{}, fmt.Errorf("credential %s cannot be opened with key %s (or its scope was altered)", id, keyID)
	}
	return c.Kind, secret, scope, nil
}

// associated is the data a sealed credential is bound to: its id and, for
// a scoped one, its scope.
func associated(id string, scope Scope) []byte {
	if l := scope.label(); l != "" {
		return []byte(id + "\x00" + l)
	}
	return []byte(id)
}
