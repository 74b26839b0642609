package pin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// KeyLen is the length of a PIN key in bytes (64 hex characters).
const KeyLen = 32

// saltLen is the length of an account's own random salt, in bytes.
const saltLen = 16

// prefix opens a keyed hash: hmac1$<key id>$<salt, base64>$<mac, base64>.
const prefix = "hmac1$"

// TestKey is a fixed key for tests, benchmarks and recorded conversations. A real line
// never uses it: its key is secret and kept outside the database.
const TestKey = "7065726d69746c696e652074657374206b65792c206e6f7420612073656372ee"

// ErrNoKey says a PIN cannot be hashed or checked because no key was given.
var ErrNoKey = errors.New("no PIN key: set PERMITLINE_PIN_KEY (64 hex characters) or PERMITLINE_PIN_KEY_FILE (a file holding them)")

// Key is a secret PIN key and its id, the first 8 hex digits of the SHA-256 of the key,
// which each hash names so the key can be rotated.
type Key struct {
	ID     string
	secret []byte
}

// ParseKey reads a key written as 64 hex characters (surrounding whitespace ignored).
// The error never quotes the key.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != KeyLen {
		return Key{}, fmt.Errorf("a PIN key must be %d hex characters (%d bytes), got %d characters",
			2*KeyLen, KeyLen, len(s))
	}
	return newKey(b), nil
}

// NewRandomKey returns a fresh random key and its hex form, to be saved.
func NewRandomKey() (Key, string, error) {
	b := make([]byte, KeyLen)
	if _, err := rand.Read(b); err != nil {
		return Key{}, "", fmt.Errorf("making a PIN key: %w", err)
	}
	return newKey(b), hex.EncodeToString(b), nil
}

// MustKey is ParseKey for constants (TestKey); it panics on a malformed key.
func MustKey(s string) Key {
	k, err := ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}

func newKey(b []byte) Key {
	sum := sha256.Sum256(b)
	return Key{ID: hex.EncodeToString(sum[:4]), secret: b}
}

// IsZero reports whether k is no key at all.
func (k Key) IsZero() bool { return len(k.secret) == 0 }

// Keyed hashes PINs as HMAC-SHA256, under a server key, of the account's own random salt
// and the PIN. A 4-6 digit PIN has at most a million values, so no slow hash protects it
// from someone holding the database; a key held outside the database does, and HMAC
// costs microseconds, so the check can run inside the write transaction that counts
// failures. Hashes made under an Old key, and bcrypt hashes from before keyed hashing,
// still verify and are reported stale, to be replaced by a hash under Current.
type Keyed struct {
	Current Key   // the key new hashes are made under; zero: none (every PIN operation fails with ErrNoKey)
	Old     []Key // keys being rotated out: verify only
	// Observe, when set, is told the outcome of every PIN compared (tests count them).
	Observe func(ok bool)
}

// NewKeyed returns the hasher for the current key and any old ones.
func NewKeyed(current Key, old ...Key) Keyed { return Keyed{Current: current, Old: old} }

// TestKeyed returns the hasher of TestKey, for tests.
func TestKeyed() Keyed { return MustKeyed(TestKey) }

// MustKeyed returns the hasher of one key given in hex; it panics on a malformed key.
func MustKeyed(hexKey string) Keyed { return Keyed{Current: MustKey(hexKey)} }

// HasKey reports whether k can hash and check PINs.
func (k Keyed) HasKey() bool { return !k.Current.IsZero() }

// Hash validates p and returns its keyed hash under a fresh random salt.
func (k Keyed) Hash(p string) (string, error) {
	if err := Validate(p); err != nil {
		return "", fmt.Errorf("hashing PIN: %w", err)
	}
	if !k.HasKey() {
		return "", ErrNoKey
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hashing PIN: %w", err)
	}
	return k.hashWith(k.Current, salt, p), nil
}

func (k Keyed) hashWith(key Key, salt []byte, p string) string {
	enc := base64.RawStdEncoding
	return prefix + key.ID + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(mac(key, salt, p))
}

// mac is HMAC-SHA256 under key of the salt (fixed length) followed by the PIN.
func mac(key Key, salt []byte, p string) []byte {
	m := hmac.New(sha256.New, key.secret)
	m.Write(salt)
	m.Write([]byte(p))
	return m.Sum(nil)
}

// Verify reports whether p is the PIN stored was made from, comparing in constant time,
// and whether stored should be replaced by a hash under the current key (it was made
// under an old key, or by bcrypt). A malformed hash verifies nothing. The error is
// ErrNoKey without a key, or says stored names a key the hasher does not hold: then
// nothing can be said about p, and nothing should be counted.
func (k Keyed) Verify(stored, p string) (ok, stale bool, err error) {
	ok, stale, err = k.verify(stored, p)
	if err == nil && k.Observe != nil {
		k.Observe(ok)
	}
	return ok, stale, err
}

func (k Keyed) verify(stored, p string) (ok, stale bool, err error) {
	if !k.HasKey() {
		return false, false, ErrNoKey
	}
	if !strings.HasPrefix(stored, prefix) {
		if !strings.HasPrefix(stored, "$2") { // bcrypt's $2a$, $2b$, $2y$
			return false, false, nil
		}
		ok := Validate(p) == nil && bcrypt.CompareHashAndPassword([]byte(stored), []byte(p)) == nil
		return ok, ok, nil
	}
	parts := strings.Split(strings.TrimPrefix(stored, prefix), "$")
	if len(parts) != 3 {
		return false, false, nil
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	want, err2 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) != saltLen || len(want) != sha256.Size {
		return false, false, nil
	}
	key, current := k.Current, true
	if parts[0] != key.ID {
		key, current = Key{}, false
		for _, o := range k.Old {
			if o.ID == parts[0] {
				key = o
				break
			}
		}
		if key.IsZero() {
			return false, false, fmt.Errorf("a PIN hash made under key %s, which is neither PERMITLINE_PIN_KEY nor in PERMITLINE_PIN_KEY_OLD", parts[0])
		}
	}
	ok = hmac.Equal(mac(key, salt, p), want) && Validate(p) == nil
	return ok, ok && !current, nil
}

// Tag returns a keyed digest of data for a purpose named by label (such as the input
// of a step kept for a repeat of it): HMAC-SHA256 under a key derived from the current
// key and the label, so no tag can be mistaken for, or turned into, a PIN hash. Without
// a key it returns "".
func (k Keyed) Tag(label string, data []byte) []byte {
	if !k.HasKey() {
		return nil
	}
	d := hmac.New(sha256.New, k.Current.secret)
	d.Write([]byte("permitline tag\x00" + label))
	m := hmac.New(sha256.New, d.Sum(nil))
	m.Write(data)
	return m.Sum(nil)
}
