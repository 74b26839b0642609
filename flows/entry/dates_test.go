package entry

import (
	"errors"
	"testing"
	"time"

	"permitline/domain/calendar"
)

// date is shorthand for a calendar date in the tests.
func date(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

func TestDayMonth(t *testing.T) {
	tests := []struct {
		digits string
		today  calendar.Date
		want   calendar.Date
	}{
		{"0512", date(2026, 6, 15), date(2026, 12, 5)},
		{"1506", date(2026, 6, 15), date(2026, 6, 15)}, // today is this year
		{"1606", date(2026, 6, 15), date(2026, 6, 16)},
		{"1406", date(2026, 6, 15), date(2027, 6, 14)}, // yesterday is next year
		{"0101", date(2026, 6, 15), date(2027, 1, 1)},
		{"3112", date(2026, 6, 15), date(2026, 12, 31)},
		{"0501", date(2026, 12, 30), date(2027, 1, 5)},
		{"3012", date(2026, 12, 30), date(2026, 12, 30)},
		{"3112", date(2026, 12, 30), date(2026, 12, 31)},
		{"2912", date(2026, 12, 30), date(2027, 12, 29)},
		{"0101", date(2026, 1, 1), date(2026, 1, 1)},
		{"3101", date(2026, 1, 31), date(2026, 1, 31)},
		{"3004", date(2026, 6, 15), date(2027, 4, 30)},
		{"2802", date(2026, 6, 15), date(2027, 2, 28)},
		{"2902", date(2028, 1, 10), date(2028, 2, 29)},
		{"2902", date(2027, 3, 1), date(2028, 2, 29)},
		{"2902", date(2028, 2, 29), date(2028, 2, 29)},
		{"0103", date(2028, 2, 29), date(2028, 3, 1)},
	}
	for _, tt := range tests {
		got, err := DayMonth(tt.digits, tt.today)
		if err != nil || got != tt.want {
			t.Errorf("DayMonth(%q, %v) = %v, %v; want %v", tt.digits, tt.today, got, err, tt.want)
		}
	}
}

func TestDayMonthErrors(t *testing.T) {
	today := date(2026, 6, 15)
	tests := []struct {
		digits string
		today  calendar.Date
		reason string
	}{
		{"", today, "a date is four digits: two for the day, then two for the month"},
		{"5", today, "a date is four digits: two for the day, then two for the month"},
		{"512", today, "a date is four digits: two for the day, then two for the month"},
		{"05122", today, "a date is four digits: two for the day, then two for the month"},
		{"05122026", today, "a date is four digits: two for the day, then two for the month"},
		{"05a2", today, "a date is keyed with the digits 0 to 9 only"},
		{"0512#", today, "a date is keyed with the digits 0 to 9 only"},
		{"05*12", today, "a date is keyed with the digits 0 to 9 only"},
		{"5/12", today, "a date is keyed with the digits 0 to 9 only"},
		{" 0512", today, "a date is keyed with the digits 0 to 9 only"},
		{"1313", today, "there is no month 13"},
		{"0100", today, "there is no month 0"},
		{"9999", today, "there is no month 99"},
		{"0012", today, "there is no day 0"},
		{"0000", today, "there is no month 0"},
		{"3104", today, "there is no 31 April"},
		{"3106", today, "there is no 31 June"},
		{"3109", today, "there is no 31 September"},
		{"3111", today, "there is no 31 November"},
		{"3002", today, "there is no 30 February"},
		{"3206", today, "there is no 32 June"},
		{"3201", today, "there is no 32 January"},
		{"2902", today, "there is no 29 February in 2027"},
		{"2902", date(2027, 1, 10), "there is no 29 February in 2027"},
		{"2902", date(2026, 2, 28), "there is no 29 February in 2026"},
		{"2902", date(2028, 3, 1), "there is no 29 February in 2029"},
	}
	for _, tt := range tests {
		got, err := DayMonth(tt.digits, tt.today)
		var de *DateError
		if !errors.As(err, &de) {
			t.Errorf("DayMonth(%q, %v) = %v, %v; want a *DateError", tt.digits, tt.today, got, err)
			continue
		}
		if !got.IsZero() || de.Input != tt.digits || de.Reason != tt.reason {
			t.Errorf("DayMonth(%q, %v) = %v, %+v; want reason %q", tt.digits, tt.today, got, *de, tt.reason)
		}
	}
	_, err := DayMonth("3104", today)
	if want := `date "3104" is not valid: there is no 31 April`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestTextDate(t *testing.T) {
	today := date(2026, 6, 15) // a Monday
	tests := []struct {
		text string
		want calendar.Date
	}{
		{"today", today},
		{"TODAY", today},
		{" Today! ", today},
		{"for today", today},
		{"tomorrow", date(2026, 6, 16)},
		{"Tomorrow.", date(2026, 6, 16)},
		{"tomorow", date(2026, 6, 16)},
		{"tmrw", date(2026, 6, 16)},
		{"TMW", date(2026, 6, 16)},
		{"tmr", date(2026, 6, 16)},

		// Weekdays: the soonest on or after today.
		{"mon", today},
		{"Monday", today},
		{"tue", date(2026, 6, 16)},
		{"tues", date(2026, 6, 16)},
		{"Tuesday", date(2026, 6, 16)},
		{"wed", date(2026, 6, 17)},
		{"weds", date(2026, 6, 17)},
		{"wednesday", date(2026, 6, 17)},
		{"thu", date(2026, 6, 18)},
		{"thur", date(2026, 6, 18)},
		{"thurs", date(2026, 6, 18)},
		{"THURSDAY", date(2026, 6, 18)},
		{"fri", date(2026, 6, 19)},
		{"friday", date(2026, 6, 19)},
		{"sat", date(2026, 6, 20)},
		{"SAT", date(2026, 6, 20)},
		{"Saturday", date(2026, 6, 20)},
		{"sat.", date(2026, 6, 20)},
		{"on sat", date(2026, 6, 20)},
		{"sun", date(2026, 6, 21)},
		{"Sunday!", date(2026, 6, 21)},
		{"today mon", today},

		// Day and month.
		{"5/12", date(2026, 12, 5)},
		{"05/12", date(2026, 12, 5)},
		{"5-12", date(2026, 12, 5)},
		{"5.12", date(2026, 12, 5)},
		{"5 / 12", date(2026, 12, 5)},
		{"5 Dec", date(2026, 12, 5)},
		{"5dec", date(2026, 12, 5)},
		{"5th December", date(2026, 12, 5)},
		{"5TH DECEMBER", date(2026, 12, 5)},
		{"5th of December", date(2026, 12, 5)},
		{"on the 5th of December", date(2026, 12, 5)},
		{"Dec 5", date(2026, 12, 5)},
		{"December 5th", date(2026, 12, 5)},
		{"dec-5", date(2026, 12, 5)},
		{"1st Jan", date(2027, 1, 1)},
		{"2nd feb", date(2027, 2, 2)},
		{"3rd March", date(2027, 3, 3)},
		{"22nd sept", date(2026, 9, 22)},
		{"22 sep", date(2026, 9, 22)},
		{"15/6", today},
		{"15 June", today},
		{"16 jun", date(2026, 6, 16)},
		{"14/6", date(2027, 6, 14)},
		{"1/1", date(2027, 1, 1)},
		{"31/12", date(2026, 12, 31)},
		{"31 may", date(2027, 5, 31)},
		{"1 jul", date(2026, 7, 1)},
		{"12 august", date(2026, 8, 12)},
		{"30 apr", date(2027, 4, 30)},
		{"10 oct", date(2026, 10, 10)},
		{"11 nov", date(2026, 11, 11)},
		{"5th dec.", date(2026, 12, 5)},

		// With a year.
		{"5/12/2026", date(2026, 12, 5)},
		{"05/12/26", date(2026, 12, 5)},
		{"5-12-2026", date(2026, 12, 5)},
		{"5.12.26", date(2026, 12, 5)},
		{"5 dec 2026", date(2026, 12, 5)},
		{"5-dec-26", date(2026, 12, 5)},
		{"Dec 5 2026", date(2026, 12, 5)},
		{"December 5th, 2026", date(2026, 12, 5)},
		{"5th December 2026", date(2026, 12, 5)},
		{"1/6/2027", date(2027, 6, 1)},
		{"5/12/2025", date(2025, 12, 5)}, // in the past, but within 366 days
		{"15/6/2027", date(2027, 6, 15)}, // 365 days on

		// A weekday with a date must agree with it.
		{"Sat 5 Dec", date(2026, 12, 5)},
		{"Saturday 5th December", date(2026, 12, 5)},
		{"sat 5/12", date(2026, 12, 5)},
		{"5 Dec (Sat)", date(2026, 12, 5)},
		{"Tue 16/6", date(2026, 6, 16)},
	}
	for _, tt := range tests {
		got, ok := TextDate(tt.text, today)
		if !ok || got != tt.want {
			t.Errorf("TextDate(%q, %v) = %v, %v; want %v", tt.text, today, got, ok, tt.want)
		}
	}
}

func TestTextDateOtherDays(t *testing.T) {
	tests := []struct {
		text  string
		today calendar.Date
		want  calendar.Date
	}{
		{"sat", date(2026, 12, 5), date(2026, 12, 5)}, // a Saturday: today
		{"fri", date(2026, 12, 5), date(2026, 12, 11)},
		{"sun", date(2026, 12, 5), date(2026, 12, 6)},
		{"tomorrow", date(2026, 12, 31), date(2027, 1, 1)},
		{"tue", date(2026, 12, 30), date(2027, 1, 5)},
		{"5/1", date(2026, 12, 30), date(2027, 1, 5)},
		{"5 jan", date(2026, 12, 30), date(2027, 1, 5)},
		{"29/2", date(2027, 6, 15), date(2028, 2, 29)},
		{"29 feb", date(2028, 1, 1), date(2028, 2, 29)},
		{"29/2/28", date(2027, 6, 15), date(2028, 2, 29)},
		{"5/1/27", date(2026, 12, 30), date(2027, 1, 5)},
		{"tomorrow", date(2028, 2, 28), date(2028, 2, 29)},
	}
	for _, tt := range tests {
		got, ok := TextDate(tt.text, tt.today)
		if !ok || got != tt.want {
			t.Errorf("TextDate(%q, %v) = %v, %v; want %v", tt.text, tt.today, got, ok, tt.want)
		}
	}
}

func TestTextDateRejects(t *testing.T) {
	today := date(2026, 6, 15) // a Monday
	for _, text := range []string{
		"", "   ", ".", "hello", "yes", "5", "05", "5th", "0512", "512",
		"5 12", "5//12", "5/12/226", "5/12/02026", "5th/12", "5/12th", "5/12/26th",
		"5/12-2026", "5/12.26", "5:12", "5\\12", "5_12", "5€12", "5 décembre", "5 decem",
		"31/4", "31 april", "32/1", "0/5", "00/05", "5/0", "5/13", "5/00", "005/12", "5/012",
		"29/2", "29 feb", "29/2/2027", "30 feb", "29/2/2028", // 2028-02-29 is 624 days on
		"5/12/2027", "5/12/2024", "1/1/2000", "5/12/99", "5/12/0000", "5/12/9999",
		"next sat", "this sat", "sat sun", "mon tue", "sat sat", "today tomorrow", "today sat",
		"5 dec 5 dec", "dec dec", "5 dec dec", "5 sat dec", "sat 5", "sat the 5th",
		"Fri 5 Dec", "5 Dec Fri", "5 Dec 2026 2027", "Dec 5 2026 sat sun", "1 2 3",
		"5th th dec", "5 th dec", "5thdec2026", "december", "dec", "mid june",
		"tomorrow 5/12", "5/12 tomorrow", "5/12 please", "today\x00", "sat\u200b",
	} {
		if got, ok := TextDate(text, today); ok {
			t.Errorf("TextDate(%q, %v) = %v, true; want false", text, today, got)
		}
	}
}
