package calendar

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Holiday is one bank holiday of England and Wales.
type Holiday struct {
	Date  Date
	Title string
}

// Holiday titles, spelled as the gov.uk list spells them (note the curly apostrophe).
const (
	titleNewYear    = "New Year’s Day"
	titleGoodFriday = "Good Friday"
	titleEasterMon  = "Easter Monday"
	titleEarlyMay   = "Early May bank holiday"
	titleSpring     = "Spring bank holiday"
	titleSummer     = "Summer bank holiday"
	titleChristmas  = "Christmas Day"
	titleBoxingDay  = "Boxing Day"
)

// ComputedHolidays returns the bank holidays of England and Wales in year under the
// standing rules, sorted by date. It knows nothing of one-off holidays or moved days;
// titles are as gov.uk publishes them, which names a substitute day after the holiday
// it replaces ("Boxing Day" on Monday 28 December 2026).
func ComputedHolidays(year int) []Holiday {
	es := easter(year)
	hs := []Holiday{
		{nextWeekday(NewDate(year, time.January, 1)), titleNewYear},
		{es.AddDays(-2), titleGoodFriday},
		{es.AddDays(1), titleEasterMon},
		{firstMonday(year, time.May), titleEarlyMay},
		{lastMonday(year, time.May), titleSpring},
		{lastMonday(year, time.August), titleSummer},
	}
	hs = append(hs, christmas(year)...)
	sortHolidays(hs)
	return hs
}

// christmas returns Christmas Day and Boxing Day of year, each moved to a substitute
// weekday when it falls at a weekend.
func christmas(year int) []Holiday {
	day := func(d int) Date { return NewDate(year, time.December, d) }
	switch day(25).Weekday() {
	case time.Saturday: // Sat 25, Sun 26: substitutes Mon 27 and Tue 28.
		return []Holiday{{day(27), titleChristmas}, {day(28), titleBoxingDay}}
	case time.Sunday: // Sun 25: Boxing Day Mon 26, substitute Christmas Tue 27.
		return []Holiday{{day(26), titleBoxingDay}, {day(27), titleChristmas}}
	case time.Friday: // Fri 25, Sat 26: substitute Boxing Day Mon 28.
		return []Holiday{{day(25), titleChristmas}, {day(28), titleBoxingDay}}
	default:
		return []Holiday{{day(25), titleChristmas}, {day(26), titleBoxingDay}}
	}
}

// easter returns Western (Gregorian) Easter Sunday of year, by the anonymous
// Gregorian algorithm as given by Meeus.
func easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(year, time.Month(month), day)
}

// nextWeekday returns d, or the Monday after it when d is a Saturday or Sunday.
func nextWeekday(d Date) Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

// firstMonday returns the first Monday of month m in year.
func firstMonday(year int, m time.Month) Date {
	d := NewDate(year, m, 1)
	return d.AddDays((int(time.Monday) - int(d.Weekday()) + 7) % 7)
}

// lastMonday returns the last Monday of month m in year.
func lastMonday(year int, m time.Month) Date {
	d := NewDate(year, m+1, 0) // day 0 of the next month is the last of this one
	return d.AddDays(-((int(d.Weekday()) - int(time.Monday) + 7) % 7))
}

func sortHolidays(hs []Holiday) {
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].Date.Before(hs[j].Date) })
}

// govUKFile is the shape of https://www.gov.uk/bank-holidays.json.
type govUKFile map[string]struct {
	Division string `json:"division"`
	Events   []struct {
		Title string `json:"title"`
		Date  string `json:"date"`
		Notes string `json:"notes"`
	} `json:"events"`
}

// ParseGovUK reads the UK government's bank-holiday JSON and returns the holidays of
// division (such as "england-and-wales"), sorted by date, titles as published.
func ParseGovUK(r io.Reader, division string) ([]Holiday, error) {
	var file govUKFile
	if err := json.NewDecoder(r).Decode(&file); err != nil {
		return nil, fmt.Errorf("decoding gov.uk bank holidays: %w", err)
	}
	div, ok := file[division]
	if !ok {
		have := make([]string, 0, len(file))
		for k := range file {
			have = append(have, k)
		}
		slices.Sort(have)
		return nil, fmt.Errorf("gov.uk bank holidays: no division %q (have %s)", division, strings.Join(have, ", "))
	}
	hs := make([]Holiday, 0, len(div.Events))
	for i, ev := range div.Events {
		d, err := ParseDate(ev.Date)
		if err != nil {
			return nil, fmt.Errorf("gov.uk bank holidays, %s event %d (%q): %w", division, i, ev.Title, err)
		}
		if strings.TrimSpace(ev.Title) == "" {
			return nil, fmt.Errorf("gov.uk bank holidays, %s event %d on %s: empty title", division, i, d)
		}
		hs = append(hs, Holiday{Date: d, Title: ev.Title})
	}
	sortHolidays(hs)
	return hs, nil
}

// BankHolidays answers which days are bank holidays in England and Wales: from the
// published list for every year it covers, from ComputedHolidays for any other year.
// It is safe for concurrent use. A nil or zero BankHolidays uses the computed rules alone.
type BankHolidays struct {
	published map[int]holidayYear // immutable after construction

	mu       sync.Mutex
	computed map[int]holidayYear // cache of computed years, guarded by mu
}

// holidayYear is one year's holidays, in date order and indexed by date.
type holidayYear struct {
	list   []Holiday
	byDate map[Date]Holiday
}

func newHolidayYear(list []Holiday) holidayYear {
	y := holidayYear{list: list, byDate: make(map[Date]Holiday, len(list))}
	for _, h := range list {
		if _, dup := y.byDate[h.Date]; !dup {
			y.byDate[h.Date] = h
		}
	}
	return y
}

// NewBankHolidays returns the holidays of published for each year published covers
// (entirely replacing the computed ones for that year) and computed holidays otherwise.
func NewBankHolidays(published []Holiday) *BankHolidays {
	byYear := make(map[int][]Holiday)
	for _, h := range published {
		byYear[h.Date.Year] = append(byYear[h.Date.Year], h)
	}
	b := &BankHolidays{published: make(map[int]holidayYear, len(byYear))}
	for year, list := range byYear {
		sortHolidays(list)
		b.published[year] = newHolidayYear(list)
	}
	return b
}

// On returns the bank holiday on d, if d is one.
func (b *BankHolidays) On(d Date) (Holiday, bool) {
	h, ok := b.year(d.Year).byDate[d]
	return h, ok
}

// InYear returns the bank holidays of year in date order; the slice is the caller's.
func (b *BankHolidays) InYear(year int) []Holiday {
	return slices.Clone(b.year(year).list)
}

// year returns the holidays of year, published or computed.
func (b *BankHolidays) year(year int) holidayYear {
	if b == nil {
		return newHolidayYear(ComputedHolidays(year))
	}
	if y, ok := b.published[year]; ok {
		return y
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	y, ok := b.computed[year]
	if !ok {
		if b.computed == nil {
			b.computed = make(map[int]holidayYear)
		}
		y = newHolidayYear(ComputedHolidays(year))
		b.computed[year] = y
	}
	return y
}
