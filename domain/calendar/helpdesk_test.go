package calendar

import (
	"testing"
	"time"
)

func fixtureHelpdesk(t *testing.T) Helpdesk {
	t.Helper()
	return Helpdesk{Holidays: NewBankHolidays(publishedHolidays(t))}
}

func TestHelpdeskHoursOn(t *testing.T) {
	h := fixtureHelpdesk(t)
	for _, tc := range []struct {
		name string
		date Date
		want DayHours // Date is filled in from date
	}{
		{"R19 Wednesday 08:00-18:00", NewDate(2026, 6, 10), DayHours{Open: true, Span: Span{480, 1080}, Kind: Weekday}},
		{"R19 Friday 08:00-18:00", NewDate(2026, 6, 12), DayHours{Open: true, Span: Span{480, 1080}, Kind: Weekday}},
		{"R19 Saturday 08:00-16:00", NewDate(2026, 6, 13), DayHours{Open: true, Span: Span{480, 960}, Kind: Saturday}},
		{"R19 Sunday 10:00-16:00", NewDate(2026, 6, 14), DayHours{Open: true, Span: Span{600, 960}, Kind: Sunday}},
		{"R20 Easter Monday 10:00-16:00", NewDate(2026, 4, 6), DayHours{Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "Easter Monday"}},
		{"R20 New Year’s Day keeps the curly apostrophe", NewDate(2027, 1, 1), DayHours{Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "New Year’s Day"}},
		{"R20 Boxing Day 2025 (Friday) 10:00-16:00", NewDate(2025, 12, 26), DayHours{Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "Boxing Day"}},
		{"R21 Christmas Day 2026 (Friday) closed", NewDate(2026, 12, 25), DayHours{Kind: ChristmasDay, Holiday: "Christmas Day"}},
		// The fixture moves Boxing Day 2026 to Monday 28th, so Saturday 26th is an ordinary Saturday.
		{"R19 Sat 26 Dec 2026 not in the list: Saturday hours", NewDate(2026, 12, 26), DayHours{Open: true, Span: Span{480, 960}, Kind: Saturday}},
		{"R20 Mon 28 Dec 2026 Boxing Day substitute 10:00-16:00", NewDate(2026, 12, 28), DayHours{Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "Boxing Day"}},
		{"R21 Christmas Day 2027 (Saturday) closed", NewDate(2027, 12, 25), DayHours{Kind: ChristmasDay, Holiday: "Christmas Day"}},
		{"R19 Sun 26 Dec 2027 not in the list: Sunday hours", NewDate(2027, 12, 26), DayHours{Open: true, Span: Span{600, 960}, Kind: Sunday}},
		{"R20 Mon 27 Dec 2027 Christmas substitute 10:00-16:00", NewDate(2027, 12, 27), DayHours{Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "Christmas Day"}},
		{"R20 Tue 28 Dec 2027 Boxing Day substitute 10:00-16:00", NewDate(2027, 12, 28), DayHours{Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "Boxing Day"}},
		{"R21 Christmas Day 2031 (computed year) closed", NewDate(2031, 12, 25), DayHours{Kind: ChristmasDay, Holiday: "Christmas Day"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			want.Date = tc.date
			if got := h.HoursOn(tc.date); got != want {
				t.Errorf("HoursOn(%s) = %+v, want %+v", tc.date, got, want)
			}
		})
	}
}

