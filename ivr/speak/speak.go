// Package speak turns the phone line's values into the words a British English
// text-to-speech voice (Twilio <Say>, en-GB, e.g. Polly.Amy) should say: numbers,
// ordinals, money, dates, times, vehicle registrations and references.
//
// Everything is written out in words, so the voice never guesses: a caller hears
// "Saturday the fifth of December at ten a.m.", never "2026-12-05 10:00", and
// "A for Alpha, B for Bravo, one, two. C for Charlie, D for Delta, E for Echo",
// never "AB12CDE" read too fast to follow. Punctuation is chosen for the pauses it
// makes: ", " is a short pause and ". " a longer one. The functions return phrases
// without a closing full stop, so callers can place them inside sentences.
//
// The functions are pure: every answer depends only on the arguments. Times are
// read in London wall-clock time (calendar.London), whatever the machine's zone.
package speak

import (
	"strings"
	"time"
	"unicode"

	"permitline/domain"
	"permitline/domain/calendar"
)

var units = [...]string{
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
	"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
	"seventeen", "eighteen", "nineteen",
}

var tens = [...]string{
	"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
}

// scales names the powers of a thousand, short scale as British English now uses.
var scales = [...]string{
	"", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion",
}

// Number returns n as a cardinal in words, British style with "and": 0 is "zero",
// 21 "twenty-one", 105 "one hundred and five", 1005 "one thousand and five",
// 1800 "one thousand eight hundred", -5 "minus five". It covers every int.
func Number(n int) string {
	if n == 0 {
		return units[0]
	}
	if n < 0 {
		// Negate as unsigned so the most negative int does not overflow.
		return "minus " + cardinal(uint64(-(n+1))+1)
	}
	return cardinal(uint64(n))
}

// cardinal returns n > 0 in words.
func cardinal(n uint64) string {
	var groups []uint64 // groups of three digits, least significant first
	for ; n > 0; n /= 1000 {
		groups = append(groups, n%1000)
	}
	var parts []string
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			continue
		}
		words := belowThousand(g)
		if i > 0 {
			words += " " + scales[i]
		} else if len(groups) > 1 && g < 100 {
			// British English joins a last group below a hundred with "and":
			// "one thousand and five", "two million and fifty".
			words = "and " + words
		}
		parts = append(parts, words)
	}
	return strings.Join(parts, " ")
}

// belowThousand returns 0 < n < 1000 in words.
func belowThousand(n uint64) string {
	var b strings.Builder
	if n >= 100 {
		b.WriteString(units[n/100])
		b.WriteString(" hundred")
		n %= 100
		if n == 0 {
			return b.String()
		}
		b.WriteString(" and ")
	}
	switch {
	case n < 20:
		b.WriteString(units[n])
	default:
		b.WriteString(tens[n/10])
		if n%10 != 0 {
			b.WriteString("-")
			b.WriteString(units[n%10])
		}
	}
	return b.String()
}

