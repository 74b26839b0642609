package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Refund is a payment taken whose permits could not be issued (R24): the money is owed
// back to the resident until an operator marks it settled. There is at most one per
// payment reference, recorded in the transaction that refused the purchase.
type Refund struct {
	ID          int64
	ResidentID  int64
	AmountPence Pence
	Quantity    int    // the permits that were paid for
	PaymentRef  string // the provider's reference of the payment, e.g. Twilio's PaymentConfirmationCode
	Rule        string // the rule that refused the permits (R3, R7...)
	Reason      string // the refusal in words
	Channel     Channel
	By          Actor // who paid
	CreatedAt   time.Time
	SettledAt   time.Time // zero while the refund is due
	SettledBy   string

	// Account and Name are the resident's, as read with the refund.
	Account, Name string
}

// Due reports whether the refund is still to be made.
func (r Refund) Due() bool { return r.SettledAt.IsZero() }

// RefundDueError says a payment was taken but the permits could not be issued, so a
// refund is due (R24). Cause is the refusal that stopped the purchase; it is nil when the
// refund had already been recorded for that payment (a repeat).
type RefundDueError struct {
	Refund Refund
	Cause  error
}

func (e *RefundDueError) Error() string {
	return fmt.Sprintf("R24: payment %s of %s was taken but the permits could not be issued (%s %s): a refund is due",
		e.Refund.PaymentRef, e.Refund.AmountPence, e.Refund.Rule, e.Refund.Reason)
}

// Rule returns "R24".
func (e *RefundDueError) Rule() string { return "R24" }

// Unwrap returns the refusal that stopped the purchase.
func (e *RefundDueError) Unwrap() error { return e.Cause }

// RefundSettledError says a refund was already marked settled.
type RefundSettledError struct{ Refund Refund }

func (e *RefundSettledError) Error() string {
	return fmt.Sprintf("R24: the refund of payment %s was already settled on %s by %s", e.Refund.PaymentRef,
		e.Refund.SettledAt.UTC().Format(time.RFC3339), e.Refund.SettledBy)
}

// Rule returns "R24".
func (e *RefundSettledError) Rule() string { return "R24" }

// refundDue records that the payment pay, taken for qty permits on the resident's account,
// is owed back because cause refused the permits, tells the resident by text, and returns
// the refusal to give (R24). A second refusal of the same payment records nothing more.
func (o *Op) refundDue(res Resident, actor Actor, qty int, pay PaymentIn, cause error) error {
	rule := RuleOf(cause)
	reason := strings.TrimPrefix(cause.Error(), rule+": ")
	rf, err := o.tx.InsertRefund(Refund{ResidentID: res.ID, AmountPence: pay.Amount, Quantity: qty,
		PaymentRef: pay.ProviderRef, Rule: rule, Reason: reason, Channel: actor.Channel, By: actor, CreatedAt: o.now})
	if errors.Is(err, ErrDuplicate) {
		if rf, err = o.tx.RefundByRef(pay.ProviderRef); err != nil {
			return err
		}
		return &RefundDueError{Refund: rf, Cause: cause}
	}
	if err != nil {
		return fmt.Errorf("recording the refund of payment %s: %w", pay.ProviderRef, err)
	}
	if err := o.audit(res.ID, actor, "refund.due", "payment %s of %s taken for %s, not issued (%s: %s): refund due",
		rf.PaymentRef, rf.AmountPence, permitsWord(qty), rule, reason); err != nil {
		return err
	}
	if err := o.text(NoticeRefundDue, rf.PaymentRef, res, 0, o.now); err != nil {
		return fmt.Errorf("queueing the text of refund %s: %w", rf.PaymentRef, err)
	}
	return &RefundDueError{Refund: rf, Cause: cause}
}

// refundOf returns the refund already recorded for a payment reference, as the refusal a
// repeat of that payment gets, or nil when there is none.
func (o *Op) refundOf(ref string) error {
	rf, err := o.tx.RefundByRef(ref)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return &RefundDueError{Refund: rf}
}

// mayHandleRefunds says whether actor may see and settle refunds: the helpdesk and the
// back office, never a resident.
func mayHandleRefunds(actor Actor) error {
	if actor.Kind == ActorAdmin || actor.Kind == ActorAgent {
		return nil
	}
	return &NotPermittedError{Need: PermView}
}

// maxRefunds bounds a list of refunds.
const maxRefunds = 1000

// Refunds lists the refunds still due, oldest first, or all of them with settled.
func (s *Service) Refunds(ctx context.Context, actor Actor, settled bool) ([]Refund, error) {
	if err := mayHandleRefunds(actor); err != nil {
		return nil, err
	}
	var out []Refund
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.Refunds(settled, maxRefunds); return err })
	return out, err
}

// RefundsDue lists the refunds still to be made, oldest first.
func (s *Service) RefundsDue(ctx context.Context, actor Actor) ([]Refund, error) {
	return s.Refunds(ctx, actor, false)
}

// SettleRefund marks the refund of payment ref as made, by actor, in the resident's audit.
// An unknown reference is ErrNotFound; a refund already settled is a RefundSettledError.
func (s *Service) SettleRefund(ctx context.Context, actor Actor, ref string) (Refund, error) {
	if err := mayHandleRefunds(actor); err != nil {
		return Refund{}, err
	}
	ref = strings.TrimSpace(ref)
	var rf Refund
	err := s.Update(ctx, func(o *Op) (err error) {
		if rf, err = o.tx.RefundByRef(ref); err != nil {
			return fmt.Errorf("refund of payment %q: %w", ref, err)
		}
		if !rf.Due() {
			return &RefundSettledError{Refund: rf}
		}
		by := actor.Name
		if by == "" {
			by = string(actor.Kind)
		}
		if err := o.tx.SettleRefund(ref, o.now, by); err != nil {
			return err
		}
		rf.SettledAt, rf.SettledBy = o.now, by
		return o.audit(rf.ResidentID, actor, "refund.settle", "refund of %s for payment %s settled by %s",
			rf.AmountPence, rf.PaymentRef, by)
	})
	return rf, err
}