func TestHelpdeskIsOpen(t *testing.T) {
	h := fixtureHelpdesk(t)
	for _, tc := range []struct {
		name string
		at   time.Time
		open bool
	}{
		{"R19 weekday 07:59:59 closed", london(2026, 6, 10, 7, 59, 59), false},
		{"R19 weekday 08:00 open", london(2026, 6, 10, 8, 0, 0), true},
		{"R19 weekday 17:59:59 open", london(2026, 6, 10, 17, 59, 59), true},
		{"R19 weekday 18:00:00 closed", london(2026, 6, 10, 18, 0, 0), false},
		{"R19 weekday 18:00 in UTC (17:00Z BST) closed", utc(2026, 6, 10, 17, 0), false},
		{"R19 weekday 16:59Z is 17:59 BST open", utc(2026, 6, 10, 16, 59), true},
		{"R19 Saturday 08:00 open", london(2026, 6, 13, 8, 0, 0), true},
		{"R19 Saturday 15:59:59 open", london(2026, 6, 13, 15, 59, 59), true},
		{"R19 Saturday 16:00 closed", london(2026, 6, 13, 16, 0, 0), false},
		{"R19 Sunday 09:59 closed", london(2026, 6, 14, 9, 59, 0), false},
		{"R19 Sunday 10:00 open", london(2026, 6, 14, 10, 0, 0), true},
		{"R19 Sunday 16:00 closed", london(2026, 6, 14, 16, 0, 0), false},
		{"R20 bank holiday 09:59 closed", london(2026, 4, 6, 9, 59, 0), false},
		{"R20 bank holiday 10:00 open", london(2026, 4, 6, 10, 0, 0), true},
		{"R20 bank holiday 16:00 closed", london(2026, 4, 6, 16, 0, 0), false},
		{"R21 Christmas Day 2026 12:00 closed", london(2026, 12, 25, 12, 0, 0), false},
		{"R21 Christmas Day 2026 10:00 closed", london(2026, 12, 25, 10, 0, 0), false},
		{"R19 Sat 26 Dec 2026 08:00 open (Saturday hours)", london(2026, 12, 26, 8, 0, 0), true},
		{"R20 Mon 28 Dec 2026 09:00 closed (substitute day)", london(2026, 12, 28, 9, 0, 0), false},
		{"R20 Mon 28 Dec 2026 10:00 open", london(2026, 12, 28, 10, 0, 0), true},
		{"R20 Mon 28 Dec 2026 16:00 closed", london(2026, 12, 28, 16, 0, 0), false},
		{"R21 Christmas Day 2027 (Saturday) 12:00 closed", london(2027, 12, 25, 12, 0, 0), false},
		{"R20 Mon 27 Dec 2027 09:59 closed", london(2027, 12, 27, 9, 59, 0), false},
		{"R20 Mon 27 Dec 2027 10:00 open", london(2027, 12, 27, 10, 0, 0), true},
		{"R20 Tue 28 Dec 2027 08:30 closed", london(2027, 12, 28, 8, 30, 0), false},
		{"R20 Tue 28 Dec 2027 15:59 open", london(2027, 12, 28, 15, 59, 0), true},
		// 29 March 2026: clocks go forward at 01:00 GMT, so Sunday's 10:00 BST opening is 09:00Z.
		{"R19 29 Mar 2026 08:59Z (09:59 BST) closed", utc(2026, 3, 29, 8, 59), false},
		{"R19 29 Mar 2026 09:00Z (10:00 BST) open", utc(2026, 3, 29, 9, 0), true},
		{"R19 29 Mar 2026 14:59Z (15:59 BST) open", utc(2026, 3, 29, 14, 59), true},
		{"R19 29 Mar 2026 15:00Z (16:00 BST) closed", utc(2026, 3, 29, 15, 0), false},
		// 25 October 2026: clocks go back at 01:00 GMT, so Sunday's 10:00 GMT opening is 10:00Z.
		{"R19 25 Oct 2026 09:00Z (09:00 GMT) closed", utc(2026, 10, 25, 9, 0), false},
		{"R19 25 Oct 2026 09:59Z (09:59 GMT) closed", utc(2026, 10, 25, 9, 59), false},
		{"R19 25 Oct 2026 10:00Z (10:00 GMT) open", utc(2026, 10, 25, 10, 0), true},
		{"R19 25 Oct 2026 15:59Z open", utc(2026, 10, 25, 15, 59), true},
		{"R19 25 Oct 2026 16:00Z closed", utc(2026, 10, 25, 16, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.IsOpen(tc.at); got != tc.open {
				t.Errorf("IsOpen(%v) = %v, want %v", tc.at.In(London), got, tc.open)
			}
		})
	}
}

