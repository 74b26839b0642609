package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain/calendar"
)

// PaymentIn is the money taken for a purchase.
type PaymentIn struct {
	Amount      Pence
	ProviderRef string // e.g. Twilio's PaymentConfirmationCode
	// IdempotencyKey makes a retried purchase return the first one; required.
	IdempotencyKey string
	// Taken says the money was already taken (a card payment on a call): a purchase the
	// rules then refuse becomes a refund due (R24), once per ProviderRef, and is refused
	// with a RefundDueError. Without it a refusal records nothing (the back office's
	// operator hears it at once).
	Taken bool
	// Receipt is the text that tells the resident of the purchase: NoticeReceipt for a
	// purchase the buyer heard go through on the call, NoticePermitsAdded when the buyer was
	// no longer on the line to hear it (a payment result that came after the call ended),
	// or "" for none.
	Receipt NoticeKind
}

// Quote is what a purchase would cost and leave, checked before any money is taken.
type Quote struct {
	Quantity      int
	Total         Pence
	AllowanceLeft int // after this purchase
	RenewsOn      calendar.Date
	Scheme        Scheme
}

// Purchase is a recorded sale of permits.
type Purchase struct {
	Payment       Payment
	Permits       []Permit
	AllowanceLeft int
	RenewsOn      calendar.Date
	// Repeated is true when the idempotency key had been used: nothing new was recorded.
	Repeated bool
}

// QuotePermits checks that the account may buy qty permits now (R3, R5, R7) and prices them (R6).
func (o *Op) QuotePermits(actor Actor, account string, qty int) (Quote, error) {
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return Quote{}, err
	}
	return o.quote(actor, res, qty)
}

func (o *Op) quote(actor Actor, res Resident, qty int) (Quote, error) {
	if err := authorise(o.tx, actor, res.ID, PermBuy); err != nil {
		return Quote{}, err
	}
	if qty < 1 || qty > PermitsPerYear {
		return Quote{}, &InvalidInputError{Field: "quantity", Reason: fmt.Sprintf("must be 1 to %d", PermitsPerYear)}
	}
	reg, err := o.tx.LatestRegistration(res.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Quote{}, &RegistrationNeededError{}
	case err != nil:
		return Quote{}, err
	case !reg.ValidAt(o.now):
		return Quote{}, &RegistrationNeededError{ExpiredAt: reg.ExpiresAt}
	}
	start, end := PermitYear(o.now)
	bought, err := o.tx.PermitsBought(res.ID, start, end)
	if err != nil {
		return Quote{}, fmt.Errorf("counting permits of %s: %w", res.Account, err)
	}
	renews := calendar.DateOf(end)
	if bought+qty > PermitsPerYear {
		return Quote{}, &AllowanceError{Requested: qty, Remaining: PermitsPerYear - bought, RenewsOn: renews}
	}
	sc, _, err := schemeOf(o.tx, res)
	if err != nil {
		return Quote{}, err
	}
	return Quote{Quantity: qty, Total: PermitPrice * Pence(qty), AllowanceLeft: PermitsPerYear - bought - qty,
		RenewsOn: renews, Scheme: sc}, nil
}

