package keys

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// digestInfo separates the HMAC keys derived here from every other use of
// the same key material.
const digestInfo = "hrsync identity digest v1\x00"

// digestLen is how many bytes of each HMAC-SHA256 a digest keeps: enough
// that two different values never collide in practice.
const digestLen = 16

// Digester makes keyed digests of values within one domain (an
// integration): what hrsync keeps instead of a value it only needs to
// compare. Without the key a digest says nothing; with it, each possible
// value still has to be tried one by one.
type Digester struct {
	ids  []string
	macs [][]byte
}

// Digester derives, for domain, one HMAC-SHA256 key from every key of the
// ring, current first. Deriving per domain keeps one integration's digests
// useless for matching another's.
func (r Keyring) Digester(domain string) (*Digester, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	d := &Digester{}
	for _, k := range append([]Key{r.Current}, r.Old...) {
		mac, err := hkdf.Key(sha256.New, k.Bytes, nil, digestInfo+domain, sha256.Size)
		if err != nil {
			return nil, fmt.Errorf("unable to derive the digest key from key %s: %w", k.ID, err)
		}
		d.ids = append(d.ids, k.ID)
		d.macs = append(d.macs, mac)
	}
	return d, nil
}

// Digest returns value's digest under each key as "<key id>:<base64url>",
// joined by commas, current key first. Keeping one per key lets a digest
// made before a rotation still be compared while the old key is kept.
func (d *Digester) Digest(value string) string {
	var b strings.Builder
	for i, key := range d.macs {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(value))
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d.ids[i])
		b.WriteByte(':')
		b.WriteString(base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:digestLen]))
	}
	return b.String()
}
