package calendar

import (
	"time"
)

// DayKind says which of the helpdesk's opening rules (R19-R21) a day falls under.
type DayKind string

// The kinds of day the helpdesk's hours depend on.
const (
	// Weekday is Monday to Friday, not a bank holiday: 08:00-18:00 (R19).
	Weekday DayKind = "weekday"
	// Saturday is a Saturday, not a bank holiday: 08:00-16:00 (R19).
	Saturday DayKind = "saturday"
	// Sunday is a Sunday, not a bank holiday: 10:00-16:00 (R19).
	Sunday DayKind = "sunday"
	// BankHoliday is a listed bank holiday other than 25 December: 10:00-16:00 (R20).
	BankHoliday DayKind = "bank_holiday"
	// ChristmasDay is 25 December, whatever the weekday: closed (R21).
	ChristmasDay DayKind = "christmas_day"
)

// Helpdesk opening hours, by kind of day (R19-R21); Christmas Day is closed.
const (
	weekdayOpens, weekdayCloses         TimeOfDay = 8 * 60, 18 * 60
	saturdayOpens, saturdayCloses       TimeOfDay = 8 * 60, 16 * 60
	sundayOpens, sundayCloses           TimeOfDay = 10 * 60, 16 * 60
	bankHolidayOpens, bankHolidayCloses TimeOfDay = 10 * 60, 16 * 60
)

// OpeningHours are the helpdesk's hours on some kinds of day; Span is meaningful only when Open.
type OpeningHours struct {
	Kinds []DayKind
	Open  bool
	Span  Span
}

// HelpdeskWeek returns the helpdesk's hours in the order they are told (R19): weekdays,
// Saturday, Sunday, bank holidays, then Christmas Day, closed. Kinds of day that follow
// each other with the same hours share one entry (Sunday and bank holidays, 10:00-16:00).
func HelpdeskWeek() []OpeningHours {
	var week []OpeningHours
	for _, d := range []OpeningHours{
		{Kinds: []DayKind{Weekday}, Open: true, Span: Span{weekdayOpens, weekdayCloses}},
		{Kinds: []DayKind{Saturday}, Open: true, Span: Span{saturdayOpens, saturdayCloses}},
		{Kinds: []DayKind{Sunday}, Open: true, Span: Span{sundayOpens, sundayCloses}},
		{Kinds: []DayKind{BankHoliday}, Open: true, Span: Span{bankHolidayOpens, bankHolidayCloses}},
		{Kinds: []DayKind{ChristmasDay}},
	} {
		if n := len(week); n > 0 && week[n-1].Open == d.Open && week[n-1].Span == d.Span {
			week[n-1].Kinds = append(week[n-1].Kinds, d.Kinds...)
			continue
		}
		week = append(week, d)
	}
	return week
}

// helpdeskSearchDays bounds how far ahead NextOpening looks.
const helpdeskSearchDays = 14

// Helpdesk answers when the telephone helpdesk is open (R19-R21): Monday to Friday
// 08:00-18:00, Saturday 08:00-16:00, Sunday and bank holidays 10:00-16:00, closed on
// 25 December. A nil Holidays uses the computed bank holidays.
type Helpdesk struct {
	Holidays *BankHolidays
}

// DayHours are the helpdesk's hours on one date; Span is meaningful only when Open.
type DayHours struct {
	Date    Date
	Open    bool
	Span    Span
	Kind    DayKind
	Holiday string // the holiday's title when Kind is BankHoliday or ChristmasDay
}

// HoursOn returns the helpdesk's hours on d. Bank-holiday hours apply on every date in
// the bank-holiday list (substitute days included) except 25 December, when it is closed.
func (h Helpdesk) HoursOn(d Date) DayHours {
	hol, isHoliday := h.Holidays.On(d)
	switch {
	case d.Month == time.December && d.Day == 25:
		title := titleChristmas
		if isHoliday {
			title = hol.Title
		}
		return DayHours{Date: d, Kind: ChristmasDay, Holiday: title}
	case isHoliday:
		return DayHours{Date: d, Open: true, Span: Span{bankHolidayOpens, bankHolidayCloses}, Kind: BankHoliday, Holiday: hol.Title}
	}
	switch d.Weekday() {
	case time.Saturday:
		return DayHours{Date: d, Open: true, Span: Span{saturdayOpens, saturdayCloses}, Kind: Saturday}
	case time.Sunday:
		return DayHours{Date: d, Open: true, Span: Span{sundayOpens, sundayCloses}, Kind: Sunday}
	default:
		return DayHours{Date: d, Open: true, Span: Span{weekdayOpens, weekdayCloses}, Kind: Weekday}
	}
}

// IsOpen reports whether the helpdesk is open at t: from its opening time up to, but
// not including, its closing time.
func (h Helpdesk) IsOpen(t time.Time) bool {
	_, ok := h.closesAt(t)
	return ok
}

// closesAt returns when the opening period t falls in ends, if t falls in one.
func (h Helpdesk) closesAt(t time.Time) (time.Time, bool) {
	dh := h.HoursOn(DateOf(t))
	if !dh.Open {
		return time.Time{}, false
	}
	start, end := dh.Span.On(dh.Date)
	if t.Before(start) || !t.Before(end) {
		return time.Time{}, false
	}
	return end, true
}

// NextOpening returns the first instant after t at which the helpdesk opens: later the
// same day if it is closed and yet to open, otherwise the start of the next opening
// period. It returns the zero time if it finds none within 14 days.
func (h Helpdesk) NextOpening(t time.Time) time.Time {
	day := DateOf(t)
	for i := 0; i <= helpdeskSearchDays; i++ {
		dh := h.HoursOn(day.AddDays(i))
		if !dh.Open {
			continue
		}
		if start, _ := dh.Span.On(dh.Date); start.After(t) {
			return start
		}
	}
	return time.Time{}
}

// Status is the helpdesk's state at an instant, as told to a caller.
type Status struct {
	Open        bool
	Today       DayHours
	ClosesAt    time.Time // when Open, the end of the current opening period
	NextOpening time.Time
}

// Status returns whether the helpdesk is open at t, its hours that day, when it closes
// if open and when it next opens.
func (h Helpdesk) Status(t time.Time) Status {
	closes, open := h.closesAt(t)
	return Status{
		Open:        open,
		Today:       h.HoursOn(DateOf(t)),
		ClosesAt:    closes,
		NextOpening: h.NextOpening(t),
	}
}
