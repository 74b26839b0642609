package entry

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"permitline/domain/calendar"
)

// maxTextDays is how far from today, either way, a texted date with a year may be.
const maxTextDays = 366

// Reasons a keyed date is not valid that do not depend on the digits.
const (
	reasonDateDigits = "a date is keyed with the digits 0 to 9 only"
	reasonDateLength = "a date is four digits: two for the day, then two for the month"
)

// DateError reports a keyed date that is not a date.
type DateError struct {
	Input  string // the digits as received
	Reason string // plain English, e.g. "there is no 31 April"
}

// Error returns e.g. `date "3104" is not valid: there is no 31 April`.
func (e *DateError) Error() string {
	return fmt.Sprintf("date %q is not valid: %s", e.Input, e.Reason)
}

// DayMonth reads a date keyed as four digits, DDMM ("0512" is 5 December). The year is
// today's, or the next if that day has already passed this year, so "0501" keyed on
// 30 December is 5 January next year; today itself is this year. It does not check the
// booking window. Otherwise the error is a *DateError: wrong length, a character that is
// not a digit, a month outside 01-12, a day the month does not have ("there is no
// 31 April", "there is no 29 February in 2027").
func DayMonth(digits string, today calendar.Date) (calendar.Date, error) {
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return calendar.Date{}, &DateError{Input: digits, Reason: reasonDateDigits}
		}
	}
	if len(digits) != 4 {
		return calendar.Date{}, &DateError{Input: digits, Reason: reasonDateLength}
	}
	day := int(digits[0]-'0')*10 + int(digits[1]-'0')
	month := int(digits[2]-'0')*10 + int(digits[3]-'0')
	d, reason := nextDayMonth(day, month, today)
	if reason != "" {
		return calendar.Date{}, &DateError{Input: digits, Reason: reason}
	}
	return d, nil
}

// nextDayMonth returns day/month in today's year, or the next year if it has passed this
// year, or why there is no such date.
func nextDayMonth(day, month int, today calendar.Date) (calendar.Date, string) {
	if reason := checkDayMonth(day, month); reason != "" {
		return calendar.Date{}, reason
	}
	m := time.Month(month)
	year := today.Year
	if m < today.Month || m == today.Month && day < today.Day {
		year++
	}
	if day > daysIn(year, m) {
		return calendar.Date{}, fmt.Sprintf("there is no %d %s in %d", day, m, year)
	}
	return calendar.Date{Year: year, Month: m, Day: day}, ""
}

// checkDayMonth says why day/month is in no year, or returns "".
func checkDayMonth(day, month int) string {
	switch {
	case month < 1 || month > 12:
		return fmt.Sprintf("there is no month %d", month)
	case day < 1:
		return fmt.Sprintf("there is no day %d", day)
	case day > daysIn(2000, time.Month(month)): // 2000 was a leap year
		return fmt.Sprintf("there is no %d %s", day, time.Month(month))
	}
	return ""
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// textWeekdays maps the weekday names a resident may text, whole or short, to weekdays.
var textWeekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "weds": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday,
}

// textMonths maps the month names a resident may text, whole or short, to months.
var textMonths = map[string]time.Month{
	"january": time.January, "jan": time.January,
	"february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March,
	"april": time.April, "apr": time.April,
	"may":  time.May,
	"june": time.June, "jun": time.June,
	"july": time.July, "jul": time.July,
	"august": time.August, "aug": time.August,
	"september": time.September, "sep": time.September, "sept": time.September,
	"october": time.October, "oct": time.October,
	"november": time.November, "nov": time.November,
	"december": time.December, "dec": time.December,
}

// textRelative maps the words for today and tomorrow to days from today.
var textRelative = map[string]int{
	"today": 0, "tomorrow": 1, "tomorow": 1, "tmrw": 1, "tmw": 1, "tmr": 1,
}

// textFillers are words ignored around a texted date ("on the 5th of December").
var textFillers = map[string]bool{"on": true, "the": true, "of": true, "for": true}

// textOrdinals are the suffixes a day may carry ("5th", "1st").
var textOrdinals = map[string]bool{"st": true, "nd": true, "rd": true, "th": true}

// textPunct are the characters besides white space allowed in a texted date.
const textPunct = "./-,!?'\"()"

// textToken is a word or a number in a texted date.
type textToken struct {
	text string
	num  bool   // a run of digits
	ord  bool   // a number with an ordinal suffix, e.g. 5th
	sep  string // the punctuation (not white space) between the previous token and this one
}

