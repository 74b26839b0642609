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
