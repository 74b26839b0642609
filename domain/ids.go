package domain

import (
	"crypto/rand"
	"math/big"
	mrand "math/rand/v2"
	"sync"
)

// IDSource makes the numbers residents quote: account numbers and visit references.
// It is injected so tests are repeatable; collisions are retried by the caller.
type IDSource interface {
	// AccountNumber returns an account number of AccountDigits digits, easy to key on a phone.
	AccountNumber() string
	// VisitRef returns a 6-character visit reference without look-alike characters.
	VisitRef() string
}

// refAlphabet leaves out 0/O, 1/I/L, 5/S, 8/B and 2/Z, which are misheard on the phone.
const refAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// RandomIDs draws from crypto/rand.
type RandomIDs struct{}

// AccountNumber returns a random account number.
func (RandomIDs) AccountNumber() string { return accountFrom(cryptoIntn) }

// VisitRef returns a random visit reference.
func (RandomIDs) VisitRef() string { return refFrom(cryptoIntn) }

func cryptoIntn(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}

// SeededIDs draws from a seeded generator, for repeatable tests.
type SeededIDs struct {
	mu sync.Mutex
	r  *mrand.Rand
}

// NewSeededIDs returns an IDSource that gives the same sequence for the same seed.
func NewSeededIDs(seed uint64) *SeededIDs {
	return &SeededIDs{r: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (s *SeededIDs) intn(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.IntN(n)
}

// AccountNumber returns the next account number.
func (s *SeededIDs) AccountNumber() string { return accountFrom(s.intn) }

// VisitRef returns the next visit reference.
func (s *SeededIDs) VisitRef() string { return refFrom(s.intn) }

// AccountDigits is how many digits an account number has.
const AccountDigits = 8

func accountFrom(intn func(int) int) string {
	b := make([]byte, AccountDigits)
	b[0] = byte('1' + intn(9)) // never a leading zero
	for i := 1; i < len(b); i++ {
		b[i] = byte('0' + intn(10))
	}
	return string(b)
}

func refFrom(intn func(int) int) string {
	b := make([]byte, 6)
	for i := range b {
		b[i] = refAlphabet[intn(len(refAlphabet))]
	}
	return string(b)
}