// irregularOrdinals maps the last word of a cardinal to its ordinal where adding
// "th" is not enough.
var irregularOrdinals = map[string]string{
	"one": "first", "two": "second", "three": "third", "five": "fifth",
	"eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}

// Ordinal returns n as an ordinal in words: 1 "first", 2 "second", 3 "third",
// 12 "twelfth", 21 "twenty-first", 31 "thirty-first", 100 "one hundredth".
func Ordinal(n int) string {
	words := Number(n)
	cut := strings.LastIndexAny(words, " -") + 1
	head, last := words[:cut], words[cut:]
	switch {
	case irregularOrdinals[last] != "":
		last = irregularOrdinals[last]
	case strings.HasSuffix(last, "y"): // twenty, thirty, ...
		last = strings.TrimSuffix(last, "y") + "ieth"
	default:
		last += "th"
	}
	return head + last
}

// Money returns an amount as it is said aloud: 3600 "thirty-six pounds", 100
// "one pound", 1850 "eighteen pounds fifty", 1805 "eighteen pounds and five pence"
// (pence below ten are named, so "five" is not heard as "fifty"), 50 "fifty pence",
// 1 "one penny", 0 "zero pounds", -500 "minus five pounds".
func Money(p domain.Pence) string {
	if p == 0 {
		return "zero pounds"
	}
	if p < 0 {
		// Pence is int64; -(p+1) avoids overflow on the most negative amount.
		return "minus " + positiveMoney(uint64(-(p+1))+1)
	}
	return positiveMoney(uint64(p))
}

// positiveMoney returns p > 0 pence in words.
func positiveMoney(p uint64) string {
	pounds, pence := p/100, p%100
	if pounds == 0 {
		return penceWords(pence)
	}
	s := cardinal(pounds) + " pounds"
	if pounds == 1 {
		s = "one pound"
	}
	switch {
	case pence == 0:
		return s
	case pence < 10:
		return s + " and " + penceWords(pence)
	default:
		return s + " " + cardinal(pence)
	}
}

// penceWords returns 0 < p < 100 pence in words: "one penny", "fifty pence".
func penceWords(p uint64) string {
	if p == 1 {
		return "one penny"
	}
	return cardinal(p) + " pence"
}

// Date returns d as said aloud relative to today: "today, Monday the thirtieth of
// November", "tomorrow, Tuesday the first of December", otherwise "Saturday the
// fifth of December". A date in another year than today's ends with the year in
// words: "Friday the first of January twenty twenty-seven". Today and tomorrow
// never carry the year: "tomorrow" already says which day it is.
func Date(d calendar.Date, today calendar.Date) string {
	switch d {
	case today:
		return "today, " + dayName(d)
	case today.AddDays(1):
		return "tomorrow, " + dayName(d)
	}
	return fullDate(d, today)
}

// dayName returns "Saturday the fifth of December".
func dayName(d calendar.Date) string {
	return d.Weekday().String() + " the " + Ordinal(d.Day) + " of " + d.Month.String()
}

// fullDate returns dayName(d), followed by the year when it is not today's year.
func fullDate(d calendar.Date, today calendar.Date) string {
	if d.Year != today.Year {
		return dayName(d) + " " + year(d.Year)
	}
	return dayName(d)
}

// year returns a year as people say it: 2026 "twenty twenty-six", 2000 "two
// thousand", 2005 "two thousand and five", 1905 "nineteen oh five", 1900
// "nineteen hundred".
func year(y int) string {
	if y < 1100 || y > 9999 || y%1000 < 10 {
		return Number(y)
	}
	hi, lo := y/100, y%100
	switch {
	case lo == 0:
		return Number(hi) + " hundred"
	case lo < 10:
		return Number(hi) + " oh " + Number(lo)
	default:
		return Number(hi) + " " + Number(lo)
	}
}

// Time returns the London wall-clock time of t as people say it: 09:00 "nine
// a.m.", 18:00 "six p.m.", 10:30 "ten thirty a.m.", 08:05 "eight oh five a.m.",
// 12:00 "midday", 12:15 "twelve fifteen p.m.", 00:00 "midnight", 00:30 "twelve
// thirty a.m.". Seconds are dropped.
func Time(t time.Time) string {
	h, m, pm := calendar.Clock12(t)
	switch {
	case m == 0 && h == 12 && !pm:
		return "midnight"
	case m == 0 && h == 12:
		return "midday"
	}
	suffix := " a.m."
	if pm {
		suffix = " p.m."
	}
	s := Number(h)
	switch {
	case m == 0:
	case m < 10:
		s += " oh " + Number(m)
	default:
		s += " " + Number(m)
	}
	return s + suffix
}

// When returns the instant t relative to now, day then time: "today at six p.m.",
// "tomorrow at nine a.m.", "on Saturday the fifth of December at ten a.m.", with
// the year as Date adds it ("on Friday the first of January twenty twenty-seven at
// nine a.m.").
//
// Midnight (00:00) ends the day before, so it is named after that day to leave no
// doubt: "tonight at midnight", "tomorrow night at midnight", "last night at
// midnight", otherwise "at midnight at the end of Saturday the fifth of December".
func When(t time.Time, now time.Time) string {
	today := calendar.DateOf(now)
	d := calendar.DateOf(t)
	tm := Time(t)
	if tm == "midnight" {
		night := d.AddDays(-1)
		switch night {
		case today:
			return "tonight at midnight"
		case today.AddDays(1):
			return "tomorrow night at midnight"
		case today.AddDays(-1):
			return "last night at midnight"
		}
		return "at midnight at the end of " + fullDate(night, today)
	}
	switch d {
	case today:
		return "today at " + tm
	case today.AddDays(1):
		return "tomorrow at " + tm
	}
	return "on " + fullDate(d, today) + " at " + tm
}

// natoAlphabet holds the spelling-alphabet words, "Alpha" and "Juliet" spelled as
// text-to-speech voices pronounce them best.
var natoAlphabet = [26]string{
	"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel",
	"India", "Juliet", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa",
	"Quebec", "Romeo", "Sierra", "Tango", "Uniform", "Victor", "Whiskey",
	"X-ray", "Yankee", "Zulu",
}

// Letter returns the spelling-alphabet word for a letter of either case ('c' and
// 'C' are "Charlie") and the word for a digit ('7' is "seven", '0' is "zero");
// any other rune is returned as it is.
func Letter(r rune) string {
	switch {
	case r >= 'A' && r <= 'Z':
		return natoAlphabet[r-'A']
	case r >= 'a' && r <= 'z':
		return natoAlphabet[r-'a']
	case r >= '0' && r <= '9':
		return units[r-'0']
	}
	return string(r)
}

// character returns one character as SpellVRM reads it: a letter as "C for
// Charlie", a digit as its word. It reports false for anything else.
func character(r rune) (string, bool) {
	switch {
	case isLetter(r):
		return string(unicode.ToUpper(r)) + " for " + Letter(r), true
	case isDigit(r):
		return Letter(r), true
	}
	return "", false
}

// spellGroups reads each group character by character, characters separated by
// ", " and groups by ". ".
func spellGroups(groups []string) string {
	var out []string
	for _, g := range groups {
		var chars []string
		for _, r := range g {
			if c, ok := character(r); ok {
				chars = append(chars, c)
			}
		}
		if len(chars) > 0 {
			out = append(out, strings.Join(chars, ", "))
		}
	}
	return strings.Join(out, ". ")
}

// isLetter reports whether r is an ASCII letter of either case.
func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }

