package calendar

import (
	"strings"
	"testing"
	"time"
)

// london returns the instant of a London wall-clock time.
func london(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, London)
}

func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func TestParseTimeOfDay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TimeOfDay
		bad  bool
	}{
		{in: "00:00", want: 0},
		{in: "08:00", want: 480},
		{in: "17:59", want: 17*60 + 59},
		{in: "23:59", want: 23*60 + 59},
		{in: "24:00", want: EndOfDay},
		{in: "24:01", bad: true},
		{in: "25:00", bad: true},
		{in: "12:60", bad: true},
		{in: "8:00", bad: true},
		{in: "08.00", bad: true},
		{in: "0800", bad: true},
		{in: " 08:00", bad: true},
		{in: "-1:00", bad: true},
		{in: "", bad: true},
	} {
		got, err := ParseTimeOfDay(tc.in)
		switch {
		case tc.bad && err == nil:
			t.Errorf("ParseTimeOfDay(%q) = %v, want an error", tc.in, got)
		case tc.bad && !strings.Contains(err.Error(), tc.in):
			t.Errorf("ParseTimeOfDay(%q) error %q does not name the input", tc.in, err)
		case !tc.bad && err != nil:
			t.Errorf("ParseTimeOfDay(%q): %v", tc.in, err)
		case !tc.bad && got != tc.want:
			t.Errorf("ParseTimeOfDay(%q) = %d, want %d", tc.in, got, tc.want)
		case !tc.bad && got.String() != tc.in:
			t.Errorf("ParseTimeOfDay(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestParseSpan(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Span
		wantErr string
	}{
		{in: "08:00-18:00", want: Span{480, 1080}},
		{in: "00:00 - 24:00", want: Span{0, EndOfDay}},
		{in: "18:00-08:00", wantErr: "opens at or after it closes"},
		{in: "08:00-08:00", wantErr: "opens at or after it closes"},
		{in: "24:00-24:00", wantErr: "opens at or after it closes"},
		{in: "08:00", wantErr: "not HH:MM-HH:MM"},
		{in: "8:00-18:00", wantErr: "opening"},
		{in: "08:00-18:70", wantErr: "closing"},
	} {
		got, err := ParseSpan(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSpan(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestSpanOn(t *testing.T) {
	// Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on
	// 25 October 2026, so a span from midnight shows the missing or extra hour.
	for _, tc := range []struct {
		name       string
		date       Date
		span       Span
		start, end time.Time // as UTC instants, so a wrong zone cannot pass
		length     time.Duration
	}{
		{"ordinary GMT day", NewDate(2026, 1, 14), Span{480, 1080}, utc(2026, 1, 14, 8, 0), utc(2026, 1, 14, 18, 0), 10 * time.Hour},
		{"ordinary BST day", NewDate(2026, 7, 14), Span{480, 1080}, utc(2026, 7, 14, 7, 0), utc(2026, 7, 14, 17, 0), 10 * time.Hour},
		{"29 Mar 08:00-18:00 is all BST", NewDate(2026, 3, 29), Span{480, 1080}, utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 17, 0), 10 * time.Hour},
		{"29 Mar 00:00-08:00 loses an hour", NewDate(2026, 3, 29), Span{0, 480}, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 7, 0), 7 * time.Hour},
		{"29 Mar whole day is 23h", NewDate(2026, 3, 29), Span{0, EndOfDay}, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 23, 0), 23 * time.Hour},
		{"25 Oct 08:00-18:00 is all GMT", NewDate(2026, 10, 25), Span{480, 1080}, utc(2026, 10, 25, 8, 0), utc(2026, 10, 25, 18, 0), 10 * time.Hour},
		{"25 Oct 00:00-08:00 gains an hour", NewDate(2026, 10, 25), Span{0, 480}, utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 8, 0), 9 * time.Hour},
		{"25 Oct whole day is 25h", NewDate(2026, 10, 25), Span{0, EndOfDay}, utc(2026, 10, 24, 23, 0), utc(2026, 10, 26, 0, 0), 25 * time.Hour},
		{"24:00 is next midnight", NewDate(2026, 12, 31), Span{1080, EndOfDay}, utc(2026, 12, 31, 18, 0), utc(2027, 1, 1, 0, 0), 6 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end := tc.span.On(tc.date)
			if !start.Equal(tc.start) || !end.Equal(tc.end) {
				t.Errorf("On = %v .. %v, want %v .. %v", start.UTC(), end.UTC(), tc.start, tc.end)
			}
			if got := end.Sub(start); got != tc.length {
				t.Errorf("length %v, want %v", got, tc.length)
			}
		})
	}
}

