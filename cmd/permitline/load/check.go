package load

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// Expect is what the conversations of a run heard, for the end-of-run check.
type Expect struct {
	Visits   []ExpectedVisit   `json:"visits"`
	Payments []ExpectedPayment `json:"payments"`
	// VisitsBefore and PaymentsBefore are the highest ids in the store before the run:
	// every later visit made by phone or text, and every later payment, must be one a
	// conversation heard.
	VisitsBefore   int64 `json:"visits_before"`
	PaymentsBefore int64 `json:"payments_before"`
}

// CheckResult is what the end-of-run check looked at and what it found wrong.
type CheckResult struct {
	Visits     int      `json:"visits"`   // visits heard, each looked up
	Payments   int      `json:"payments"` // payments heard, each looked up
	Permits    int      `json:"permits"`  // permits in the store, each counted
	Mismatches []string `json:"mismatches"`
}

// OK reports whether the store holds exactly what the run heard.
func (c CheckResult) OK() bool { return len(c.Mismatches) == 0 }

// watermarks returns the highest visit and payment ids in the store.
func watermarks(ctx context.Context, path string) (visits, payments int64, err error) {
	err = readLedger(ctx, path, func(l ledger) error {
		visits, payments, err = l.LastIDs()
		return err
	})
	return visits, payments, err
}

// Check compares the store at path with what a run heard, reading it read-only:
//   - every visit whose reference a conversation heard is stored once, for that
//     resident, registration and day, and active, or cancelled if the conversation
//     cancelled it; no other visit was made by phone or text during the run, and no
//     other visit exists for that resident, registration and day;
//   - no permit has more than 5 active visits, and its visits_used counts them;
//   - no resident has more than 20 permits in a permit year;
//   - every payment has exactly one purchase: as many permits as its quantity, and
//     £18 a permit; every successful <Pay> heard has exactly one payment with its
//     confirmation code as provider_ref, and no other payment was made during the run.
func Check(ctx context.Context, path string, exp Expect) (CheckResult, error) {
	res := CheckResult{Visits: len(exp.Visits), Payments: len(exp.Payments), Mismatches: []string{}}
	err := readLedger(ctx, path, func(l ledger) error {
		c := &checker{l: l, exp: exp, res: &res}
		for _, phase := range []func() error{c.visitsHeard, c.noVisitUnheard, c.permits, c.paymentsWhole,
			c.paymentsHeard, c.noPaymentUnheard} {
			if err := phase(); err != nil {
				return err
			}
		}
		return nil
	})
	sort.Strings(res.Mismatches)
	return res, err
}

// checker is one end-of-run check: the store's ledger against what the run heard.
type checker struct {
	l   ledger
	exp Expect
	res *CheckResult
}

func (c *checker) bad(format string, args ...any) {
	c.res.Mismatches = append(c.res.Mismatches, fmt.Sprintf(format, args...))
}

// visitsHeard looks up every visit heard: stored as heard, and once.
func (c *checker) visitsHeard() error {
	for _, v := range c.exp.Visits {
		got, err := c.l.VisitByRef(v.Ref)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			c.bad("visit %s (%s on %s) was heard by a %s conversation but is not stored", v.Ref, v.VRM, v.Date, v.Kind)
			continue
		case err != nil:
			return err
		}
		if got.ResidentID != v.ResidentID || got.VRM != v.VRM || got.Date.String() != v.Date {
			c.bad("visit %s is stored for resident %d, %s on %s; the %s conversation heard resident %d, %s on %s",
				v.Ref, got.ResidentID, got.VRM, got.Date, v.Kind, v.ResidentID, v.VRM, v.Date)
		}
		want := domain.VisitActive
		if v.Cancelled {
			want = domain.VisitCancelled
		}
		if got.Status != want {
			c.bad("visit %s is %s; the %s conversation heard it %s", v.Ref, got.Status, v.Kind, want)
		}
		date, err := calendar.ParseDate(v.Date)
		if err != nil {
			return fmt.Errorf("visit %s heard for %q: %w", v.Ref, v.Date, err)
		}
		n, err := c.l.VisitCount(v.ResidentID, v.VRM, date)
		if err != nil {
			return err
		}
		if n != 1 {
			c.bad("resident %d has %d visits for %s on %s; the %s conversation made one (%s)", v.ResidentID, n, v.VRM,
				v.Date, v.Kind, v.Ref)
		}
	}
	return nil
}