// TextDate reads a date texted by a resident, ignoring case, spaces and most punctuation:
//
//   - "today"; "tomorrow", "tmrw", "tmw" or "tmr";
//   - a weekday, whole or short ("Saturday", "sat", "tues", "thurs"): its soonest
//     occurrence on or after today, so "sat" texted on a Saturday is today;
//   - day and month, day first: "5/12", "05/12", "5-12", "5.12", "5 Dec", "5th December",
//     "5th of December", "Dec 5", "December 5th";
//   - a day and month with a year, four digits or two (26 is 2026): "5/12/2026",
//     "05/12/26", "5 dec 2026", "December 5th, 2026".
//
// Without a year the date is this year's, or next year's if it has passed this year, as
// DayMonth takes it; a date with a year must be within 366 days of today, either way. A
// weekday may come before or after a date ("Sat 5 Dec") but must then be that date's
// weekday. The words "on", "the", "of" and "for" are ignored; all-number dates need
// '/', '-' or '.' between the numbers ("5 12" is not a date). ok is false for anything
// else, including dates that do not exist. It does not check the booking window.
func TextDate(s string, today calendar.Date) (calendar.Date, bool) {
	toks, ok := textTokens(s)
	if !ok {
		return calendar.Date{}, false
	}
	// Take off the fillers and at most one weekday, first or last.
	var rest []textToken
	weekday, haveWeekday := time.Weekday(0), false
	for i, t := range toks {
		if t.num {
			rest = append(rest, t)
			continue
		}
		if textFillers[t.text] {
			continue
		}
		if w, ok := textWeekdays[t.text]; ok {
			if haveWeekday || (i != 0 && i != len(toks)-1) {
				return calendar.Date{}, false
			}
			weekday, haveWeekday = w, true
			continue
		}
		rest = append(rest, t)
	}
	var d calendar.Date
	switch {
	case len(rest) == 0:
		if !haveWeekday {
			return calendar.Date{}, false
		}
		return today.AddDays((int(weekday) - int(today.Weekday()) + 7) % 7), true
	case len(rest) == 1 && !rest[0].num:
		n, ok := textRelative[rest[0].text]
		if !ok {
			return calendar.Date{}, false
		}
		d = today.AddDays(n)
	default:
		d, ok = textDayMonth(rest, today)
		if !ok {
			return calendar.Date{}, false
		}
	}
	if haveWeekday && d.Weekday() != weekday {
		return calendar.Date{}, false
	}
	return d, true
}

// textDayMonth reads the day, month and optional year in toks.
func textDayMonth(toks []textToken, today calendar.Date) (calendar.Date, bool) {
	if len(toks) < 2 || len(toks) > 3 {
		return calendar.Date{}, false
	}
	var dayTok, yearTok *textToken
	var month int
	if len(toks) == 3 {
		yearTok = &toks[2]
	}
	switch a, b := toks[0], toks[1]; {
	case a.num && b.num: // 5/12, 5/12/2026
		if a.ord || b.ord || !numericSep(b.sep) || yearTok != nil && yearTok.sep != b.sep {
			return calendar.Date{}, false
		}
		if m, ok := number(b, 1, 2); ok {
			dayTok, month = &toks[0], m
		}
	case a.num: // 5 Dec, 5th December 2026
		if m, ok := textMonths[b.text]; ok {
			dayTok, month = &toks[0], int(m)
		}
	case b.num: // Dec 5, December 5th, 2026
		if m, ok := textMonths[a.text]; ok {
			dayTok, month = &toks[1], int(m)
		}
	}
	if dayTok == nil {
		return calendar.Date{}, false
	}
	day, ok := number(*dayTok, 1, 2)
	if !ok {
		return calendar.Date{}, false
	}
	if yearTok == nil {
		d, reason := nextDayMonth(day, month, today)
		return d, reason == ""
	}
	if !yearTok.num || yearTok.ord || len(yearTok.text) != 2 && len(yearTok.text) != 4 {
		return calendar.Date{}, false
	}
	year, _ := number(*yearTok, 2, 4)
	if len(yearTok.text) == 2 {
		year += 2000
	}
	if checkDayMonth(day, month) != "" || day > daysIn(year, time.Month(month)) {
		return calendar.Date{}, false
	}
	d := calendar.Date{Year: year, Month: time.Month(month), Day: day}
	if n := today.DaysUntil(d); n < -maxTextDays || n > maxTextDays {
		return calendar.Date{}, false
	}
	return d, true
}

// numericSep reports whether sep may separate the numbers of an all-number date.
func numericSep(sep string) bool { return sep == "/" || sep == "-" || sep == "." }

// number returns the value of a number token of min to max digits.
func number(t textToken, min, max int) (int, bool) {
	if !t.num || len(t.text) < min || len(t.text) > max {
		return 0, false
	}
	n := 0
	for i := 0; i < len(t.text); i++ {
		n = n*10 + int(t.text[i]-'0')
	}
	return n, true
}

// textTokens splits s into lower-case words and numbers, joining an ordinal suffix to the
// number it follows. ok is false if s holds a character other than an ASCII letter or
// digit, white space or textPunct.
func textTokens(s string) ([]textToken, bool) {
	var toks []textToken
	var sep strings.Builder
	gap := false // white space or punctuation since the last token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c):
			j := i
			for j < len(s) && (isLetter(s[j]) || isDigit(s[j])) && isDigit(s[j]) == isDigit(c) {
				j++
			}
			text := strings.ToLower(s[i:j])
			if !isDigit(c) && !gap && len(toks) > 0 && toks[len(toks)-1].num && textOrdinals[text] {
				if toks[len(toks)-1].ord {
					return nil, false
				}
				toks[len(toks)-1].ord = true
			} else {
				toks = append(toks, textToken{text: text, num: isDigit(c), sep: sep.String()})
			}
			sep.Reset()
			gap = false
			i = j
		case strings.IndexByte(textPunct, c) >= 0:
			sep.WriteByte(c)
			gap = true
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				return nil, false
			}
			gap = true
			i += size
		}
	}
	return toks, true
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
