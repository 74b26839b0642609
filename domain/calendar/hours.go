package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TimeOfDay is a London wall-clock time, in minutes after midnight; 24:00 is the end of the day.
type TimeOfDay int

// EndOfDay is 24:00, allowed only as a closing time.
const EndOfDay TimeOfDay = 24 * 60

// ParseTimeOfDay parses a 24-hour time written HH:MM, from 00:00 to 24:00.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("time of day %q is not HH:MM", s)
	}
	hh := int(s[0]-'0')*10 + int(s[1]-'0')
	mm := int(s[3]-'0')*10 + int(s[4]-'0')
	t := TimeOfDay(hh*60 + mm)
	if hh > 24 || mm > 59 || t > EndOfDay {
		return 0, fmt.Errorf("time of day %q is out of range 00:00-24:00", s)
	}
	return t, nil
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String formats t as HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.hour(), t.minute()) }

func (t TimeOfDay) hour() int   { return int(t) / 60 }
func (t TimeOfDay) minute() int { return int(t) % 60 }

// Span is a stretch of a day between two London wall-clock times, closing 24:00 at the latest.
type Span struct {
	Opens, Closes TimeOfDay
}

// ParseSpan parses a span written HH:MM-HH:MM, which must open before it closes.
func ParseSpan(s string) (Span, error) {
	o, c, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("span %q is not HH:MM-HH:MM", s)
	}
	opens, err := ParseTimeOfDay(strings.TrimSpace(o))
	if err != nil {
		return Span{}, fmt.Errorf("span %q opening: %w", s, err)
	}
	closes, err := ParseTimeOfDay(strings.TrimSpace(c))
	if err != nil {
		return Span{}, fmt.Errorf("span %q closing: %w", s, err)
	}
	sp := Span{Opens: opens, Closes: closes}
	if err := sp.Validate(); err != nil {
		return Span{}, err
	}
	return sp, nil
}

// Validate reports whether s opens before it closes, within 00:00-24:00.
func (s Span) Validate() error {
	switch {
	case s.Opens < 0 || s.Closes > EndOfDay:
		return fmt.Errorf("span %s: outside 00:00-24:00", s)
	case s.Opens >= s.Closes:
		return fmt.Errorf("span %s: opens at or after it closes", s)
	}
	return nil
}

// String formats s as HH:MM-HH:MM.
func (s Span) String() string { return s.Opens.String() + "-" + s.Closes.String() }

// On returns the instants s starts and ends on d in London, read from the wall clock
// (so a span on a clock-change day is an hour shorter or longer); 24:00 is the next midnight.
func (s Span) On(d Date) (start, end time.Time) {
	return s.Opens.on(d), s.Closes.on(d)
}

// on returns the instant of t on d, 24:00 being the midnight that starts the next day.
func (t TimeOfDay) on(d Date) time.Time {
	if t >= EndOfDay {
		return d.AddDays(1).Midnight()
	}
	return d.At(t.hour(), t.minute())
}

// Days is a set of days of the week, indexed by time.Weekday.
type Days [7]bool

// weekOrder lists the days Monday first, the order ranges are read and written in.
var weekOrder = [7]time.Weekday{
	time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday,
}

// dayPosition returns the Monday-first position (0-6) of a three-letter day name.
func dayPosition(name string) (int, bool) {
	for i, wd := range weekOrder {
		if strings.EqualFold(name, wd.String()[:3]) {
			return i, true
		}
	}
	return 0, false
}

// ParseDays parses days written as ranges and lists of three-letter English names,
// such as "Mon-Fri", "Tue-Thu" or "Mon,Wed,Fri", ignoring case and spaces.
func ParseDays(s string) (Days, error) {
	var days Days
	if strings.TrimSpace(s) == "" {
		return days, errors.New("days: empty")
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return Days{}, fmt.Errorf("days %q: empty entry", s)
		}
		from, to, isRange := strings.Cut(part, "-")
		first, ok := dayPosition(strings.TrimSpace(from))
		if !ok {
			return Days{}, fmt.Errorf("days %q: unknown day %q", s, strings.TrimSpace(from))
		}
		last := first
		if isRange {
			if last, ok = dayPosition(strings.TrimSpace(to)); !ok {
				return Days{}, fmt.Errorf("days %q: unknown day %q", s, strings.TrimSpace(to))
			}
			if last < first {
				return Days{}, fmt.Errorf("days %q: range %q runs backwards (weeks run Mon-Sun)", s, part)
			}
		}
		for i := first; i <= last; i++ {
			days[weekOrder[i]] = true
		}
	}
	return days, nil
}

// String writes d canonically, Monday first: runs of three or more days as ranges
// ("Mon-Fri"), other days listed ("Mon,Wed,Fri"); no days at all is "".
func (d Days) String() string {
	var parts []string
	for i := 0; i < len(weekOrder); {
		if !d[weekOrder[i]] {
			i++
			continue
		}
		j := i
		for j+1 < len(weekOrder) && d[weekOrder[j+1]] {
			j++
		}
		name := func(k int) string { return weekOrder[k].String()[:3] }
		if j-i >= 2 {
			parts = append(parts, name(i)+"-"+name(j))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, name(k))
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Has reports whether wd is one of the days.
func (d Days) Has(wd time.Weekday) bool { return wd >= 0 && int(wd) < len(d) && d[wd] }

// NoPermitReason says why no permit is needed at some time; PermitNeeded when one is.
type NoPermitReason string

// Reasons a scheme needs no permit on a day (rules R13, R14).
const (
	// PermitNeeded means a permit is needed: no reason to go without.
	PermitNeeded NoPermitReason = ""
	// NoPermitBankHoliday means the day is an England and Wales bank holiday (R14).
	NoPermitBankHoliday NoPermitReason = "bank_holiday"
	// NoPermitNonOperationalDay means the scheme does not operate on that day of the week (R13).
	NoPermitNonOperationalDay NoPermitReason = "non_operational_day"
)

// OperatingHours are a scheme's operational hours (R13, R14): the days and the span of
// each day on which a permit is needed. No permit is needed on England and Wales bank holidays.
type OperatingHours struct {
	Days Days
	Span Span
}

// Window returns the instants a permit is needed from and until on d, or zero times and
// the reason none is needed that day.
func (o OperatingHours) Window(d Date, holidays *BankHolidays) (start, end time.Time, why NoPermitReason) {
	if _, ok := holidays.On(d); ok {
		return time.Time{}, time.Time{}, NoPermitBankHoliday
	}
	if !o.Days.Has(d.Weekday()) {
		return time.Time{}, time.Time{}, NoPermitNonOperationalDay
	}
	start, end = o.Span.On(d)
	return start, end, PermitNeeded
}

// maxSearchDays bounds how far ahead NextNeeded looks for an operational window.
const maxSearchDays = 400

// NextNeeded returns the next window in which a permit is needed that ends after from
// (the current one, if from is inside it), or zero times if there is none within 400 days.
func (o OperatingHours) NextNeeded(from time.Time, holidays *BankHolidays) (start, end time.Time) {
	if o.Days == (Days{}) {
		return time.Time{}, time.Time{}
	}
	// A window closes by the midnight ending its day, so none before from's day can end after from.
	day := DateOf(from)
	for i := 0; i <= maxSearchDays; i++ {
		start, end, why := o.Window(day.AddDays(i), holidays)
		if why == PermitNeeded && end.After(from) {
			return start, end
		}
	}
	return time.Time{}, time.Time{}
}
