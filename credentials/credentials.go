// Package credentials keeps the secrets hrsync connects with — API keys,
// OAuth tokens — in the store, sealed with AES-256-GCM under a key from the
// environment. Integration configs name a credential as "store:<id>";
// the secret itself never enters workflow history, logs or CLI output.
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

// Put seals secret and stores it as credential id of the given kind.
func (v *Vault) Put(ctx context.Context, id, kind string, secret []byte) error {
	sealed, err := v.seal(id, secret)
	if err != nil {
		return err
	}
	return v.store.PutCredential(ctx, store.SealedCredential{ID: id, Kind: kind, Sealed: sealed})
}

// Get opens credential id.
func (v *Vault) Get(ctx context.Context, id string) (kind string, secret []byte, err error) {
	c, err := v.store.GetCredential(ctx, id)
	if err != nil {
		return "", nil, err
	}
	secret, err = v.open(id, c.Sealed)
	return c.Kind, secret, err
}

// Delete removes credential id.
func (v *Vault) Delete(ctx context.Context, id string) error {
	return v.store.DeleteCredential(ctx, id)
}

// Secret resolves "store:<id>" to the stored secret, so the Vault can stand
// wherever a worker resolves credential references.
func (v *Vault) Secret(ref string) (string, error) {
	id, ok := strings.CutPrefix(ref, RefPrefix)
	if !ok {
		return "", fmt.Errorf("credential %s: not a stored credential", ref)
	}
	_, secret, err := v.Get(context.Background(), id)
	if err != nil {
		return "", fmt.Errorf("credential %s: %w", ref, err)
	}
	return string(secret), nil
}

// seal encrypts secret under the current key, bound to the credential's
// id so a sealed value cannot be moved to another credential: key id
// length, key id, then what the keyring sealed (nonce, ciphertext).
func (v *Vault) seal(id string, secret []byte) ([]byte, error) {
	body, err := v.ring.Seal(secret, []byte(id))
	if err != nil {
		return nil, err
	}
	keyID := v.ring.Current.ID
	out := make([]byte, 0, 1+len(keyID)+len(body))
	out = append(out, byte(len(keyID)))
	out = append(out, keyID...)
	return append(out, body...), nil
}

func (v *Vault) open(id string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1 || len(sealed) < 1+int(sealed[0]) {
		return nil, fmt.Errorf("credential %s is damaged", id)
	}
	keyID := string(sealed[1 : 1+int(sealed[0])])
	secret, err := v.ring.Open(keyID, sealed[1+int(sealed[0]):], []byte(id))
	if errors.Is(err, keys.ErrUnknownKey) {
		return nil, fmt.Errorf("credential %s was sealed with key %s, which is not configured", id, keyID)
	}
	if err != nil {
		return nil, fmt.Errorf("credential %s cannot be opened with key %s", id, keyID)
	}
	return secret, nil
}