func days(ws ...time.Weekday) Days {
	var d Days
	for _, w := range ws {
		d[w] = true
	}
	return d
}

func TestParseDays(t *testing.T) {
	const (
		sun, mon, tue, wed, thu, fri, sat = time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday
	)
	for _, tc := range []struct {
		in, canonical string
		want          Days
	}{
		{"Mon-Fri", "Mon-Fri", days(mon, tue, wed, thu, fri)},
		{"Mon-Sat", "Mon-Sat", days(mon, tue, wed, thu, fri, sat)},
		{"Mon-Sun", "Mon-Sun", days(mon, tue, wed, thu, fri, sat, sun)},
		{"Tue-Thu", "Tue-Thu", days(tue, wed, thu)},
		{"Mon,Wed,Fri", "Mon,Wed,Fri", days(mon, wed, fri)},
		{" mon - fri ", "Mon-Fri", days(mon, tue, wed, thu, fri)},
		{"SAT, sun", "Sat,Sun", days(sat, sun)},
		{"Sun,Mon-Wed", "Mon-Wed,Sun", days(sun, mon, tue, wed)},
		{"Fri,Mon-Wed,Tue", "Mon-Wed,Fri", days(mon, tue, wed, fri)},
		{"Wed-Wed", "Wed", days(wed)},
		{"Mon-Thu,Fri-Sun", "Mon-Sun", days(mon, tue, wed, thu, fri, sat, sun)},
	} {
		got, err := ParseDays(tc.in)
		if err != nil {
			t.Errorf("ParseDays(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseDays(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if got.String() != tc.canonical {
			t.Errorf("ParseDays(%q).String() = %q, want %q", tc.in, got.String(), tc.canonical)
		}
	}

	for _, tc := range []struct{ in, wantErr string }{
		{"", "empty"},
		{"   ", "empty"},
		{"Mon,,Fri", "empty entry"},
		{"Mon,", "empty entry"},
		{"Fri-Mon", `range "Fri-Mon" runs backwards`},
		{"Sun-Sat", `range "Sun-Sat" runs backwards`},
		{"Mon-Fry", `unknown day "Fry"`},
		{"Monday-Friday", `unknown day "Monday"`},
		{"Mon-", `unknown day ""`},
		{"Lun,Mar", `unknown day "Lun"`},
		{"Mon-Wed-Fri", `unknown day "Wed-Fri"`},
	} {
		if got, err := ParseDays(tc.in); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseDays(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
		}
	}
}

func TestDaysStringRoundTrips(t *testing.T) {
	for mask := 1; mask < 1<<7; mask++ {
		var d Days
		for w := range d {
			d[w] = mask&(1<<w) != 0
		}
		got, err := ParseDays(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDays(%q) = %v, %v; want %v", d.String(), got, err, d)
		}
	}
	if got := (Days{}).String(); got != "" {
		t.Errorf("no days = %q, want empty", got)
	}
}

func mustDays(t *testing.T, s string) Days {
	t.Helper()
	d, err := ParseDays(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOperatingHoursWindow(t *testing.T) {
	hols := NewBankHolidays(publishedHolidays(t))
	monSat := OperatingHours{Days: mustDays(t, "Mon-Sat"), Span: Span{480, 1080}}
	allWeek := OperatingHours{Days: mustDays(t, "Mon-Sun"), Span: Span{480, 1080}}
	for _, tc := range []struct {
		name       string
		hours      OperatingHours
		date       Date
		start, end time.Time
		why        NoPermitReason
	}{
		{"R13 ordinary Wednesday", monSat, NewDate(2026, 6, 10), london(2026, 6, 10, 8, 0, 0), london(2026, 6, 10, 18, 0, 0), PermitNeeded},
		{"R14 Easter Monday bank holiday", monSat, NewDate(2026, 4, 6), time.Time{}, time.Time{}, NoPermitBankHoliday},
		{"R14 Boxing Day substitute", allWeek, NewDate(2026, 12, 28), time.Time{}, time.Time{}, NoPermitBankHoliday},
		{"R13 Sunday for Mon-Sat", monSat, NewDate(2026, 6, 14), time.Time{}, time.Time{}, NoPermitNonOperationalDay},
		{"R13 Saturday for Mon-Sat", monSat, NewDate(2026, 6, 13), london(2026, 6, 13, 8, 0, 0), london(2026, 6, 13, 18, 0, 0), PermitNeeded},
		{"R13 clocks forward 29 Mar 2026", allWeek, NewDate(2026, 3, 29), utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 17, 0), PermitNeeded},
		{"R13 clocks back 25 Oct 2026", allWeek, NewDate(2026, 10, 25), utc(2026, 10, 25, 8, 0), utc(2026, 10, 25, 18, 0), PermitNeeded},
		{"R13 clock change day not operational", monSat, NewDate(2026, 3, 29), time.Time{}, time.Time{}, NoPermitNonOperationalDay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end, why := tc.hours.Window(tc.date, hols)
			if why != tc.why || !start.Equal(tc.start) || !end.Equal(tc.end) {
				t.Errorf("Window(%s) = %v .. %v %q; want %v .. %v %q", tc.date, start, end, why, tc.start, tc.end, tc.why)
			}
		})
	}
}

func TestOperatingHoursNextNeeded(t *testing.T) {
	hols := NewBankHolidays(publishedHolidays(t))
	monFri := OperatingHours{Days: mustDays(t, "Mon-Fri"), Span: Span{480, 1080}}
	late := OperatingHours{Days: mustDays(t, "Mon-Sun"), Span: Span{18 * 60, EndOfDay}}
	for _, tc := range []struct {
		name       string
		hours      OperatingHours
		from       time.Time
		start, end time.Time
	}{
		{"inside: current window", monFri, london(2026, 6, 10, 12, 0, 0), london(2026, 6, 10, 8, 0, 0), london(2026, 6, 10, 18, 0, 0)},
		{"at opening: current window", monFri, london(2026, 6, 10, 8, 0, 0), london(2026, 6, 10, 8, 0, 0), london(2026, 6, 10, 18, 0, 0)},
		{"before opening: today", monFri, london(2026, 6, 10, 6, 30, 0), london(2026, 6, 10, 8, 0, 0), london(2026, 6, 10, 18, 0, 0)},
		{"at closing: next day", monFri, london(2026, 6, 10, 18, 0, 0), london(2026, 6, 11, 8, 0, 0), london(2026, 6, 11, 18, 0, 0)},
		{"Friday after hours: Monday", monFri, london(2026, 6, 12, 18, 30, 0), london(2026, 6, 15, 8, 0, 0), london(2026, 6, 15, 18, 0, 0)},
		{"over Spring bank holiday Monday: Tuesday", monFri, london(2026, 5, 22, 19, 0, 0), london(2026, 5, 26, 8, 0, 0), london(2026, 5, 26, 18, 0, 0)},
		{"over Easter: Tuesday", monFri, london(2026, 4, 2, 19, 0, 0), utc(2026, 4, 7, 7, 0), utc(2026, 4, 7, 17, 0)},
		{"until midnight: inside", late, london(2026, 6, 10, 23, 59, 59), london(2026, 6, 10, 18, 0, 0), london(2026, 6, 11, 0, 0, 0)},
		{"until midnight: at midnight, next", late, london(2026, 6, 11, 0, 0, 0), london(2026, 6, 11, 18, 0, 0), london(2026, 6, 12, 0, 0, 0)},
		{"no days: none", OperatingHours{Span: Span{480, 1080}}, london(2026, 6, 10, 12, 0, 0), time.Time{}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end := tc.hours.NextNeeded(tc.from, hols)
			if !start.Equal(tc.start) || !end.Equal(tc.end) {
				t.Errorf("NextNeeded(%v) = %v .. %v, want %v .. %v", tc.from, start, end, tc.start, tc.end)
			}
		})
	}
}
