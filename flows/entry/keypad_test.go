package entry

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// keyedAlphabet is every character a registration can hold and its two keys, written out
// by hand from ITU E.161 rather than derived from the code under test.
var keyedAlphabet = []struct {
	char rune
	keys string
}{
	{'A', "21"}, {'B', "22"}, {'C', "23"},
	{'D', "31"}, {'E', "32"}, {'F', "33"},
	{'G', "41"}, {'H', "42"}, {'I', "43"},
	{'J', "51"}, {'K', "52"}, {'L', "53"},
	{'M', "61"}, {'N', "62"}, {'O', "63"},
	{'P', "71"}, {'Q', "72"}, {'R', "73"}, {'S', "74"},
	{'T', "81"}, {'U', "82"}, {'V', "83"},
	{'W', "91"}, {'X', "92"}, {'Y', "93"}, {'Z', "94"},
	{'0', "00"}, {'1', "10"}, {'2', "20"}, {'3', "30"}, {'4', "40"},
	{'5', "50"}, {'6', "60"}, {'7', "70"}, {'8', "80"}, {'9', "90"},
}

func TestKeypadAlphabet(t *testing.T) {
	if len(keyedAlphabet) != 36 {
		t.Fatalf("table has %d characters, want 36", len(keyedAlphabet))
	}
	for _, c := range keyedAlphabet {
		if got := EncodeKeypad(string(c.char)); got != c.keys {
			t.Errorf("EncodeKeypad(%q) = %q, want %q", c.char, got, c.keys)
		}
		if got, err := DecodeKeypad(c.keys); err != nil || got != string(c.char) {
			t.Errorf("DecodeKeypad(%q) = %q, %v; want %q", c.keys, got, err, c.char)
		}
		want := c.keys[:1] + " then " + c.keys[1:]
		if got := KeypadHelp(c.char); got != want {
			t.Errorf("KeypadHelp(%q) = %q, want %q", c.char, got, want)
		}
		if lower := c.char | 0x20; c.char >= 'A' && c.char <= 'Z' {
			if got := EncodeKeypad(string(lower)); got != c.keys {
				t.Errorf("EncodeKeypad(%q) = %q, want %q", lower, got, c.keys)
			}
			if got := KeypadHelp(lower); got != want {
				t.Errorf("KeypadHelp(%q) = %q, want %q", lower, got, want)
			}
		}
	}
	var all, keys strings.Builder
	for _, c := range keyedAlphabet {
		all.WriteRune(c.char)
		keys.WriteString(c.keys)
	}
	if got := EncodeKeypad(all.String()); got != keys.String() {
		t.Errorf("EncodeKeypad(alphabet) = %q, want %q", got, keys.String())
	}
	if got, err := DecodeKeypad(keys.String()); err != nil || got != all.String() {
		t.Errorf("DecodeKeypad(alphabet keys) = %q, %v; want %q", got, err, all.String())
	}
}

func TestDecodeKeypad(t *testing.T) {
	tests := []struct {
		keys, want string
	}{
		{"", ""},
		{"21221020233132", "AB12CDE"},
		{"21", "A"},
		{"2122*", "A"},
		{"21*", ""},
		{"2*", ""},
		{"*", ""},
		{"***", ""},
		{"**21", "A"},
		{"21**", ""},
		{"212*", "A"},
		{"2122*23", "AC"},
		{"2122**23", "C"},
		{"212*22", "AB"},
		{"21*22", "B"},
		{"2*22", "B"},
		{"2122232*", "ABC"},
		{"21#", "A"},
		{"#", ""},
		{"21#99", "A"},
		{"21#2", "A"},
		{"21#x", "A"},
		{"00", "0"},
		{"10", "1"},
		{"20", "2"},
		{"90", "9"},
		{"7470", "S7"},
		{"942094", "Z2Z"},
		{"62637374", "NORS"},
		{"6363000010102020", "OO001122"},
	}
	for _, tt := range tests {
		got, err := DecodeKeypad(tt.keys)
		if err != nil || got != tt.want {
			t.Errorf("DecodeKeypad(%q) = %q, %v; want %q", tt.keys, got, err, tt.want)
		}
	}
}

