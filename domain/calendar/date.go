// Package calendar knows the dates and hours the service runs on: London wall-clock
// dates, England and Wales bank holidays, the helpdesk's opening hours (R19-R21) and
// scheme operational hours (R13, R14). It is pure: every answer is a function of its
// arguments, never of the machine's clock or time zone.
package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // embed the zone database so a bare machine knows Europe/London
)

// London is the Europe/London location every wall-clock rule is stated in.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("loading %s from embedded tzdata: %v", name, err))
	}
	return loc
}

// Date is a calendar day in London, without a time of day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the London calendar date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(London).Date()
	return Date{y, m, d}
}

// NewDate returns the date y-m-d, normalised as time.Date normalises (31 April is 1 May).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, London))
}

// ParseDate parses a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation("2006-01-02", s, London)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String formats the date as YYYY-MM-DD, the form it is stored in.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// At returns the instant of the London wall-clock time hh:mm on d. On the day the
// clocks go forward a time in the missing hour is taken as the hour after, as time.Date does.
func (d Date) At(hh, mm int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hh, mm, 0, 0, London)
}

// Midnight returns the instant d starts in London.
func (d Date) Midnight() time.Time { return d.At(0, 0) }

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// Before reports whether d comes before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d comes after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month) - int(o.Month))
	default:
		return sign(d.Day - o.Day)
	}
}

// DaysUntil returns the number of calendar days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(o.Year, o.Month, o.Day, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// AddMonths returns the date n calendar months after d, clamped to the last day of the
// month: 31 August plus 3 months is 30 November, never 1 December.
func (d Date) AddMonths(n int) Date {
	first := NewDate(d.Year, d.Month+time.Month(n), 1)
	last := first.AddDays(32)
	last = NewDate(last.Year, last.Month, 1).AddDays(-1)
	if d.Day > last.Day {
		return last
	}
	return Date{first.Year, first.Month, d.Day}
}

// AddMonths returns the instant n calendar months after t at the same London wall-clock
// time, with the day clamped as Date.AddMonths does.
func AddMonths(t time.Time, n int) time.Time {
	l := t.In(London)
	d := DateOf(l).AddMonths(n)
	return time.Date(d.Year, d.Month, d.Day, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), London)
}

// Clock12 reads t on a London 12-hour clock: the hour (1 to 12), the minute, and whether
// it is after midday.
func Clock12(t time.Time) (hour, minute int, pm bool) {
	l := t.In(London)
	hour, minute, pm = l.Hour()%12, l.Minute(), l.Hour() >= 12
	if hour == 0 {
		hour = 12
	}
	return hour, minute, pm
}