func TestHelpdeskNextOpening(t *testing.T) {
	h := fixtureHelpdesk(t)
	for _, tc := range []struct {
		name string
		from time.Time
		want time.Time
	}{
		{"R19 weekday before opening: 08:00 today", london(2026, 6, 10, 7, 0, 0), london(2026, 6, 10, 8, 0, 0)},
		{"R19 weekday open: tomorrow 08:00", london(2026, 6, 10, 12, 0, 0), london(2026, 6, 11, 8, 0, 0)},
		{"R19 weekday at opening: tomorrow 08:00", london(2026, 6, 10, 8, 0, 0), london(2026, 6, 11, 8, 0, 0)},
		{"R19 Friday 18:00: Saturday 08:00", london(2026, 6, 12, 18, 0, 0), london(2026, 6, 13, 8, 0, 0)},
		{"R19 Saturday 16:30: Sunday 10:00", london(2026, 6, 13, 16, 30, 0), london(2026, 6, 14, 10, 0, 0)},
		{"R19 Sunday 09:00: Sunday 10:00", london(2026, 6, 14, 9, 0, 0), london(2026, 6, 14, 10, 0, 0)},
		{"R20 Good Friday 18:00 (Thu): Good Friday 10:00", london(2026, 4, 2, 18, 0, 0), london(2026, 4, 3, 10, 0, 0)},
		{"R21 Christmas Eve 2026 18:00: Sat 26 Dec 08:00", london(2026, 12, 24, 18, 0, 0), london(2026, 12, 26, 8, 0, 0)},
		{"R21 Christmas Eve 2026 18:00 as UTC", london(2026, 12, 24, 18, 0, 0), utc(2026, 12, 26, 8, 0)},
		{"R21 Christmas Day 2026 noon: Sat 26 Dec 08:00", london(2026, 12, 25, 12, 0, 0), london(2026, 12, 26, 8, 0, 0)},
		{"R20 Sun 27 Dec 2026 16:00: Mon 28 Dec 10:00", london(2026, 12, 27, 16, 0, 0), london(2026, 12, 28, 10, 0, 0)},
		{"R21 Christmas Eve 2027 18:00: Sun 26 Dec 10:00", london(2027, 12, 24, 18, 0, 0), london(2027, 12, 26, 10, 0, 0)},
		{"R20 Sun 26 Dec 2027 16:00: Mon 27 Dec 10:00", london(2027, 12, 26, 16, 0, 0), london(2027, 12, 27, 10, 0, 0)},
		{"R19 29 Mar 2026 00:30 GMT: 10:00 BST = 09:00Z", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 9, 0)},
		{"R19 25 Oct 2026 01:30 (second) GMT: 10:00 GMT = 10:00Z", utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 10, 0)},
		{"R19 Sat 28 Mar 2026 16:00 GMT: Sun 10:00 BST", london(2026, 3, 28, 16, 0, 0), london(2026, 3, 29, 10, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.NextOpening(tc.from); !got.Equal(tc.want) {
				t.Errorf("NextOpening(%v) = %v, want %v", tc.from.In(London), got.In(London), tc.want.In(London))
			}
		})
	}
}

