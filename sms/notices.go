package sms

import (
	"fmt"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// Notice writes the text for an outgoing notice at the moment it is sent. A reminder for
// a visit since cancelled, or whose day has passed, is not sent (send is false). Like a
// reply, a notice is GSM-7 within two segments.
func Notice(r domain.Reader, m domain.Outgoing, now time.Time) (body string, send bool, err error) {
	body, send, err = notice(r, m, now)
	body, _ = fit(body)
	return body, send, err
}

func notice(r domain.Reader, m domain.Outgoing, now time.Time) (body string, send bool, err error) {
	switch m.Kind {
	case domain.NoticePermitsAdded, domain.NoticeRefundDue, domain.NoticeReceipt:
		return paymentNotice(r, m, now)
	case domain.NoticeCallbackFailed:
		return fmt.Sprintf("Visitor permit line: we tried to call you back %d times but could not reach you. "+
			"Please call the helpdesk on %s when it suits you, or call this line for self-service at any time.",
			domain.CallbackAttempts, domain.HelpdeskPhone), true, nil
	case domain.NoticePINReset:
		return "Visitor permit line: the helpdesk has reset your phone PIN. A new one is chosen on the call. " +
			"If this was not you, call the helpdesk on " + domain.HelpdeskPhone + ".", true, nil
	case domain.NoticeRegisterHelp:
		return registerHelp(now), true, nil
	case domain.NoticePINChosen:
		return "Visitor permit line: a new phone PIN was chosen on your account. " +
			"If this was not you, call the helpdesk on " + domain.HelpdeskPhone + ".", true, nil
	}
	v, err := r.VisitByID(m.VisitID)
	if err != nil {
		return "", false, fmt.Errorf("visit %d of text %d: %w", m.VisitID, m.ID, err)
	}
	today := calendar.DateOf(now)
	switch m.Kind {
	case domain.NoticeActivated:
		if v.Status != domain.VisitActive {
			return "", false, nil
		}
		s := fmt.Sprintf("Visitor permit: %s booked %s, %s-%s. Ref %s.", plate(v.VRM), relDay(v.Date, today),
			clock(v.StartsAt), clock(v.EndsAt), v.Ref)
		if v.CancelDeadline().After(now) {
			s += fmt.Sprintf(" To cancel by %s, text UNDO %s", when(v.CancelDeadline(), now), v.Ref)
		}
		return s, true, nil
	case domain.NoticeCancelled:
		return fmt.Sprintf("Visitor permit: visit %s for %s on %s is cancelled, and the visit is back on your permit.",
			v.Ref, plate(v.VRM), day(v.Date, today)), true, nil
	case domain.NoticeReminder:
		if v.Status != domain.VisitActive || v.Date != today {
			return "", false, nil
		}
		return fmt.Sprintf("Reminder: %s has a visitor permit today, %s-%s. Ref %s.", plate(v.VRM),
			clock(v.StartsAt), clock(v.EndsAt), v.Ref), true, nil
	}
	return "", false, fmt.Errorf("text %d: unknown kind %q", m.ID, m.Kind)
}

// paymentNotice writes the text about a payment: permits added after the call that paid
// for them ended, or a refund due for a payment whose permits could not be issued (R24).
func paymentNotice(r domain.Reader, m domain.Outgoing, now time.Time) (string, bool, error) {
	today := calendar.DateOf(now)
	if m.Kind == domain.NoticePermitsAdded || m.Kind == domain.NoticeReceipt {
		p, err := r.PaymentByKey(m.PaymentRef())
		if err != nil {
			return "", false, fmt.Errorf("payment %s of text %d: %w", m.PaymentRef(), m.ID, err)
		}
		permits, err := r.PermitsForPayment(p.ID)
		if err != nil || len(permits) == 0 {
			return "", false, fmt.Errorf("permits of payment %s of text %d: %v", p.ProviderRef, m.ID, err)
		}
		if m.Kind == domain.NoticeReceipt {
			return receipt(p, permits, today), true, nil
		}
		return fmt.Sprintf("Visitor permits: your payment of %s (ref %s) went through after the call ended. "+
			"%s now on your account, valid until %s.", p.AmountPence, p.ProviderRef,
			plural(len(permits), "permit is", "permits are"), day(calendar.DateOf(permits[0].ExpiresAt), today)), true, nil
	}
	rf, err := r.RefundByRef(m.PaymentRef())
	if err != nil {
		return "", false, fmt.Errorf("refund %s of text %d: %w", m.PaymentRef(), m.ID, err)
	}
	if !rf.Due() {
		return "", false, nil // already refunded: nothing to announce
	}
	return fmt.Sprintf("Visitor permits: your payment of %s (ref %s) was taken, but the permits could not be added: %s. "+
		"A refund of %s is due and will be made to your card. Helpdesk %s.", rf.AmountPence, rf.PaymentRef,
		refundReason(rf.Rule), rf.AmountPence, Helpdesk), true, nil
}

// refundReason says in a few words why paid permits could not be issued.
func refundReason(rule string) string {
	switch rule {
	case "R3":
		return "your registration is not valid now"
	case "R5":
		return "your access to the account does not allow buying"
	case "R7":
		return "it would pass the allowance of 20 permits a year"
	}
	return "they could not be issued"
}

// receipt writes the receipt of permits bought on a call: what was bought, for how much,
// until when, the payment's reference and that permits are not refundable (R10).
func receipt(p domain.Payment, permits []domain.Permit, today calendar.Date) string {
	return fmt.Sprintf("Visitor permits receipt: %s for %s (%s each), paid by card, ref %s. "+
		"%d visits each, valid until %s. No refunds or exchanges.",
		plural(len(permits), "permit", "permits"), p.AmountPence, domain.PermitPrice, p.ProviderRef,
		domain.VisitsPerPermit, day(calendar.DateOf(permits[0].ExpiresAt), today))
}

// registerHelp writes the text of how to register that a caller asked for on the phone
// line: the council's route, by post too, and the helpdesk's number and hours (R22).
func registerHelp(now time.Time) string {
	return "Visitor permits: register at mipermit.com (Cambridgeshire County Council Digital Permits), " +
		"or post proof of address to Parking Permits, PO Box 761, Huntingdon, PE29 9QR. Help registering: helpdesk " +
		Helpdesk + ", " + weekText(calendar.HelpdeskWeek(), calendar.DateOf(now)) + "."
}
