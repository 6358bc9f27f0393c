// Package auth holds Pinhole's accounts: password hashing, sessions, login
// rate limiting, the thumbnail/download tokens and share-link secrets. It
// stores everything through the db package and knows nothing about HTTP.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters. 19 MiB and two passes are OWASP's minimum
// recommendation for argon2id; more memory would make a login cost a large
// share of a 512 MB Pi Zero 2 W, and hashSlots bounds how many run at once
// (so at most 2 × 19 MiB is ever spent on logins). Measured: 21–33 ms per
// hash on one x86 server core (TestPasswordHash logs it); a Pi 4 core is
// roughly 5–8× slower, so about 0.2 s — slow for an attacker holding a
// stolen database, unnoticeable for a person logging in.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	saltLen        = 16
)

// hashSlots limits concurrent password hashes; each needs argonMemoryKiB.
var hashSlots = make(chan struct{}, 2)

// passwordChecks counts password verifications (argon2 runs), so a test
// can prove how many guesses reached the slow hash.
var passwordChecks atomic.Int64

// ErrBadHash means a stored password hash could not be read.
var ErrBadHash = errors.New("unreadable password hash")

// HashPassword returns an argon2id hash in the PHC string format, which
// carries its own parameters so they can be raised later without breaking
// stored hashes.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	hashSlots <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	<-hashSlots
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash from HashPassword,
// comparing in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, ErrBadHash
	}
	// Refuse parameters that would let a tampered hash exhaust memory or CPU.
	if m == 0 || m > 256*1024 || t == 0 || t > 10 || p == 0 || p > 8 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, ErrBadHash
	}
	passwordChecks.Add(1)
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a user name does not exist, so a login
// for an unknown name takes as long as one with a wrong password and does
// not reveal which names exist. It is made on first use, not at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("pinhole-no-such-user")
	return h
})

// NewToken returns 32 random bytes, URL-safe base64: session tokens, CSRF
// tokens, share tokens and thumbnail tokens.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
