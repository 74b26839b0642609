package ivr_test

import (
	"testing"

	"permitline/domain"
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
	c.press("8").press(entry.EncodeKeypad("AB12CDF")).expect("I have").press("1").press("2").press("1").
		expect("Done.")
	c.press("1").expect(append(menu, "For A, B, one, two. C, D, F, press 3.")...)
}

// The price of a permit is said before the caller is asked how many; after the payment
// the caller hears its reference, and a receipt is texted to a mobile, once, but never to
// a landline nor to a number that opted out of texts.
func TestAPurchaseNamesThePriceAndTextsAReceipt(t *testing.T) {
	t.Run("a mobile", func(t *testing.T) {
		l := newLine(t, monday)
		c := l.alexAtMenu().press("4").expect("Permits cost eighteen pounds each, with five visits, valid 12 months. " +
			"How many permits would you like?")
		c.press("2").press("1").pay("4242424242424242").expect("Your payment reference ends in ")
		texts := l.texts()
		if len(texts) != 1 || texts[0].Kind != domain.NoticeReceipt || texts[0].To != alex || texts[0].PaymentRef() == "" {
			t.Fatalf("want one receipt to %s, got %+v", alex, texts)
		}
	})
	t.Run("a landline", func(t *testing.T) {
		l := newLine(t, monday)
		l.dial("+441632960123").press("3690").press("4").expect("Permits cost eighteen pounds each").
			press("2").press("1").pay("4242424242424242").expect("Your payment of thirty-six pounds was taken")
		if texts := l.texts(); len(texts) != 0 {
			t.Fatalf("texted a landline: %+v", texts)
		}
		if got := l.Balance("Sam Taylor").BoughtThisYear; got != 2 {
			t.Fatalf("bought %d permits, want 2", got)
		}
	})
	t.Run("opted out", func(t *testing.T) {
		l := newLine(t, monday)
		if err := l.Svc.Update(l.Ctx, func(o *domain.Op) error { return o.SetOptOut(alex, true) }); err != nil {
			t.Fatal(err)
		}
		l.alexAtMenu().press("4").press("2").press("1").pay("4242424242424242").expect("Your payment reference ends in ")
		if texts := l.texts(); len(texts) != 0 {
			t.Fatalf("texted a number that opted out: %+v", texts)
		}
	})
}
