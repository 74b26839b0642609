package entry

import (
	"fmt"
	"strings"
)

// keyLetters holds the letters each phone key carries (ITU E.161); keys 0 and 1 carry none.
var keyLetters = [10]string{2: "ABC", 3: "DEF", 4: "GHI", 5: "JKL", 6: "MNO", 7: "PQRS", 8: "TUV", 9: "WXYZ"}

// Reasons a keypad entry is not valid that do not depend on the keys pressed.
const (
	reasonDangling = "the last character needs its second key"
	reasonBadKey   = "only the keys 0 to 9, star and hash can be used"
)

// KeypadError reports a keypad entry that cannot be decoded.
type KeypadError struct {
	Keys     string // the keys as received
	Position int    // the 1-based position in Keys of the key at fault
	Reason   string // plain English, e.g. "2 then 4: the 2 key has only A, B and C"
}

// Error returns e.g. `keypad entry "24": key 2: 2 then 4: the 2 key has only A, B and C`.
func (e *KeypadError) Error() string {
	return fmt.Sprintf("keypad entry %q: key %d: %s", e.Keys, e.Position, e.Reason)
}

// DecodeKeypad decodes a registration keyed two keys a character: the key that carries the
// character, then its position on that key (A is 2 then 1, S is 7 then 4), and a digit as
// that digit then 0 ("AB12CDE" is keyed 21221020233132). A '*' deletes the last complete
// character, or a first key still waiting for its second; a '#' ends the entry and
// anything after it is ignored. Nothing keyed decodes to "". The result is only upper-case
// letters and digits; it is not checked to be a valid registration (vrm.Parse does that).
// Otherwise the error is a *KeypadError whose Position is the key at fault.
func DecodeKeypad(keys string) (string, error) {
	var out []byte
	first, firstAt := -1, 0 // the first key of a character still waiting for its second
	n := 0
scan:
	for _, r := range keys {
		n++
		switch {
		case r == '#':
			break scan
		case r == '*':
			if first >= 0 {
				first = -1
			} else if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case '0' <= r && r <= '9':
			d := int(r - '0')
			if first < 0 {
				first, firstAt = d, n
				continue
			}
			c, reason := keyChar(first, d)
			if reason != "" {
				return "", &KeypadError{Keys: keys, Position: n, Reason: reason}
			}
			out = append(out, c)
			first = -1
		default:
			return "", &KeypadError{Keys: keys, Position: n, Reason: reasonBadKey}
		}
	}
	if first >= 0 {
		return "", &KeypadError{Keys: keys, Position: firstAt, Reason: reasonDangling}
	}
	return string(out), nil
}

// keyChar returns the character at position pos of key, or why there is none.
func keyChar(key, pos int) (byte, string) {
	if pos == 0 {
		return byte('0' + key), ""
	}
	letters := keyLetters[key]
	if letters == "" {
		return 0, fmt.Sprintf("%d then %d: the %d key has no letters, so only %d then 0 is allowed", key, pos, key, key)
	}
	if pos > len(letters) {
		return 0, fmt.Sprintf("%d then %d: the %d key has only %s", key, pos, key, listLetters(letters))
	}
	return letters[pos-1], ""
}

// listLetters returns e.g. "A, B and C" for "ABC".
func listLetters(letters string) string {
	parts := strings.Split(letters, "")
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// keysOf returns the two keys that enter r, a letter (either case) or a digit.
func keysOf(r rune) (key, pos byte, ok bool) {
	switch {
	case '0' <= r && r <= '9':
		return byte(r), '0', true
	case 'a' <= r && r <= 'z':
		r -= 'a' - 'A'
	case r < 'A' || r > 'Z':
		return 0, 0, false
	}
	for k, letters := range keyLetters {
		if i := strings.IndexByte(letters, byte(r)); i >= 0 {
			return byte('0' + k), byte('1' + i), true
		}
	}
	return 0, 0, false
}

// EncodeKeypad returns the keys that enter text with DecodeKeypad: two keys for each letter
// (either case) or digit, e.g. "21221020233132" for "AB12CDE". Every other character,
// such as a space, is left out, so DecodeKeypad(EncodeKeypad(s)) is s upper-cased with
// everything but the letters A-Z and digits dropped.
func EncodeKeypad(text string) string {
	var b strings.Builder
	for _, r := range text {
		if key, pos, ok := keysOf(r); ok {
			b.WriteByte(key)
			b.WriteByte(pos)
		}
	}
	return b.String()
}

// KeypadHelp says how to key the letter (either case) or digit r, e.g. "2 then 3" for 'C'
// and "7 then 0" for '7'; it returns "" for any other rune.
func KeypadHelp(r rune) string {
	key, pos, ok := keysOf(r)
	if !ok {
		return ""
	}
	return string(key) + " then " + string(pos)
}