func TestDecodeKeypadErrors(t *testing.T) {
	tests := []struct {
		keys     string
		position int
		reason   string
	}{
		{"2", 1, "the last character needs its second key"},
		{"212", 3, "the last character needs its second key"},
		{"2121212", 7, "the last character needs its second key"},
		{"212#", 3, "the last character needs its second key"},
		{"2#", 1, "the last character needs its second key"},
		{"2*1", 3, "the last character needs its second key"},
		{"2122*2", 6, "the last character needs its second key"},
		{"24", 2, "2 then 4: the 2 key has only A, B and C"},
		{"29", 2, "2 then 9: the 2 key has only A, B and C"},
		{"34", 2, "3 then 4: the 3 key has only D, E and F"},
		{"44", 2, "4 then 4: the 4 key has only G, H and I"},
		{"54", 2, "5 then 4: the 5 key has only J, K and L"},
		{"64", 2, "6 then 4: the 6 key has only M, N and O"},
		{"75", 2, "7 then 5: the 7 key has only P, Q, R and S"},
		{"84", 2, "8 then 4: the 8 key has only T, U and V"},
		{"95", 2, "9 then 5: the 9 key has only W, X, Y and Z"},
		{"2175", 4, "7 then 5: the 7 key has only P, Q, R and S"},
		{"21221024", 8, "2 then 4: the 2 key has only A, B and C"},
		{"2*24", 4, "2 then 4: the 2 key has only A, B and C"},
		{"11", 2, "1 then 1: the 1 key has no letters, so only 1 then 0 is allowed"},
		{"19", 2, "1 then 9: the 1 key has no letters, so only 1 then 0 is allowed"},
		{"01", 2, "0 then 1: the 0 key has no letters, so only 0 then 0 is allowed"},
		{"2105", 4, "0 then 5: the 0 key has no letters, so only 0 then 0 is allowed"},
		{"21A", 3, "only the keys 0 to 9, star and hash can be used"},
		{"21 22", 3, "only the keys 0 to 9, star and hash can be used"},
		{"a", 1, "only the keys 0 to 9, star and hash can be used"},
		{"2é", 2, "only the keys 0 to 9, star and hash can be used"},
		{"é2", 1, "only the keys 0 to 9, star and hash can be used"},
		{"21\xff", 3, "only the keys 0 to 9, star and hash can be used"},
		{"21+", 3, "only the keys 0 to 9, star and hash can be used"},
		{"2124A", 4, "2 then 4: the 2 key has only A, B and C"}, // the first fault is reported
	}
	for _, tt := range tests {
		got, err := DecodeKeypad(tt.keys)
		var ke *KeypadError
		if !errors.As(err, &ke) {
			t.Errorf("DecodeKeypad(%q) = %q, %v; want a *KeypadError", tt.keys, got, err)
			continue
		}
		if got != "" || ke.Keys != tt.keys || ke.Position != tt.position || ke.Reason != tt.reason {
			t.Errorf("DecodeKeypad(%q) = %q, %+v; want position %d, reason %q", tt.keys, got, *ke, tt.position, tt.reason)
		}
	}
}

func TestKeypadErrorString(t *testing.T) {
	_, err := DecodeKeypad("24")
	want := `keypad entry "24": key 2: 2 then 4: the 2 key has only A, B and C`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestEncodeKeypad(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ""},
		{"AB12CDE", "21221020233132"},
		{"ab12 cde", "21221020233132"},
		{"AB12-CDE.", "21221020233132"},
		{" ", ""},
		{"é!*#", ""},
		{"\u212a", ""}, // the Kelvin sign is not K
		{"S7", "7470"},
		{"Z2Z", "942094"},
	}
	for _, tt := range tests {
		if got := EncodeKeypad(tt.text); got != tt.want {
			t.Errorf("EncodeKeypad(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestKeypadHelpOthers(t *testing.T) {
	for _, r := range []rune{' ', '*', '#', '-', 'é', '\u212a', 0, -1, 'A' - 1, 'Z' + 1, 'a' - 1, 'z' + 1} {
		if got := KeypadHelp(r); got != "" {
			t.Errorf("KeypadHelp(%q) = %q, want \"\"", r, got)
		}
	}
	if got := KeypadHelp('S'); got != "7 then 4" {
		t.Errorf("KeypadHelp('S') = %q", got)
	}
}

// TestKeypadRoundTrip checks that decoding what EncodeKeypad keys gives back the text,
// upper-cased, with everything but A-Z and 0-9 left out.
func TestKeypadRoundTrip(t *testing.T) {
	const pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -.*#é"
	rng := rand.New(rand.NewPCG(1, 2))
	poolRunes := []rune(pool)
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteRune(poolRunes[rng.IntN(len(poolRunes))])
		}
		text := b.String()
		var want strings.Builder
		for _, r := range strings.ToUpper(text) {
			if 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
				want.WriteRune(r)
			}
		}
		keys := EncodeKeypad(text)
		if len(keys) != 2*want.Len() {
			t.Errorf("EncodeKeypad(%q) = %q: %d keys, want %d", text, keys, len(keys), 2*want.Len())
		}
		if got, err := DecodeKeypad(keys); err != nil || got != want.String() {
			t.Errorf("DecodeKeypad(EncodeKeypad(%q)) = %q, %v; want %q", text, got, err, want.String())
		}
	}
}
