package ivr_test

import (
	"testing"

	"permitline/flows/entry"
)

// The example of a date keyed as four digits is a day the caller could book (R12-R14):
// never a weekend in a Monday-to-Friday scheme, nor a bank holiday.
func TestTheDayMonthExampleIsABookableDay(t *testing.T) {
	for _, tc := range []struct{ name, now, want string }{
		// Friday 4 December 2026: Saturday and Sunday need no permit in Coleridge West.
		{"a Friday in a Monday-to-Friday scheme", "2026-12-04 10:00", "for Monday the seventh of December, key 0 7 1 2."},
		// Christmas Eve: the 25th, the weekend and the substitute bank holiday on the 28th.
		{"over the Christmas bank holidays", "2026-12-24 10:00", "for Tuesday the twenty-ninth of December, key 2 9 1 2."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLine(t, tc.now)
			l.alexAtMenu().press("1").press("1").press("3").
				expect("Please key the day and the month as four digits: "+tc.want).
				never("fifth of December", "Saturday", "Sunday", "twenty-fifth", "twenty-eighth")
		})
	}
}

// A new vehicle goes after the saved and recent ones: the keys of those stay as they were.
func TestUsingANewVehicleDoesNotRenumberTheMenu(t *testing.T) {
	l := newLine(t, monday)
	menu := []string{"For A, B, one, two. C, D, E, press 1.", "For K, X, six, five. A, B, C, press 2."}
	c := l.alexAtMenu().press("1").expect(menu...)
	c.press("9").press(entry.EncodeKeypad("AB12CDF")).expect("I have").press("1").press("2").press("1").
		expect("Done.")
	c.press("1").expect(append(menu, "For A, B, one, two. C, D, F, press 3.")...)
}
