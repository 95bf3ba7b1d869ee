// Package keys holds hrsync's AES-256 keys: each key carries an id that
// travels with what it sealed, and a Keyring seals with its current key
// while still opening what older keys sealed, so keys can be rotated.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Size is the length of a key in bytes (AES-256).
const Size = 32

// maxIDLen bounds a key id so it fits a one-byte length prefix.
const maxIDLen = 255

var (
	// ErrNotSet reports that the environment holds no current key.
	ErrNotSet = errors.New("not set")
	// ErrUnknownKey reports a key id the keyring does not hold.
	ErrUnknownKey = errors.New("key is not in the keyring")
)

// Key is one AES-256 key and the id sealed values carry.
type Key struct {
	ID    string
	Bytes []byte
}

// ParseKey reads "<id>:<base64 of 32 bytes>". Its errors never repeat any
// part of s, which may be a secret.
func ParseKey(s string) (Key, error) {
	id, b64, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Key{}, errors.New(`a key is "<id>:<base64 of 32 bytes>"`)
	}
	if err := checkID(id); err != nil {
		return Key{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != Size {
		return Key{}, errors.New("a key must be 32 bytes in base64 after its id")
	}
	return Key{ID: id, Bytes: raw}, nil
}

// NewKey makes a random key with id.
func NewKey(id string) (Key, error) {
	if err := checkID(id); err != nil {
		return Key{}, err
	}
	b := make([]byte, Size)
	if _, err := rand.Read(b); err != nil {
		return Key{}, fmt.Errorf("unable to make a key: %w", err)
	}
	return Key{ID: id, Bytes: b}, nil
}

// String writes k as ParseKey reads it. It is the secret; keep it out of logs.
func (k Key) String() string { return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Bytes) }

// GoString names the key without its bytes, so %#v cannot leak it.
func (k Key) GoString() string { return fmt.Sprintf("keys.Key{ID: %q}", k.ID) }

// Validate reports whether k has a usable id and exactly 32 bytes.
func (k Key) Validate() error {
	if err := checkID(k.ID); err != nil {
		return err
	}
	if len(k.Bytes) != Size {
		return fmt.Errorf("key %s must be %d bytes", k.ID, Size)
	}
	return nil
}

// checkID keeps ids non-empty, short and free of the list and pair
// separators used in the environment.
func checkID(id string) error {
	if id == "" || len(id) > maxIDLen || strings.ContainsAny(id, ",: \t\r\n") {
		return fmt.Errorf("a key id must be 1 to %d characters without spaces, commas or colons", maxIDLen)
	}
	return nil
}

// Keyring seals with Current and opens with Current or any of Old.
type Keyring struct {
	// Current seals everything new.
	Current Key
	// Old keys only open what they sealed before a rotation.
	Old []Key
}

// String names the keys without their bytes, so printing a keyring is safe.
func (r Keyring) String() string {
	ids := make([]string, len(r.Old))
	for i, k := range r.Old {
		ids[i] = k.ID
	}
	return fmt.Sprintf("keyring(current=%s old=[%s])", r.Current.ID, strings.Join(ids, " "))
}

// GoString is String, for %#v.
func (r Keyring) GoString() string { return r.String() }

// Validate checks every key, and that no id names two different keys.
func (r Keyring) Validate() error {
	seen := map[string][]byte{}
	for _, k := range append([]Key{r.Current}, r.Old...) {
		if err := k.Validate(); err != nil {
			return err
		}
		if b, ok := seen[k.ID]; ok && string(b) != string(k.Bytes) {
			return fmt.Errorf("key id %s names two different keys", k.ID)
		}
		seen[k.ID] = k.Bytes
	}
	return nil
}

// Lookup finds the key with id, the current key first.
func (r Keyring) Lookup(id string) (Key, bool) {
	if r.Current.ID == id {
		return r.Current, true
	}
	for _, k := range r.Old {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

// Seal encrypts plaintext under the current key with AES-256-GCM, binding
// additionalData, and returns a random 12-byte nonce followed by the
// ciphertext. The caller records r.Current.ID beside it for Open.
func (r Keyring) Seal(plaintext, additionalData []byte) ([]byte, error) {
	gcm, err := newGCM(r.Current)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("unable to make a nonce: %w", err)
	}
	return gcm.Seal(nonce, nonce, plaintext, additionalData), nil
}

// Open decrypts what Seal returned under the key named keyID. It fails
// with ErrUnknownKey when the keyring lacks that key, and when the
// ciphertext or additionalData was altered.
func (r Keyring) Open(keyID string, ciphertext, additionalData []byte) ([]byte, error) {
	k, ok := r.Lookup(keyID)
	if !ok {
		return nil, fmt.Errorf("%q: %w", keyID, ErrUnknownKey)
	}
	gcm, err := newGCM(k)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < gcm.NonceSize()+gcm.Overhead() {
		return nil, fmt.Errorf("ciphertext under key %s is too short", k.ID)
	}
	n := gcm.NonceSize()
	plaintext, err := gcm.Open(nil, ciphertext[:n], ciphertext[n:], additionalData)
	if err != nil {
		return nil, fmt.Errorf("ciphertext cannot be opened with key %s", k.ID)
	}
	return plaintext, nil
}

// FromEnv reads the current key from currentVar and older keys, comma
// separated, from oldVar. An unset currentVar gives an error wrapping
// ErrNotSet. Errors name the variable, never its value.
func FromEnv(currentVar, oldVar string) (Keyring, error) {
	v := os.Getenv(currentVar)
	if strings.TrimSpace(v) == "" {
		return Keyring{}, fmt.Errorf("%s is %w", currentVar, ErrNotSet)
	}
	current, err := ParseKey(v)
	if err != nil {
		return Keyring{}, fmt.Errorf("%s: %w", currentVar, err)
	}
	r := Keyring{Current: current}
	for i, s := range strings.Split(os.Getenv(oldVar), ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := ParseKey(s)
		if err != nil {
			return Keyring{}, fmt.Errorf("%s, entry %d: %w", oldVar, i+1, err)
		}
		r.Old = append(r.Old, k)
	}
	if err := r.Validate(); err != nil {
		return Keyring{}, fmt.Errorf("%s, %s: %w", currentVar, oldVar, err)
	}
	return r, nil
}

func newGCM(k Key) (cipher.AEAD, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k.Bytes)
	if err != nil {
		return nil, fmt.Errorf("unable to use key %s: %w", k.ID, err)
	}
	return cipher.NewGCM(block)
}
