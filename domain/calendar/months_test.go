package calendar

import (
	"testing"
	"time"
)

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-08-31", 3, "2026-11-30"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2027-11-30", 3, "2028-02-29"},
		{"2028-02-29", 12, "2029-02-28"},
		{"2026-01-05", 12, "2027-01-05"},
		{"2026-11-30", -3, "2026-08-30"},
		{"2026-05-31", 6, "2026-11-30"},
		{"2026-12-31", 1, "2027-01-31"},
	}
	for _, tc := range tests {
		d, _ := ParseDate(tc.from)
		if got := d.AddMonths(tc.n).String(); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	// Across the clock change the wall-clock time is kept: 10:00 GMT in January, 10:00 BST in July.
	jan := time.Date(2026, 1, 31, 10, 0, 0, 0, London)
	if got := AddMonths(jan, 6).UTC().Format(time.RFC3339); got != "2026-07-31T09:00:00Z" {
		t.Errorf("31 Jan 10:00 GMT + 6 months = %s, want 2026-07-31T09:00:00Z", got)
	}
}

// Clock12 reads London's wall clock, whatever the instant's zone: midnight is 12 a.m.,
// midday 12 p.m., and a summer instant in UTC is an hour on.
func TestClock12(t *testing.T) {
	for _, tc := range []struct {
		at       time.Time
		hour, mm int
		pm       bool
	}{
		{london(2026, 12, 1, 0, 0, 0), 12, 0, false},
		{london(2026, 12, 1, 0, 30, 0), 12, 30, false},
		{london(2026, 12, 1, 8, 55, 0), 8, 55, false},
		{london(2026, 12, 1, 12, 0, 0), 12, 0, true},
		{london(2026, 12, 1, 23, 59, 59), 11, 59, true},
		{time.Date(2026, 7, 1, 11, 15, 0, 0, time.UTC), 12, 15, true},
	} {
		if h, m, pm := Clock12(tc.at); h != tc.hour || m != tc.mm || pm != tc.pm {
			t.Errorf("Clock12(%s) = %d, %d, %t; want %d, %d, %t", tc.at, h, m, pm, tc.hour, tc.mm, tc.pm)
		}
	}
}
