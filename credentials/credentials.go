// Package credentials keeps the secrets hrsync connects with — API keys,
// OAuth tokens — in the store, sealed with AES-256-GCM under a key from the
// environment. Integration configs name a credential as "store:<id>";
// the secret itself never enters workflow history, logs or CLI output.
package credentials

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

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

// Key is one AES-256 key and the id sealed values carry.
type Key struct {
	ID    string
	Bytes []byte
}

// ParseKey reads "<id>:<base64>".
func ParseKey(s string) (Key, error) {
	id, b64, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || id == "" || strings.ContainsAny(id, ",:") {
		return Key{}, errors.New(`a credentials key is "<id>:<base64 of 32 bytes>"`)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return Key{}, fmt.Errorf("credentials key %s must be 32 bytes in base64", id)
	}
	return Key{ID: id, Bytes: raw}, nil
}

// NewKey makes a random key with id.
func NewKey(id string) (Key, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Key{}, fmt.Errorf("unable to make a key: %w", err)
	}
	return Key{ID: id, Bytes: b}, nil
}

// String writes k as ParseKey reads it. It is the secret; keep it out of logs.
func (k Key) String() string { return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Bytes) }

// KeysFromEnv reads the sealing key and the older keys from the environment.
func KeysFromEnv() (Key, []Key, error) {
	v := os.Getenv(KeyEnv)
	if v == "" {
		return Key{}, nil, fmt.Errorf("%s is not set: credentials cannot be stored or read", KeyEnv)
	}
	current, err := ParseKey(v)
	if err != nil {
		return Key{}, nil, fmt.Errorf("%s: %w", KeyEnv, err)
	}
	var old []Key
	for _, s := range strings.Split(os.Getenv(OldKeysEnv), ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := ParseKey(s)
		if err != nil {
			return Key{}, nil, fmt.Errorf("%s: %w", OldKeysEnv, err)
		}
		old = append(old, k)
	}
	return current, old, nil
}

// Vault seals credentials into the store and opens them again.
type Vault struct {
	store   *store.Store
	current Key
	keys    map[string][]byte
}

// NewVault returns a Vault sealing with current and opening with current or
// any of old.
func NewVault(st *store.Store, current Key, old ...Key) (*Vault, error) {
	v := &Vault{store: st, current: current, keys: map[string][]byte{}}
	for _, k := range append([]Key{current}, old...) {
		if len(k.Bytes) != 32 || k.ID == "" {
			return nil, errors.New("credentials keys need an id and 32 bytes")
		}
		v.keys[k.ID] = k.Bytes
	}
	return v, nil
}

// Put seals secret and stores it as credential id of the given kind.
func (v *Vault) Put(ctx context.Context, id, kind string, secret []byte) error {
	sealed, err := seal(v.current, id, secret)
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

// seal encrypts secret under k, bound to the credential's id so a sealed
// value cannot be moved to another credential: key id length, key id,
// nonce, ciphertext.
func seal(k Key, id string, secret []byte) ([]byte, error) {
	gcm, err := newGCM(k.Bytes)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("unable to make a nonce: %w", err)
	}
	out := append([]byte{byte(len(k.ID))}, k.ID...)
	out = append(out, nonce...)
	return gcm.Seal(out, nonce, secret, []byte(id)), nil
}

func (v *Vault) open(id string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1 || len(sealed) < 1+int(sealed[0]) {
		return nil, fmt.Errorf("credential %s is damaged", id)
	}
	keyID := string(sealed[1 : 1+int(sealed[0])])
	key, ok := v.keys[keyID]
	if !ok {
		return nil, fmt.Errorf("credential %s was sealed with key %s, which is not configured", id, keyID)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	rest := sealed[1+int(sealed[0]):]
	if len(rest) < gcm.NonceSize() {
		return nil, fmt.Errorf("credential %s is damaged", id)
	}
	secret, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("credential %s cannot be opened with key %s", id, keyID)
	}
	return secret, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("unable to use credentials key: %w", err)
	}
	return cipher.NewGCM(block)
}
