package calendar

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const fixturePath = "../../fixtures/bank-holidays-england-and-wales.json"

// publishedHolidays loads the gov.uk fixture for England and Wales.
func publishedHolidays(t *testing.T) []Holiday {
	t.Helper()
	raw, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	hs, err := ParseGovUK(bytes.NewReader(raw), "england-and-wales")
	if err != nil {
		t.Fatalf("parsing fixture: %v", err)
	}
	return hs
}

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	for _, want := range []string{
		"2019-04-21", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2038-04-25",
		"2000-04-23", "2008-03-23", "2011-04-24", "1818-03-22", "2285-03-22", "1943-04-25",
	} {
		w := mustDate(t, want)
		if got := easter(w.Year); got != w {
			t.Errorf("easter(%d) = %s, want %s", w.Year, got, w)
		}
		if got := w.Weekday(); got != time.Sunday {
			t.Errorf("%s is a %s, not a Sunday: bad test data", w, got)
		}
	}
}

func TestParseGovUKFixture(t *testing.T) {
	hs := publishedHolidays(t)
	if len(hs) != 32 {
		t.Fatalf("got %d holidays, want 32", len(hs))
	}
	if first := hs[0]; first != (Holiday{mustDate(t, "2024-01-01"), "New Year’s Day"}) {
		t.Errorf("first holiday = %+v, want New Year’s Day 2024-01-01 with a curly apostrophe", first)
	}
	for i := 1; i < len(hs); i++ {
		if !hs[i-1].Date.Before(hs[i].Date) {
			t.Errorf("holidays not in date order at %d: %s then %s", i, hs[i-1].Date, hs[i].Date)
		}
	}
}