// BuyPermits records a paid purchase of qty permits, each valid for 12 months from now
// with 5 visits, in the scheme of the account's address (R6-R9). The rules are decided in
// the same transaction that writes, so racing purchases cannot pass 20 a year. A repeated
// idempotency key returns the first purchase and records nothing.
func (o *Op) BuyPermits(actor Actor, account string, qty int, pay PaymentIn) (Purchase, error) {
	key := strings.TrimSpace(pay.IdempotencyKey)
	if key == "" {
		return Purchase{}, &InvalidInputError{Field: "payment", Reason: "needs an idempotency key"}
	}
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return Purchase{}, err
	}
	if pay.Taken && strings.TrimSpace(pay.ProviderRef) == "" {
		return Purchase{}, &InvalidInputError{Field: "payment", Reason: "a payment taken needs its reference"}
	}
	if p, err := o.tx.PaymentByKey(key); err == nil {
		if p.ResidentID != res.ID || p.Quantity != qty || p.AmountPence != pay.Amount {
			return Purchase{}, &InvalidInputError{Field: "payment",
				Reason: "that payment reference was already used for a different purchase"}
		}
		return o.purchaseOf(p, true)
	} else if !errors.Is(err, ErrNotFound) {
		return Purchase{}, err
	}
	if pay.Taken {
		// A payment already refused stays refused, whatever changed since: its money is
		// owed back, never also turned into permits.
		if err := o.refundOf(pay.ProviderRef); err != nil {
			return Purchase{}, err
		}
	}
	q, err := o.quote(actor, res, qty)
	if err == nil && pay.Amount != q.Total {
		err = &PaymentMismatchError{Paid: pay.Amount, Due: q.Total}
	}
	if err != nil {
		var r Refusal
		if pay.Taken && pay.Amount > 0 && errors.As(err, &r) {
			return Purchase{}, o.refundDue(res, actor, qty, pay, err)
		}
		return Purchase{}, err
	}
	payment, err := o.tx.InsertPayment(Payment{ResidentID: res.ID, AmountPence: pay.Amount, Quantity: qty,
		ProviderRef: pay.ProviderRef, IdempotencyKey: key, Channel: actor.Channel, CreatedAt: o.now})
	if err != nil {
		return Purchase{}, fmt.Errorf("saving payment: %w", err)
	}
	out := Purchase{Payment: payment, AllowanceLeft: q.AllowanceLeft, RenewsOn: q.RenewsOn}
	expires := calendar.AddMonths(o.now, PermitValidityMonths)
	for range qty {
		p, err := o.tx.InsertPermit(Permit{ResidentID: res.ID, SchemeID: q.Scheme.ID, PaymentID: payment.ID,
			PurchasedAt: o.now, ExpiresAt: expires})
		if err != nil {
			return Purchase{}, fmt.Errorf("saving permit: %w", err)
		}
		out.Permits = append(out.Permits, p)
	}
	if err := o.audit(res.ID, actor, "permits.buy", "%s for %s (%s), valid to %s, payment %s",
		permitsWord(qty), q.Total, q.Scheme.Name, calendar.DateOf(expires), pay.ProviderRef); err != nil {
		return Purchase{}, err
	}
	if pay.Receipt != "" {
		if err := o.text(pay.Receipt, key, res, 0, o.now); err != nil {
			return Purchase{}, fmt.Errorf("queueing the receipt of payment %s: %w", pay.ProviderRef, err)
		}
	}
	return out, nil
}

func (o *Op) purchaseOf(p Payment, repeated bool) (Purchase, error) {
	permits, err := o.tx.PermitsForPayment(p.ID)
	if err != nil {
		return Purchase{}, err
	}
	start, end := PermitYear(p.CreatedAt)
	bought, err := o.tx.PermitsBought(p.ResidentID, start, end)
	if err != nil {
		return Purchase{}, err
	}
	return Purchase{Payment: p, Permits: permits, AllowanceLeft: PermitsPerYear - bought,
		RenewsOn: calendar.DateOf(end), Repeated: repeated}, nil
}

// QuotePermits checks and prices a purchase in its own transaction.
func (s *Service) QuotePermits(ctx context.Context, actor Actor, account string, qty int) (Quote, error) {
	var q Quote
	err := s.Update(ctx, func(o *Op) (err error) { q, err = o.QuotePermits(actor, account, qty); return err })
	return q, err
}

// BuyPermits records a purchase in its own transaction.
func (s *Service) BuyPermits(ctx context.Context, actor Actor, account string, qty int, pay PaymentIn) (Purchase, error) {
	var p Purchase
	err := s.Update(ctx, func(o *Op) (err error) { p, err = o.BuyPermits(actor, account, qty, pay); return err })
	return p, err
}

// Balance is an account's permits and allowance at a moment.
type Balance struct {
	Permits        []Permit // valid now, soonest expiry first
	VisitsLeft     int
	SoonestExpiry  time.Time // of a valid permit with visits left; zero if none
	BoughtThisYear int
	AllowanceLeft  int
	RenewsOn       calendar.Date
	Registration   Registration // zero if never registered
	Registered     bool         // the registration is valid now (R3)
}

// BalanceOf reads an account's balance at now.
func BalanceOf(r Reader, res Resident, now time.Time) (Balance, error) {
	var b Balance
	permits, err := r.PermitsExpiringAfter(res.ID, now)
	if err != nil {
		return b, err
	}
	for _, p := range permits {
		if !p.ValidAt(now) {
			continue
		}
		b.Permits = append(b.Permits, p)
		b.VisitsLeft += p.VisitsLeft()
		if p.VisitsLeft() > 0 && b.SoonestExpiry.IsZero() {
			b.SoonestExpiry = p.ExpiresAt
		}
	}
	start, end := PermitYear(now)
	if b.BoughtThisYear, err = r.PermitsBought(res.ID, start, end); err != nil {
		return b, err
	}
	b.AllowanceLeft = PermitsPerYear - b.BoughtThisYear
	b.RenewsOn = calendar.DateOf(end)
	reg, err := r.LatestRegistration(res.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return b, err
	}
	b.Registration, b.Registered = reg, err == nil && reg.ValidAt(now)
	return b, nil
}

// Balance returns an account's permits, visits left and allowance.
func (s *Service) Balance(ctx context.Context, actor Actor, account string) (Balance, error) {
	var b Balance
	err := s.viewAccount(ctx, actor, account, func(r Reader, res Resident) (err error) {
		b, err = BalanceOf(r, res, s.clock.Now())
		return err
	})
	return b, err
}