func TestHelpdeskStatus(t *testing.T) {
	h := fixtureHelpdesk(t)
	for _, tc := range []struct {
		name string
		at   time.Time
		want Status
	}{
		{
			"R19 Saturday 16:30 closed, opens Sunday 10:00",
			london(2026, 6, 13, 16, 30, 0),
			Status{
				Today:       DayHours{Date: NewDate(2026, 6, 13), Open: true, Span: Span{480, 960}, Kind: Saturday},
				NextOpening: utc(2026, 6, 14, 9, 0), // 10:00 BST
			},
		},
		{
			"R21 Christmas Eve 2026 18:00 closed, opens Saturday 26 Dec 08:00",
			london(2026, 12, 24, 18, 0, 0),
			Status{
				Today:       DayHours{Date: NewDate(2026, 12, 24), Open: true, Span: Span{480, 1080}, Kind: Weekday},
				NextOpening: london(2026, 12, 26, 8, 0, 0),
			},
		},
		{
			"R21 Christmas Day 2027 closed all day",
			london(2027, 12, 25, 11, 0, 0),
			Status{
				Today:       DayHours{Date: NewDate(2027, 12, 25), Kind: ChristmasDay, Holiday: "Christmas Day"},
				NextOpening: london(2027, 12, 26, 10, 0, 0),
			},
		},
		{
			"R19 weekday 17:59:59 open, closes 18:00",
			london(2026, 6, 10, 17, 59, 59),
			Status{
				Open:        true,
				Today:       DayHours{Date: NewDate(2026, 6, 10), Open: true, Span: Span{480, 1080}, Kind: Weekday},
				ClosesAt:    utc(2026, 6, 10, 17, 0), // 18:00 BST
				NextOpening: london(2026, 6, 11, 8, 0, 0),
			},
		},
		{
			"R20 Boxing Day substitute 2026 open, closes 16:00",
			london(2026, 12, 28, 12, 0, 0),
			Status{
				Open:        true,
				Today:       DayHours{Date: NewDate(2026, 12, 28), Open: true, Span: Span{600, 960}, Kind: BankHoliday, Holiday: "Boxing Day"},
				ClosesAt:    london(2026, 12, 28, 16, 0, 0),
				NextOpening: london(2026, 12, 29, 8, 0, 0),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.Status(tc.at)
			if got.Open != tc.want.Open || got.Today != tc.want.Today ||
				!got.ClosesAt.Equal(tc.want.ClosesAt) || !got.NextOpening.Equal(tc.want.NextOpening) {
				t.Errorf("Status(%v) =\n %+v\nwant\n %+v", tc.at.In(London), got, tc.want)
			}
		})
	}
}

func TestHelpdeskWithoutPublishedList(t *testing.T) {
	// A nil Holidays falls back to the computed rules, which agree with the fixture here.
	h := Helpdesk{}
	if got, want := h.NextOpening(london(2026, 12, 24, 18, 0, 0)), london(2026, 12, 26, 8, 0, 0); !got.Equal(want) {
		t.Errorf("NextOpening = %v, want %v", got, want)
	}
	if got := h.HoursOn(NewDate(2027, 12, 28)).Kind; got != BankHoliday {
		t.Errorf("2027-12-28 kind = %q, want %q", got, BankHoliday)
	}
}

// TestHelpdeskWeekIsTheHoursKept checks the hours the channels tell (HelpdeskWeek) are
// those HoursOn keeps, kind by kind, every kind once (R19-R21).
func TestHelpdeskWeekIsTheHoursKept(t *testing.T) {
	h := fixtureHelpdesk(t)
	sample := map[DayKind]Date{Weekday: NewDate(2026, 6, 10), Saturday: NewDate(2026, 6, 13), Sunday: NewDate(2026, 6, 14),
		BankHoliday: NewDate(2026, 4, 6), ChristmasDay: NewDate(2026, 12, 25)}
	told := map[DayKind]bool{}
	week := HelpdeskWeek()
	for _, oh := range week {
		for _, k := range oh.Kinds {
			d, ok := sample[k]
			if !ok || told[k] {
				t.Fatalf("%s: no sample day, or told twice", k)
			}
			told[k] = true
			if got := h.HoursOn(d); got.Kind != k || got.Open != oh.Open || got.Span != oh.Span {
				t.Errorf("%s: HoursOn(%s) = %+v, the week says %+v", k, d, got, oh)
			}
		}
	}
	if len(told) != len(sample) || len(week) != 4 {
		t.Errorf("the week tells %d kinds of day in %d entries, want %d in 4: %+v", len(told), len(week), len(sample), week)
	}
}
