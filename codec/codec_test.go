package codec_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/hrsync/hrsync/codec"
	"github.com/hrsync/hrsync/internal/keys"
)

// employee stands in for the people data a sync workflow carries.
type employee struct {
	ID     string
	Email  string
	Salary int
}

var alice = employee{ID: "e-42", Email: "alice.secret@example.com", Salary: 123456}

func mustKey(t *testing.T, id string) keys.Key {
	t.Helper()
	k, err := keys.NewKey(id)
	require.NoError(t, err)
	return k
}

func mustCodec(t *testing.T, current keys.Key, old ...keys.Key) *codec.Codec {
	t.Helper()
	c, err := codec.New(keys.Keyring{Current: current, Old: old})
	require.NoError(t, err)
	return c
}

// plainPayloads are what the default converter makes of a few values.
func plainPayloads(t *testing.T) []*commonpb.Payload {
	t.Helper()
	dc := converter.GetDefaultDataConverter()
	var out []*commonpb.Payload
	for _, v := range []any{alice, "just a string", nil, []byte("raw bytes")} {
		p, err := dc.ToPayload(v)
		require.NoError(t, err)
		out = append(out, p)
	}
	return out
}

func requirePayloadsEqual(t *testing.T, want, got []*commonpb.Payload) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.True(t, proto.Equal(want[i], got[i]), "payload %d: want %v, got %v", i, want[i], got[i])
	}
}

func TestDataConverterRoundTrip(t *testing.T) {
	dc := codec.DataConverter(mustCodec(t, mustKey(t, "k1")))
	p, err := dc.ToPayload(alice)
	require.NoError(t, err)
	require.Equal(t, codec.Encoding, string(p.Metadata[converter.MetadataEncoding]))
	require.Equal(t, "k1", string(p.Metadata[codec.MetadataKeyID]))

	wire, err := proto.Marshal(p)
	require.NoError(t, err)
	for _, secret := range []string{alice.Email, "123456", "json/plain"} {
		require.NotContains(t, string(wire), secret, "history must not show %q", secret)
	}

	var back employee
	require.NoError(t, dc.FromPayload(p, &back))
	require.Equal(t, alice, back)

	require.Equal(t, converter.GetDefaultDataConverter(), codec.DataConverter(nil), "nil codec runs unencrypted")
}

func TestCodecEncodeDecode(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	plain := plainPayloads(t)

	encoded, err := c.Encode(plain)
	require.NoError(t, err)
	require.Len(t, encoded, len(plain))
	for _, p := range encoded {
		require.Equal(t, map[string][]byte{
			converter.MetadataEncoding: []byte(codec.Encoding),
			codec.MetadataKeyID:        []byte("k1"),
		}, p.Metadata)
		require.NotContains(t, string(p.Data), alice.Email)
	}

	decoded, err := c.Decode(encoded)
	require.NoError(t, err)
	requirePayloadsEqual(t, plain, decoded)

	// Payloads written before encryption was turned on still read.
	mixed, err := c.Decode(append(encoded[:1:1], plain[1]))
	require.NoError(t, err)
	requirePayloadsEqual(t, plain[:2], mixed)
}

func TestCodecKeyRotation(t *testing.T) {
	a, b := mustKey(t, "a"), mustKey(t, "b")
	underA, err := mustCodec(t, a).Encode(plainPayloads(t))
	require.NoError(t, err)

	rotated := mustCodec(t, b, a)
	require.Equal(t, "b", rotated.KeyID())
	decoded, err := rotated.Decode(underA)
	require.NoError(t, err)
	requirePayloadsEqual(t, plainPayloads(t), decoded)

	underB, err := rotated.Encode(plainPayloads(t))
	require.NoError(t, err)
	require.Equal(t, "b", string(underB[0].Metadata[codec.MetadataKeyID]))

	// Once a is dropped, what it encrypted no longer decodes.
	_, err = mustCodec(t, b).Decode(underA)
	require.ErrorContains(t, err, `key "a", which is not configured`)
}

func TestCodecDecodeErrors(t *testing.T) {
	a, other := mustKey(t, "a"), mustKey(t, "other")
	c := mustCodec(t, a)
	good, err := c.Encode(plainPayloads(t)[:1])
	require.NoError(t, err)

	withMeta := func(keyID string, data []byte) *commonpb.Payload {
		md := map[string][]byte{converter.MetadataEncoding: []byte(codec.Encoding)}
		if keyID != "" {
			md[codec.MetadataKeyID] = []byte(keyID)
		}
		return &commonpb.Payload{Metadata: md, Data: data}
	}
	tampered := append([]byte(nil), good[0].Data...)
	tampered[20] ^= 0xff

	for name, tc := range map[string]struct {
		payload *commonpb.Payload
		want    string
	}{
		"unknown key id": {withMeta("k-2019", good[0].Data), `key "k-2019", which is not configured (HRSYNC_PAYLOAD_KEY, HRSYNC_PAYLOAD_OLD_KEYS)`},
		"no key id":      {withMeta("", good[0].Data), "names no encryption-key-id"},
		"tampered":       {withMeta("a", tampered), "cannot be opened with key a"},
		"truncated":      {withMeta("a", good[0].Data[:5]), "too short"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Decode([]*commonpb.Payload{tc.payload})
			require.ErrorContains(t, err, tc.want)
			for _, k := range []keys.Key{a, other} {
				require.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString(k.Bytes))
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(codec.KeyEnv, "")
	t.Setenv(codec.OldKeysEnv, "")
	_, err := codec.FromEnv()
	require.ErrorIs(t, err, codec.ErrNoKey)
	require.ErrorContains(t, err, "HRSYNC_PAYLOAD_KEY is not set")

	a, b := mustKey(t, "a"), mustKey(t, "b")
	t.Setenv(codec.KeyEnv, b.String())
	t.Setenv(codec.OldKeysEnv, a.String())
	ring, err := codec.FromEnv()
	require.NoError(t, err)
	require.Equal(t, keys.Keyring{Current: b, Old: []keys.Key{a}}, ring)

	_, err = codec.New(keys.Keyring{})
	require.ErrorContains(t, err, "payload keys")
}

func TestFailureConverterSealsMessages(t *testing.T) {
	c := mustCodec(t, mustKey(t, "k1"))
	fc := codec.FailureConverter(codec.DataConverter(c))
	in := temporal.NewApplicationError("SCIM 409: userName ada@x.test is taken", "Conflict")

	f := fc.ErrorToFailure(in)
	require.NotContains(t, f.GetMessage(), "ada@x.test")
	require.Equal(t, codec.Encoding, string(f.GetEncodedAttributes().GetMetadata()["encoding"]))
	require.NotContains(t, string(f.GetEncodedAttributes().GetData()), "ada@x.test")

	back := fc.FailureToError(f)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, back, &appErr)
	require.Equal(t, "Conflict", appErr.Type(), "the type stays readable, for retry policies")
	require.Contains(t, back.Error(), "ada@x.test is taken")
}
