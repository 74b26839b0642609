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