func TestParseGovUKErrors(t *testing.T) {
	for _, tc := range []struct {
		name, json, division, wantErr string
	}{
		{"not json", `{`, "england-and-wales", "decoding"},
		{"missing division", `{"scotland":{"division":"scotland","events":[]}}`, "england-and-wales", `no division "england-and-wales" (have scotland)`},
		{"bad date", `{"england-and-wales":{"events":[{"title":"X","date":"2024-13-01"}]}}`, "england-and-wales", `"2024-13-01"`},
		{"empty title", `{"england-and-wales":{"events":[{"title":" ","date":"2024-01-01"}]}}`, "england-and-wales", "empty title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGovUK(strings.NewReader(tc.json), tc.division)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestComputedMatchesPublished(t *testing.T) {
	byYear := map[int][]Holiday{}
	for _, h := range publishedHolidays(t) {
		byYear[h.Date.Year] = append(byYear[h.Date.Year], h)
	}
	for _, year := range []int{2024, 2025, 2026, 2027} {
		got, want := ComputedHolidays(year), byYear[year]
		if len(want) == 0 {
			t.Fatalf("fixture has no holidays in %d", year)
		}
		if !slices.Equal(got, want) {
			t.Errorf("ComputedHolidays(%d):\n got  %v\n want %v", year, got, want)
		}
	}
}

func TestComputedChristmasSubstitutes(t *testing.T) {
	// The last two holidays of each year, for each weekday 25 December can fall on.
	for _, tc := range []struct {
		name string
		year int
		want []Holiday
	}{
		{"25 Sun: Boxing Mon 26, Christmas Tue 27", 2022, []Holiday{{NewDate(2022, 12, 26), "Boxing Day"}, {NewDate(2022, 12, 27), "Christmas Day"}}},
		{"25 Mon", 2023, []Holiday{{NewDate(2023, 12, 25), "Christmas Day"}, {NewDate(2023, 12, 26), "Boxing Day"}}},
		{"25 Thu", 2025, []Holiday{{NewDate(2025, 12, 25), "Christmas Day"}, {NewDate(2025, 12, 26), "Boxing Day"}}},
		{"25 Fri: Boxing Mon 28", 2026, []Holiday{{NewDate(2026, 12, 25), "Christmas Day"}, {NewDate(2026, 12, 28), "Boxing Day"}}},
		{"25 Sat: Mon 27, Tue 28", 2027, []Holiday{{NewDate(2027, 12, 27), "Christmas Day"}, {NewDate(2027, 12, 28), "Boxing Day"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := ComputedHolidays(tc.year)
			if got := hs[len(hs)-2:]; !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestComputedNewYearSubstitute(t *testing.T) {
	for _, tc := range []struct {
		year int
		want string
	}{
		{2022, "2022-01-03"}, // Saturday -> Monday 3rd
		{2023, "2023-01-02"}, // Sunday -> Monday 2nd
		{2031, "2031-01-01"}, // Wednesday
	} {
		if got := ComputedHolidays(tc.year)[0]; got != (Holiday{mustDate(t, tc.want), "New Year’s Day"}) {
			t.Errorf("%d: first holiday %v, want New Year’s Day on %s", tc.year, got, tc.want)
		}
	}
}

func TestBankHolidaysPublishedTakesPrecedence(t *testing.T) {
	// Coronation-like test data: 2023 is covered, with a one-off on Monday 8 May and no
	// Spring bank holiday, so the computed 29 May must not appear.
	published := []Holiday{
		{NewDate(2023, 5, 8), "Bank holiday for the coronation of King Charles III"},
		{NewDate(2023, 1, 2), "New Year’s Day"},
	}
	b := NewBankHolidays(published)

	if h, ok := b.On(NewDate(2023, 5, 8)); !ok || h.Title != published[0].Title {
		t.Errorf("On(2023-05-08) = %v, %v; want the published one-off", h, ok)
	}
	if h, ok := b.On(NewDate(2023, 5, 29)); ok {
		t.Errorf("On(2023-05-29) = %v, true; a covered year must not fall back to computed holidays", h)
	}
	want := []Holiday{published[1], published[0]} // sorted
	if got := b.InYear(2023); !slices.Equal(got, want) {
		t.Errorf("InYear(2023) = %v, want %v", got, want)
	}

	// 2031 is not covered, so it is computed.
	if got, want := b.InYear(2031), ComputedHolidays(2031); !slices.Equal(got, want) || len(got) != 8 {
		t.Errorf("InYear(2031) = %v, want computed %v", got, want)
	}
	if h, ok := b.On(NewDate(2031, 4, 11)); !ok || h.Title != "Good Friday" {
		t.Errorf("On(2031-04-11) = %v, %v; want computed Good Friday", h, ok)
	}
	if _, ok := b.On(NewDate(2031, 4, 10)); ok {
		t.Errorf("On(2031-04-10) reported a holiday")
	}
}

func TestBankHolidaysFromFixture(t *testing.T) {
	b := NewBankHolidays(publishedHolidays(t))
	for _, tc := range []struct {
		date, title string
		ok          bool
	}{
		{"2026-12-25", "Christmas Day", true},
		{"2026-12-26", "", false}, // Boxing Day on a Saturday is not itself a holiday
		{"2026-12-28", "Boxing Day", true},
		{"2027-12-25", "", false},
		{"2027-12-27", "Christmas Day", true},
		{"2027-12-28", "Boxing Day", true},
		{"2026-04-06", "Easter Monday", true},
		{"2026-04-07", "", false},
	} {
		h, ok := b.On(mustDate(t, tc.date))
		if ok != tc.ok || h.Title != tc.title {
			t.Errorf("On(%s) = %q, %v; want %q, %v", tc.date, h.Title, ok, tc.title, tc.ok)
		}
	}
}

func TestBankHolidaysInYearIsACopy(t *testing.T) {
	b := NewBankHolidays(nil)
	hs := b.InYear(2030)
	hs[0].Title = "changed"
	if got := b.InYear(2030)[0].Title; got != "New Year’s Day" {
		t.Errorf("mutating InYear's result changed the table: %q", got)
	}
}

func TestBankHolidaysNilAndZero(t *testing.T) {
	var nilB *BankHolidays
	if _, ok := nilB.On(NewDate(2030, 12, 25)); !ok {
		t.Error("nil BankHolidays: 2030-12-25 not a holiday")
	}
	var zero BankHolidays
	if _, ok := zero.On(NewDate(2030, 12, 26)); !ok {
		t.Error("zero BankHolidays: 2030-12-26 not a holiday")
	}
}

func TestBankHolidaysConcurrent(t *testing.T) {
	// Run with -race: many readers filling the computed-year cache at once.
	b := NewBankHolidays(nil)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for y := 2030; y < 2060; y++ {
				want := ComputedHolidays(y)
				if got := b.InYear(y); !slices.Equal(got, want) {
					t.Errorf("InYear(%d) = %v, want %v", y, got, want)
				}
				if _, ok := b.On(want[0].Date); !ok {
					t.Errorf("On(%s) = false", want[0].Date)
				}
			}
		})
	}
	wg.Wait()
}