// isDigit reports whether r is an ASCII digit.
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isSeparator reports whether r marks a split between groups of characters.
func isSeparator(r rune) bool { return r == ' ' || r == '-' }

// isCurrentShape reports whether s has the shape of a current-format mark: two
// letters, two digits, three letters (AB12CDE).
func isCurrentShape(s string) bool {
	if len(s) != 7 {
		return false
	}
	for i, r := range s {
		wantDigit := i == 2 || i == 3
		if wantDigit && !isDigit(r) || !wantDigit && !isLetter(r) {
			return false
		}
	}
	return true
}

// SpellVRM returns a vehicle registration mark read character by character, so a
// caller can follow it: each letter as "C for Charlie", each digit as its word,
// characters separated by ", " (a short pause) and groups by ". " (a longer pause).
//
// The groups are where the mark has a space ("AB12 CDE", "A123 BCD"); a mark
// without one is split in two like a current-format plate when it has that shape
// (two letters, two digits, three letters), and otherwise read evenly as one group:
//
//	SpellVRM("AB12CDE")  = "A for Alpha, B for Bravo, one, two. C for Charlie, D for Delta, E for Echo"
//	SpellVRM("AB12 CDE") = "A for Alpha, B for Bravo, one, two. C for Charlie, D for Delta, E for Echo"
//	SpellVRM("A123 BCD") = "A for Alpha, one, two, three. B for Bravo, C for Charlie, D for Delta"
//	SpellVRM("A123BCD")  = "A for Alpha, one, two, three, B for Bravo, C for Charlie, D for Delta"
//
// Lower-case letters are read as upper case; characters other than letters, digits
// and spaces (or hyphens) are left out.
func SpellVRM(text string) string {
	text = strings.TrimSpace(text)
	if !strings.ContainsFunc(text, isSeparator) && isCurrentShape(text) {
		return spellGroups([]string{text[:4], text[4:]})
	}
	return spellGroups(strings.FieldsFunc(text, isSeparator))
}

// Plate reads a registration character by character, slowly enough to follow, without
// the phonetic alphabet (SpellVRM's, kept for read-backs, where mistakes matter most):
// digits as words, a current-format mark in its two groups.
//
//	Plate("AB12CDE") = "A, B, one, two. C, D, E"
//	Plate("K7PQD")   = "K, seven, P, Q, D"
func Plate(vrm string) string {
	var parts []string
	for _, r := range vrm {
		if isDigit(r) {
			parts = append(parts, Number(int(r-'0')))
		} else {
			parts = append(parts, string(r))
		}
	}
	if isCurrentShape(vrm) {
		return strings.Join(parts[:4], ", ") + ". " + strings.Join(parts[4:], ", ")
	}
	return strings.Join(parts, ", ")
}

// Digits returns a number or reference read character by character in short
// groups, for account numbers and visit references. Groups are where s has a
// space or hyphen; without one, s is cut into even groups of at most four, the
// longer groups first (5 is 3+2, 6 is 3+3, 7 is 4+3, 8 is 4+4, 9 is 3+3+3).
//
// All digits are read as words separated by spaces, groups by ", ":
//
//	Digits("12345678") = "one two three four, five six seven eight"
//	Digits("1205")     = "one two zero five"
//
// When s has a letter, every character is read as SpellVRM reads it, characters
// separated by ", " and groups by ". ":
//
//	Digits("K7P9QD") = "K for Kilo, seven, P for Papa. nine, Q for Quebec, D for Delta"
func Digits(s string) string {
	groups := strings.FieldsFunc(s, isSeparator)
	if len(groups) == 1 {
		groups = evenGroups(groups[0])
	}
	if strings.ContainsFunc(s, isLetter) {
		return spellGroups(groups)
	}
	var out []string
	for _, g := range groups {
		var words []string
		for _, r := range g {
			if isDigit(r) {
				words = append(words, Letter(r))
			}
		}
		if len(words) > 0 {
			out = append(out, strings.Join(words, " "))
		}
	}
	return strings.Join(out, ", ")
}

// evenGroups cuts s into the fewest groups of at most four characters, as even
// as possible, the longer groups first.
func evenGroups(s string) []string {
	rs := []rune(s)
	n := len(rs)
	count := (n + 3) / 4
	if count <= 1 {
		return []string{s}
	}
	groups := make([]string, 0, count)
	for i := 0; i < count; i++ {
		size := n / count
		if i < n%count {
			size++
		}
		groups = append(groups, string(rs[:size]))
		rs = rs[size:]
	}
	return groups
}

// List joins items as a sentence does, without a comma before "and": "a",
// "a and b", "a, b and c". No items give "".
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Plural returns n in words with the noun that agrees with it: Plural(1, "visit",
// "visits") is "one visit", Plural(5, "visit", "visits") "five visits" and
// Plural(0, "visit", "visits") "zero visits".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "one " + one
	}
	return Number(n) + " " + many
}
