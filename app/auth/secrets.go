package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// KeySize is the length of the server key in bytes.
const KeySize = 32

// Keys is what the server key (DATA/secret.key, never in the database or
// its backups) is used for: sealing the share links the owner must be
// able to see again, and deriving each user's thumbnail/download secret.
// Each use has its own subkey, so one can never stand in for the other.
type Keys struct {
	aead cipher.AEAD
	link []byte
}

// ErrSealed means a sealed value could not be opened: it was sealed with
// another key (the key file was replaced) or altered.
var ErrSealed = errors.New("sealed value cannot be opened with this server key")

// GenerateKey returns a new random server key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return k
}

// NewKeys derives the subkeys from a server key.
func NewKeys(key []byte) (*Keys, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("server key has %d bytes, want %d", len(key), KeySize)
	}
	sub := func(purpose string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(purpose))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(sub("pinhole seal v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{aead: aead, link: sub("pinhole link v1")}, nil
}

// EphemeralKeys are keys for a server given no key file (tests, route
// listings): sealed values and link secrets last as long as the process.
func EphemeralKeys() *Keys {
	k, err := NewKeys(GenerateKey())
	if err != nil {
		panic(err)
	}
	return k
}

// sealPrefix marks the format, so a later one can be told apart.
const sealPrefix = "v1."

// Seal encrypts clear with AES-256-GCM under a random nonce; purpose is
// bound in as associated data, so a value sealed for one column cannot
// be moved into another.
func (k *Keys) Seal(purpose, clear string) string {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(clear), []byte(purpose))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a value from Seal, or fails with ErrSealed.
func (k *Keys) Open(purpose, sealed string) (string, error) {
	b64, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", ErrSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", ErrSealed
	}
	ns := k.aead.NonceSize()
	clear, err := k.aead.Open(nil, raw[:ns], raw[ns:], []byte(purpose))
	if err != nil {
		return "", ErrSealed
	}
	return string(clear), nil
}

// linkSecret is a user's thumbnail/download secret: an HMAC of their id
// and nonce under the link subkey, 256 bits in URL-safe base64 like every
// other token. Nothing of it is stored; a new nonce makes a new secret.
func (k *Keys) linkSecret(userID int64, nonce string) string {
	m := hmac.New(sha256.New, k.link)
	m.Write([]byte(strconv.FormatInt(userID, 10) + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
