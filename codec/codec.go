// Package codec encrypts every Temporal payload hrsync writes — workflow
// inputs, results, signals, memos, heartbeats — with AES-256-GCM, so
// history holds no readable people data, and serves the codec endpoints
// the Temporal Web UI and CLI call to show it decrypted to those allowed.
package codec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/hrsync/hrsync/internal/keys"
)

// Environment variables holding the payload keys: "<key id>:<base64 of 32
// bytes>"; older keys, comma separated, still decode what they encrypted.
const (
	KeyEnv     = "HRSYNC_PAYLOAD_KEY"
	OldKeysEnv = "HRSYNC_PAYLOAD_OLD_KEYS"
)

// Metadata an encrypted payload carries.
const (
	// Encoding is the encoding of an encrypted payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID names the key that encrypted the payload.
	MetadataKeyID = "encryption-key-id"
)

// ErrNoKey reports that HRSYNC_PAYLOAD_KEY is not set. Callers may warn and
// run without encryption; history is then readable by anyone who can see it.
var ErrNoKey = keys.ErrNotSet

// FromEnv reads the payload keyring from HRSYNC_PAYLOAD_KEY and
// HRSYNC_PAYLOAD_OLD_KEYS. With no key set the error wraps ErrNoKey.
func FromEnv() (keys.Keyring, error) {
	return keys.FromEnv(KeyEnv, OldKeysEnv)
}

// Codec is a converter.PayloadCodec encrypting with the keyring's current
// key and decrypting with whichever key a payload names.
type Codec struct {
	ring keys.Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a Codec for ring, after checking its keys.
func New(ring keys.Keyring) (*Codec, error) {
	if err := ring.Validate(); err != nil {
		return nil, fmt.Errorf("payload keys: %w", err)
	}
	return &Codec{ring: ring}, nil
}

// KeyID names the key new payloads are encrypted with.
func (c *Codec) KeyID() string { return c.ring.Current.ID }

// Encode encrypts each whole payload, metadata included, into a
// binary/encrypted payload that names its key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil {
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("unable to marshal payload: %w", err)
		}
		sealed, err := c.ring.Seal(plain, nil)
		if err != nil {
			return nil, fmt.Errorf("unable to encrypt payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.ring.Current.ID),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode decrypts binary/encrypted payloads with the key each names and
// passes any other payload through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		keyID, ok := p.GetMetadata()[MetadataKeyID]
		if !ok || len(keyID) == 0 {
			return nil, errors.New("encrypted payload names no " + MetadataKeyID)
		}
		plain, err := c.ring.Open(string(keyID), p.GetData(), nil)
		if errors.Is(err, keys.ErrUnknownKey) {
			return nil, fmt.Errorf("payload encrypted with key %q, which is not configured (%s, %s)", keyID, KeyEnv, OldKeysEnv)
		}
		if err != nil {
			return nil, fmt.Errorf("unable to decrypt payload: %w", err)
		}
		decoded := &commonpb.Payload{}
		if err := proto.Unmarshal(plain, decoded); err != nil {
			return nil, fmt.Errorf("unable to unmarshal decrypted payload: %w", err)
		}
		out[i] = decoded
	}
	return out, nil
}

// DataConverter is the default data converter with c's encryption on top.
// Client, worker, replayer and test environments must all use the same one.
// A nil c gives the default converter, for running without encryption.
func DataConverter(c *Codec) converter.DataConverter {
	if c == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// KeyFile is the file, under dev mode's data dir, that keeps the payload
// key dev mode made for itself.
const KeyFile = "payload.key"

// Load reads the payload keyring from the environment or, when no key is
// set there, from the key file at path (one key, as ParseKey reads it).
// With neither, the error wraps ErrNoKey.
func Load(path string) (keys.Keyring, error) {
	ring, err := FromEnv()
	if !errors.Is(err, ErrNoKey) || path == "" {
		return ring, err
	}
	data, rerr := os.ReadFile(path)
	if errors.Is(rerr, fs.ErrNotExist) {
		return keys.Keyring{}, err
	}
	if rerr != nil {
		return keys.Keyring{}, fmt.Errorf("payload key file %s: %w", path, rerr)
	}
	key, perr := keys.ParseKey(strings.TrimSpace(string(data)))
	if perr != nil {
		return keys.Keyring{}, fmt.Errorf("payload key file %s: %w", path, perr)
	}
	return keys.Keyring{Current: key}, nil
}

// LoadConverter is the data converter every client, worker and replayer of
// one deployment must share: encrypting under the keyring Load finds, or
// the default converter, with an error wrapping ErrNoKey, when there is no
// key.
func LoadConverter(path string) (converter.DataConverter, *Codec, error) {
	ring, err := Load(path)
	if err != nil {
		return converter.GetDefaultDataConverter(), nil, err
	}
	c, err := New(ring)
	if err != nil {
		return converter.GetDefaultDataConverter(), nil, err
	}
	return DataConverter(c), c, nil
}

// FailureConverter encodes failures' messages and stack traces through dc,
// so with an encrypting dc they are sealed in history like every payload
// and the Web UI decodes them through the codec server.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: dc, EncodeCommonAttributes: true,
	})
}
