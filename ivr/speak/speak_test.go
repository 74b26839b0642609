package speak_test

import (
	"math"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/ivr/speak"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "zero"},
		{1, "one"},
		{7, "seven"},
		{10, "ten"},
		{11, "eleven"},
		{13, "thirteen"},
		{19, "nineteen"},
		{20, "twenty"},
		{21, "twenty-one"},
		{40, "forty"},
		{99, "ninety-nine"},
		{100, "one hundred"},
		{101, "one hundred and one"},
		{105, "one hundred and five"},
		{110, "one hundred and ten"},
		{999, "nine hundred and ninety-nine"},
		{1000, "one thousand"},
		{1005, "one thousand and five"},
		{1050, "one thousand and fifty"},
		{1100, "one thousand one hundred"},
		{1800, "one thousand eight hundred"},
		{1805, "one thousand eight hundred and five"},
		{2026, "two thousand and twenty-six"},
		{12345, "twelve thousand three hundred and forty-five"},
		{100000, "one hundred thousand"},
		{100001, "one hundred thousand and one"},
		{999999, "nine hundred and ninety-nine thousand nine hundred and ninety-nine"},
		{1000000, "one million"},
		{1000005, "one million and five"},
		{2500000, "two million five hundred thousand"},
		{1000000000, "one billion"},
		{-5, "minus five"},
		{-1800, "minus one thousand eight hundred"},
		{math.MaxInt64, "nine quintillion two hundred and twenty-three quadrillion three hundred and seventy-two trillion thirty-six billion eight hundred and fifty-four million seven hundred and seventy-five thousand eight hundred and seven"},
		{math.MinInt64, "minus nine quintillion two hundred and twenty-three quadrillion three hundred and seventy-two trillion thirty-six billion eight hundred and fifty-four million seven hundred and seventy-five thousand eight hundred and eight"},
	}
	for _, tt := range tests {
		if got := speak.Number(tt.n); got != tt.want {
			t.Errorf("Number(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "zeroth"},
		{1, "first"},
		{2, "second"},
		{3, "third"},
		{4, "fourth"},
		{5, "fifth"},
		{8, "eighth"},
		{9, "ninth"},
		{10, "tenth"},
		{11, "eleventh"},
		{12, "twelfth"},
		{13, "thirteenth"},
		{19, "nineteenth"},
		{20, "twentieth"},
		{21, "twenty-first"},
		{22, "twenty-second"},
		{23, "twenty-third"},
		{24, "twenty-fourth"},
		{29, "twenty-ninth"},
		{30, "thirtieth"},
		{31, "thirty-first"},
		{100, "one hundredth"},
		{101, "one hundred and first"},
		{112, "one hundred and twelfth"},
		{1000, "one thousandth"},
	}
	for _, tt := range tests {
		if got := speak.Ordinal(tt.n); got != tt.want {
			t.Errorf("Ordinal(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		p    domain.Pence
		want string
	}{
		{0, "zero pounds"},
		{1, "one penny"},
		{2, "two pence"},
		{9, "nine pence"},
		{50, "fifty pence"},
		{99, "ninety-nine pence"},
		{100, "one pound"},
		{101, "one pound and one penny"},
		{105, "one pound and five pence"},
		{150, "one pound fifty"},
		{200, "two pounds"},
		{1800, "eighteen pounds"},
		{1805, "eighteen pounds and five pence"},
		{1810, "eighteen pounds ten"},
		{1850, "eighteen pounds fifty"},
		{1899, "eighteen pounds ninety-nine"},
		{3600, "thirty-six pounds"},
		{domain.PermitPrice * 10, "one hundred and eighty pounds"},
		{123456, "one thousand two hundred and thirty-four pounds fifty-six"},
		{-500, "minus five pounds"},
		{-50, "minus fifty pence"},
		{-1, "minus one penny"},
	}
	for _, tt := range tests {
		if got := speak.Money(tt.p); got != tt.want {
			t.Errorf("Money(%d) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func date(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

func TestDate(t *testing.T) {
	tests := []struct {
		d, today calendar.Date
		want     string
	}{
		{date(2026, 11, 30), date(2026, 11, 30), "today, Monday the thirtieth of November"},
		{date(2026, 12, 1), date(2026, 11, 30), "tomorrow, Tuesday the first of December"},
		{date(2026, 12, 5), date(2026, 11, 30), "Saturday the fifth of December"},
		{date(2026, 11, 29), date(2026, 11, 30), "Sunday the twenty-ninth of November"},
		{date(2026, 12, 2), date(2026, 12, 2), "today, Wednesday the second of December"},
		{date(2026, 12, 3), date(2026, 12, 1), "Thursday the third of December"},
		{date(2026, 12, 11), date(2026, 12, 1), "Friday the eleventh of December"},
		{date(2026, 12, 12), date(2026, 12, 1), "Saturday the twelfth of December"},
		{date(2026, 12, 13), date(2026, 12, 1), "Sunday the thirteenth of December"},
		{date(2026, 12, 21), date(2026, 12, 1), "Monday the twenty-first of December"},
		{date(2026, 12, 22), date(2026, 12, 1), "Tuesday the twenty-second of December"},
		{date(2026, 12, 23), date(2026, 12, 1), "Wednesday the twenty-third of December"},
		{date(2026, 12, 31), date(2026, 12, 1), "Thursday the thirty-first of December"},
		// Across the year end: tomorrow needs no year; later dates in the new year have it.
		{date(2027, 1, 1), date(2026, 12, 31), "tomorrow, Friday the first of January"},
		{date(2027, 1, 1), date(2026, 12, 30), "Friday the first of January twenty twenty-seven"},
		{date(2027, 1, 2), date(2026, 12, 31), "Saturday the second of January twenty twenty-seven"},
		{date(2026, 12, 31), date(2027, 1, 1), "Thursday the thirty-first of December twenty twenty-six"},
		{date(2028, 1, 1), date(2027, 12, 31), "tomorrow, Saturday the first of January"},
		{date(2030, 6, 3), date(2026, 12, 1), "Monday the third of June twenty thirty"},
		{date(2027, 2, 28), date(2027, 2, 27), "tomorrow, Sunday the twenty-eighth of February"},
		{date(2028, 2, 29), date(2028, 2, 28), "tomorrow, Tuesday the twenty-ninth of February"},
	}
	for _, tt := range tests {
		if got := speak.Date(tt.d, tt.today); got != tt.want {
			t.Errorf("Date(%v, today %v) = %q, want %q", tt.d, tt.today, got, tt.want)
		}
	}
}

func TestDateYears(t *testing.T) {
	today := date(2026, 6, 1)
	tests := []struct {
		year int
		want string
	}{
		{2000, "Saturday the first of January two thousand"},
		{2005, "Saturday the first of January two thousand and five"},
		{2010, "Friday the first of January twenty ten"},
		{2026, "today, Monday the first of June"},
		{1999, "Friday the first of January nineteen ninety-nine"},
		{1905, "Sunday the first of January nineteen oh five"},
		{1900, "Monday the first of January nineteen hundred"},
		{2100, "Friday the first of January twenty-one hundred"},
	}
	for _, tt := range tests {
		d := date(tt.year, 1, 1)
		if tt.year == 2026 {
			d = today
		}
		if got := speak.Date(d, today); got != tt.want {
			t.Errorf("Date(%v) = %q, want %q", d, got, tt.want)
		}
	}
}

func instant(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTime(t *testing.T) {
	tests := []struct {
		at   string
		want string
	}{
		// GMT in winter: London is UTC.
		{"2026-12-01T09:00:00Z", "nine a.m."},
		{"2026-12-01T18:00:00Z", "six p.m."},
		{"2026-12-01T10:30:00Z", "ten thirty a.m."},
		{"2026-12-01T08:05:00Z", "eight oh five a.m."},
		{"2026-12-01T08:05:59Z", "eight oh five a.m."},
		{"2026-12-01T11:59:00Z", "eleven fifty-nine a.m."},
		{"2026-12-01T12:00:00Z", "midday"},
		{"2026-12-01T12:00:30Z", "midday"},
		{"2026-12-01T12:01:00Z", "twelve oh one p.m."},
		{"2026-12-01T12:15:00Z", "twelve fifteen p.m."},
		{"2026-12-01T13:00:00Z", "one p.m."},
		{"2026-12-01T23:59:00Z", "eleven fifty-nine p.m."},
		{"2026-12-01T00:00:00Z", "midnight"},
		{"2026-12-01T00:01:00Z", "twelve oh one a.m."},
		{"2026-12-01T00:30:00Z", "twelve thirty a.m."},
		{"2026-12-01T01:00:00Z", "one a.m."},
		// BST in summer: London is an hour ahead of UTC.
		{"2026-07-01T08:00:00Z", "nine a.m."},
		{"2026-07-01T11:00:00Z", "midday"},
		{"2026-07-01T23:00:00Z", "midnight"},
		{"2026-07-01T17:45:00Z", "six forty-five p.m."},
		{"2026-07-01T09:00:00+01:00", "nine a.m."},
		// Around the changes: 29 March and 25 October 2026 at 01:00 UTC.
		{"2026-03-29T00:59:00Z", "twelve fifty-nine a.m."},
		{"2026-03-29T01:00:00Z", "two a.m."},
		{"2026-10-25T00:30:00Z", "one thirty a.m."},
		{"2026-10-25T01:30:00Z", "one thirty a.m."},
	}
	for _, tt := range tests {
		if got := speak.Time(instant(t, tt.at)); got != tt.want {
			t.Errorf("Time(%s) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestWhen(t *testing.T) {
	tests := []struct {
		at, now string
		want    string
	}{
		{"2026-11-30T18:00:00Z", "2026-11-30T10:00:00Z", "today at six p.m."},
		{"2026-11-30T12:00:00Z", "2026-11-30T10:00:00Z", "today at midday"},
		{"2026-12-01T09:00:00Z", "2026-11-30T10:00:00Z", "tomorrow at nine a.m."},
		{"2026-12-05T10:00:00Z", "2026-11-30T10:00:00Z", "on Saturday the fifth of December at ten a.m."},
		{"2026-11-29T10:00:00Z", "2026-11-30T10:00:00Z", "on Sunday the twenty-ninth of November at ten a.m."},
		{"2026-12-01T08:05:00Z", "2026-11-30T23:59:00Z", "tomorrow at eight oh five a.m."},
		// Midnight is named after the day it ends.
		{"2026-12-01T00:00:00Z", "2026-11-30T10:00:00Z", "tonight at midnight"},
		{"2026-12-02T00:00:00Z", "2026-11-30T10:00:00Z", "tomorrow night at midnight"},
		{"2026-11-30T00:00:00Z", "2026-11-30T10:00:00Z", "last night at midnight"},
		{"2026-12-06T00:00:00Z", "2026-11-30T10:00:00Z", "at midnight at the end of Saturday the fifth of December"},
		{"2027-01-01T00:00:00Z", "2026-12-30T10:00:00Z", "tomorrow night at midnight"},
		{"2027-01-02T00:00:00Z", "2026-12-30T10:00:00Z", "at midnight at the end of Friday the first of January twenty twenty-seven"},
		{"2027-01-01T00:00:00Z", "2026-12-01T10:00:00Z", "at midnight at the end of Thursday the thirty-first of December"},
		// Across the year end.
		{"2027-01-01T09:00:00Z", "2026-12-31T10:00:00Z", "tomorrow at nine a.m."},
		{"2027-01-01T09:00:00Z", "2026-12-30T10:00:00Z", "on Friday the first of January twenty twenty-seven at nine a.m."},
		// The London date decides today, not the UTC one: 23:30 UTC in July is
		// 00:30 the next day in London.
		{"2026-07-01T23:30:00Z", "2026-07-01T10:00:00Z", "tomorrow at twelve thirty a.m."},
		{"2026-07-02T08:00:00Z", "2026-07-01T23:30:00Z", "today at nine a.m."},
		{"2026-07-01T23:00:00Z", "2026-07-01T10:00:00Z", "tonight at midnight"},
		// now in another zone changes nothing.
		{"2026-12-01T18:00:00Z", "2026-12-01T20:00:00-05:00", "on Tuesday the first of December at six p.m."},
	}
	for _, tt := range tests {
		if got := speak.When(instant(t, tt.at), instant(t, tt.now)); got != tt.want {
			t.Errorf("When(%s, now %s) = %q, want %q", tt.at, tt.now, got, tt.want)
		}
	}
}

func TestLetter(t *testing.T) {
	tests := []struct {
		r    rune
		want string
	}{
		{'A', "Alpha"}, {'a', "Alpha"}, {'B', "Bravo"}, {'C', "Charlie"}, {'D', "Delta"},
		{'E', "Echo"}, {'F', "Foxtrot"}, {'G', "Golf"}, {'H', "Hotel"}, {'I', "India"},
		{'J', "Juliet"}, {'K', "Kilo"}, {'L', "Lima"}, {'M', "Mike"}, {'N', "November"},
		{'O', "Oscar"}, {'P', "Papa"}, {'Q', "Quebec"}, {'R', "Romeo"}, {'S', "Sierra"},
		{'T', "Tango"}, {'U', "Uniform"}, {'V', "Victor"}, {'W', "Whiskey"}, {'X', "X-ray"},
		{'Y', "Yankee"}, {'Z', "Zulu"}, {'z', "Zulu"},
		{'0', "zero"}, {'1', "one"}, {'2', "two"}, {'3', "three"}, {'4', "four"},
		{'5', "five"}, {'6', "six"}, {'7', "seven"}, {'8', "eight"}, {'9', "nine"},
		{'-', "-"}, {'é', "é"},
	}
	for _, tt := range tests {
		if got := speak.Letter(tt.r); got != tt.want {
			t.Errorf("Letter(%q) = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestSpellVRM(t *testing.T) {
	const ab12cde = "A for Alpha, B for Bravo, one, two. C for Charlie, D for Delta, E for Echo"
	tests := []struct {
		in   string
		want string
	}{
		{"AB12CDE", ab12cde},
		{"AB12 CDE", ab12cde},
		{"ab12cde", ab12cde},
		{" AB12  CDE ", ab12cde},
		{"WX70OJZ", "W for Whiskey, X for X-ray, seven, zero. O for Oscar, J for Juliet, Z for Zulu"},
		{"A123 BCD", "A for Alpha, one, two, three. B for Bravo, C for Charlie, D for Delta"},
		{"A123BCD", "A for Alpha, one, two, three, B for Bravo, C for Charlie, D for Delta"},
		{"ABC 123D", "A for Alpha, B for Bravo, C for Charlie. one, two, three, D for Delta"},
		{"1234AB", "one, two, three, four, A for Alpha, B for Bravo"},
		{"ABZ 1234", "A for Alpha, B for Bravo, Z for Zulu. one, two, three, four"},
		{"K1", "K for Kilo, one"},
		{"AB12CD!", "A for Alpha, B for Bravo, one, two, C for Charlie, D for Delta"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := speak.SpellVRM(tt.in); got != tt.want {
			t.Errorf("SpellVRM(%q) =\n %q, want\n %q", tt.in, got, tt.want)
		}
	}
}

func TestPlate(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"AB12CDE", "A, B, one, two. C, D, E"},
		{"KX65ABC", "K, X, six, five. A, B, C"},
		{"K7PQD", "K, seven, P, Q, D"},
		{"AB12C3E", "A, B, one, two, C, three, E"}, // seven characters, not the current shape
		{"A1", "A, one"},
	} {
		if got := speak.Plate(tt.in); got != tt.want {
			t.Errorf("Plate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDigits(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", ""},
		{"7", "seven"},
		{"1205", "one two zero five"},
		{"12345", "one two three, four five"},
		{"123456", "one two three, four five six"},
		{"1234567", "one two three four, five six seven"},
		{"12345678", "one two three four, five six seven eight"},
		{"123456789", "one two three, four five six, seven eight nine"},
		{"1234567890", "one two three four, five six seven, eight nine zero"},
		{"1234 5678", "one two three four, five six seven eight"},
		{"1234-5678", "one two three four, five six seven eight"},
		{"07700 900123", "zero seven seven zero zero, nine zero zero one two three"},
		{"K7P9QD", "K for Kilo, seven, P for Papa. nine, Q for Quebec, D for Delta"},
		{"k7p9qd", "K for Kilo, seven, P for Papa. nine, Q for Quebec, D for Delta"},
		{"K7P 9QD", "K for Kilo, seven, P for Papa. nine, Q for Quebec, D for Delta"},
		{"AC34", "A for Alpha, C for Charlie, three, four"},
	}
	for _, tt := range tests {
		if got := speak.Digits(tt.in); got != tt.want {
			t.Errorf("Digits(%q) =\n %q, want\n %q", tt.in, got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
		{[]string{"one visit", "two permits", "three vehicles", "a member"}, "one visit, two permits, three vehicles and a member"},
	}
	for _, tt := range tests {
		if got := speak.List(tt.items); got != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.items, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "zero visits"},
		{1, "one visit"},
		{2, "two visits"},
		{5, "five visits"},
		{21, "twenty-one visits"},
		{-1, "minus one visits"},
	}
	for _, tt := range tests {
		if got := speak.Plural(tt.n, "visit", "visits"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
