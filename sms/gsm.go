package sms

import "strings"

// gsm7 is the GSM 03.38 basic character set: one septet each. "£" is in it; curly quotes
// and dashes are not, and one of those would turn a whole message into UCS-2.
const gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extended costs two septets each (an escape, then the character).
const gsm7Extended = "^{}\\[~]|€\f"

// IsGSM7 reports whether s uses only the GSM-7 alphabet.
func IsGSM7(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(gsm7, r) && !strings.ContainsRune(gsm7Extended, r) {
			return false
		}
	}
	return true
}

// Segments returns how many SMS segments s takes: 160 septets in one, 153 a segment when
// concatenated (GSM-7); 70 and 67 characters for UCS-2.
func Segments(s string) int {
	if IsGSM7(s) {
		n := 0
		for _, r := range s {
			n++
			if strings.ContainsRune(gsm7Extended, r) {
				n++
			}
		}
		return segments(n, 160, 153)
	}
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return segments(n, 70, 67)
}

func segments(n, single, multi int) int {
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

// MaxSeptets is the most a reply or notice may hold: two concatenated GSM-7 segments of
// 153 septets. A text of more is billed as three or more messages.
const MaxSeptets = 2 * 153

// septets returns how many septets s takes in GSM-7, counting a character outside the
// alphabet as one (callers make s GSM-7 first).
func septets(s string) int {
	n := 0
	for _, r := range s {
		n++
		if strings.ContainsRune(gsm7Extended, r) {
			n++
		}
	}
	return n
}

// toGSM7 replaces every character outside the GSM-7 basic set, the extension table
// included, with '?', and line breaks with spaces. One emoji or curly quote would
// otherwise turn a whole message into UCS-2, at 70 characters a segment.
func toGSM7(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r':
			return ' '
		case strings.ContainsRune(gsm7, r):
			return r
		}
		return '?'
	}, s)
}

// fit makes s a text of GSM-7 within MaxSeptets: characters outside GSM-7 become '?', and
// a longer text is cut, ending "...". Every text the line writes is made to fit already;
// fit is the last guard, and changed says it had to act.
func fit(s string) (out string, changed bool) {
	out = s
	if !IsGSM7(out) {
		out = strings.Map(func(r rune) rune {
			if strings.ContainsRune(gsm7, r) || strings.ContainsRune(gsm7Extended, r) {
				return r
			}
			return '?'
		}, out)
	}
	if septets(out) > MaxSeptets {
		rs, n := []rune(out), 0
		for i, r := range rs {
			w := 1
			if strings.ContainsRune(gsm7Extended, r) {
				w = 2
			}
			if n+w > MaxSeptets-3 {
				out = string(rs[:i]) + "..."
				break
			}
			n += w
		}
	}
	return out, out != s
}
