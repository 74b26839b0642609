package load

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// Kind is a kind of conversation a simulated resident has with the line.
type Kind string

// The kinds of conversation.
const (
	// Activate is a call: PIN, menu 1, a new vehicle keyed two keys a character, a day, confirm.
	Activate Kind = "activate"
	// Cancel is a call that activates a visit for a later day, then cancels it from menu 2.
	Cancel Kind = "cancel"
	// Buy is a call that buys permits from menu 4 and pays with the test card through <Pay>.
	Buy Kind = "buy"
	// Agent is a call that asks for an agent with 0 and hangs up in the queue.
	Agent Kind = "agent"
	// SMSActivate is a text "VISITOR AB12CDE [day]", answered YES when the line asks.
	SMSActivate Kind = "sms-activate"
	// SMSCancel books a visit for a later day by text, then texts UNDO with its reference.
	SMSCancel Kind = "sms-cancel"
)

// Kinds lists every kind of conversation, in the order reports use.
var Kinds = []Kind{Activate, Cancel, Buy, Agent, SMSActivate, SMSCancel}

// Mix is the proportion of each kind of conversation, in any units.
type Mix map[Kind]int

// DefaultMix is activate=50,cancel=10,buy=10,agent=5,sms-activate=20,sms-cancel=5.
func DefaultMix() Mix {
	return Mix{Activate: 50, Cancel: 10, Buy: 10, Agent: 5, SMSActivate: 20, SMSCancel: 5}
}

// ParseMix reads "activate=50,cancel=10,...": kinds not named get no conversations.
func ParseMix(s string) (Mix, error) {
	m := Mix{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		k := Kind(strings.TrimSpace(name))
		n, err := strconv.Atoi(strings.TrimSpace(val))
		switch {
		case !ok || err != nil || n < 0:
			return nil, fmt.Errorf("mix %q: want KIND=N with N a whole number, e.g. activate=50", part)
		case !knownKind(k):
			return nil, fmt.Errorf("mix: unknown kind %q (kinds: %s)", name, kindList())
		}
		m[k] += n
	}
	if m.total() == 0 {
		return nil, fmt.Errorf("mix %q gives no conversations", s)
	}
	return m, nil
}

func knownKind(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func (m Mix) total() int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// String writes the mix as ParseMix reads it.
func (m Mix) String() string {
	var parts []string
	for _, k := range Kinds {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
		}
	}
	return strings.Join(parts, ",")
}

// assign gives n conversations kinds in the mix's proportions exactly (largest remainder),
// shuffled by seed, so even a small run has every kind the mix names.
func (m Mix) assign(n int, seed uint64) []Kind {
	total := m.total()
	type share struct {
		k    Kind
		n    int
		frac float64
	}
	var shares []share
	given := 0
	for _, k := range Kinds {
		if m[k] == 0 {
			continue
		}
		exact := float64(n) * float64(m[k]) / float64(total)
		s := share{k: k, n: int(exact), frac: exact - float64(int(exact))}
		if s.n == 0 && n >= len(m) {
			s.n, s.frac = 1, 0 // every kind named at least once
		}
		given += s.n
		shares = append(shares, s)
	}
	sort.SliceStable(shares, func(i, j int) bool { return shares[i].frac > shares[j].frac })
	for i := 0; given < n; i = (i + 1) % len(shares) {
		shares[i].n++
		given++
	}
	for i := len(shares) - 1; given > n; i-- { // the minimum of one each overshot
		if shares[i].n > 1 {
			shares[i].n--
			given--
		}
		if i == 0 {
			i = len(shares)
		}
	}
	out := make([]Kind, 0, n)
	for _, s := range shares {
		for range s.n {
			out = append(out, s.k)
		}
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
