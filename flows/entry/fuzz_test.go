package entry

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"permitline/domain/calendar"
)

// fuzzToday turns two fuzzed numbers into a today between 2000 and 2199.
func fuzzToday(year, yday uint16) calendar.Date {
	return calendar.NewDate(2000+int(year%200), time.January, 1+int(yday%366))
}

// isReal reports whether d is a date that exists.
func isReal(d calendar.Date) bool {
	return calendar.NewDate(d.Year, d.Month, d.Day) == d && d.Month >= time.January && d.Month <= time.December
}

// isCandidate reports whether s is 1 to 8 characters of A-Z and 0-9.
func isCandidate(s string, maxLen int) bool {
	if len(s) < 1 || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('A' <= s[i] && s[i] <= 'Z' || '0' <= s[i] && s[i] <= '9') {
			return false
		}
	}
	return true
}

func FuzzDecodeKeypad(f *testing.F) {
	for _, s := range []string{"", "21221020233132", "2122*", "21*", "*", "2", "24", "11", "21A", "21#99", "2*1", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, keys string) {
		got, err := DecodeKeypad(keys)
		if err != nil {
			var ke *KeypadError
			if !errors.As(err, &ke) || ke.Reason == "" || ke.Keys != keys ||
				ke.Position < 1 || ke.Position > utf8.RuneCountInString(keys) || got != "" {
				t.Fatalf("DecodeKeypad(%q) = %q, %#v", keys, got, err)
			}
			return
		}
		if got != "" && !isCandidate(got, len(keys)) {
			t.Fatalf("DecodeKeypad(%q) = %q: not only A-Z and 0-9", keys, got)
		}
		again, err := DecodeKeypad(EncodeKeypad(got))
		if err != nil || again != got {
			t.Fatalf("DecodeKeypad(EncodeKeypad(%q)) = %q, %v", got, again, err)
		}
	})
}

func FuzzSpokenVRM(f *testing.F) {
	for _, s := range []string{"", "A B 1 2 C D E", "ab12 cde", "alpha bravo one two charlie delta echo",
		"Alfa Bravo 12 Charlie Delta Echo.", "a for apple b 12 c d e", "double you", "treble seven",
		"x ray", "sixty two", "C as in cat", "it's", "\u212a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, speech string) {
		got, ok := SpokenVRM(speech)
		if ok != isCandidate(got, maxSpoken) || !ok && got != "" {
			t.Fatalf("SpokenVRM(%q) = %q, %v", speech, got, ok)
		}
	})
}

func FuzzTextDate(f *testing.F) {
	for _, s := range []string{"", "today", "tmrw", "sat", "5/12", "05/12/26", "5th December", "Dec 5",
		"December 5th, 2026", "Sat 5 Dec", "29/2", "31/4"} {
		f.Add(s, uint16(26), uint16(165))
	}
	f.Fuzz(func(t *testing.T, s string, year, yday uint16) {
		today := fuzzToday(year, yday)
		got, ok := TextDate(s, today)
		if !ok {
			if got != (calendar.Date{}) {
				t.Fatalf("TextDate(%q, %v) = %v, false", s, today, got)
			}
			return
		}
		if n := today.DaysUntil(got); !isReal(got) || n < -366 || n > 366 {
			t.Fatalf("TextDate(%q, %v) = %v: not a real date within 366 days", s, today, got)
		}
	})
}

func FuzzDayMonth(f *testing.F) {
	for _, s := range []string{"", "0512", "0501", "2902", "3104", "1313", "0000", "05a2", "051"} {
		f.Add(s, uint16(26), uint16(165))
	}
	f.Fuzz(func(t *testing.T, digits string, year, yday uint16) {
		today := fuzzToday(year, yday)
		got, err := DayMonth(digits, today)
		if err != nil {
			var de *DateError
			if !errors.As(err, &de) || de.Reason == "" || de.Input != digits || !got.IsZero() {
				t.Fatalf("DayMonth(%q, %v) = %v, %#v", digits, today, got, err)
			}
			return
		}
		if n := today.DaysUntil(got); !isReal(got) || n < 0 || n > 366 {
			t.Fatalf("DayMonth(%q, %v) = %v: not a real date from today to 366 days on", digits, today, got)
		}
		if want := [4]byte{byte('0' + got.Day/10), byte('0' + got.Day%10),
			byte('0' + int(got.Month)/10), byte('0' + int(got.Month)%10)}; digits != string(want[:]) {
			t.Fatalf("DayMonth(%q, %v) = %v: not the day and month keyed", digits, today, got)
		}
	})
}