// noVisitUnheard finds the visits made by phone or text during the run that no
// conversation heard.
func (c *checker) noVisitUnheard() error {
	heard := map[string]bool{}
	for _, v := range c.exp.Visits {
		heard[v.Ref] = true
	}
	after, err := c.l.VisitsAfter(c.exp.VisitsBefore)
	if err != nil {
		return err
	}
	for _, v := range after {
		if ch := v.By.Channel; (ch == domain.ChannelVoice || ch == domain.ChannelSMS) && !heard[v.Ref] {
			c.bad("visit %s (%s on %s) was stored during the run, but no conversation heard it", v.Ref, v.VRM, v.Date)
		}
	}
	return nil
}

// permits counts every permit's active visits against its visits_used and the five it
// carries, and every resident's permits in each permit year against the allowance.
func (c *checker) permits() error {
	active, err := c.l.ActiveVisitsByPermit()
	if err != nil {
		return err
	}
	type residentYear struct {
		resident int64
		year     time.Time
	}
	perYear := map[residentYear]int{}
	stored := map[int64]bool{}
	if err := c.l.EachPermit(func(p domain.Permit) error {
		c.res.Permits++
		stored[p.ID] = true
		switch n := active[p.ID]; {
		case n > domain.VisitsPerPermit:
			c.bad("permit %d has %d active visits; a permit carries %d", p.ID, n, domain.VisitsPerPermit)
			fallthrough
		case n != p.VisitsUsed:
			c.bad("permit %d has visits_used %d but %d active visits", p.ID, p.VisitsUsed, n)
		}
		start, _ := domain.PermitYear(p.PurchasedAt)
		perYear[residentYear{p.ResidentID, start}]++
		return nil
	}); err != nil {
		return err
	}
	for id, n := range active {
		if !stored[id] {
			c.bad("%d active visits are on permit %d, which is not stored", n, id)
		}
	}
	for k, n := range perYear {
		if n > domain.PermitsPerYear {
			c.bad("resident %d has %d permits in the permit year from %s; the allowance is %d", k.resident, n,
				k.year.Format("2 Jan 2006"), domain.PermitsPerYear)
		}
	}
	return nil
}

// paymentsWhole finds every payment not exactly one purchase: as many permits as its
// quantity, at the price of a permit each.
func (c *checker) paymentsWhole() error {
	return c.l.EachPayment(func(p domain.Payment, permits int) error {
		if permits != p.Quantity {
			c.bad("payment %d (%s) is for %d permits but %d are stored", p.ID, p.ProviderRef, p.Quantity, permits)
		}
		if want := domain.PermitPrice * domain.Pence(p.Quantity); p.AmountPence != want {
			c.bad("payment %d (%s) is %s for %d permits; %d permits cost %s", p.ID, p.ProviderRef, p.AmountPence,
				p.Quantity, p.Quantity, want)
		}
		return nil
	})
}

// paymentsHeard looks up every payment heard taken: one payment carries its
// confirmation code, for that resident and quantity.
func (c *checker) paymentsHeard() error {
	for _, p := range c.exp.Payments {
		got, err := c.l.PaymentsByRef(p.Code)
		if err != nil {
			return err
		}
		var resident int64
		var qty int
		for _, g := range got { // the highest of each, as a mismatch reports them
			resident, qty = max(resident, g.ResidentID), max(qty, g.Quantity)
		}
		switch {
		case len(got) != 1:
			c.bad("payment %s was heard taken; %d payments carry its confirmation code", p.Code, len(got))
		case resident != p.ResidentID || qty != p.Quantity:
			c.bad("payment %s is stored for resident %d, %d permits; the call heard resident %d, %d permits",
				p.Code, resident, qty, p.ResidentID, p.Quantity)
		}
	}
	return nil
}

// noPaymentUnheard finds the payments made during the run that no call heard taken.
func (c *checker) noPaymentUnheard() error {
	paid := map[string]bool{}
	for _, p := range c.exp.Payments {
		paid[p.Code] = true
	}
	after, err := c.l.PaymentsAfter(c.exp.PaymentsBefore)
	if err != nil {
		return err
	}
	for _, p := range after {
		if !paid[p.ProviderRef] {
			c.bad("payment %d (%s) was stored during the run, but no call heard it taken", p.ID, p.ProviderRef)
		}
	}
	return nil
}
