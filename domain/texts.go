package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain/calendar"
	"permitline/domain/phone"
)

// NoticeKind says what an outgoing text reports.
type NoticeKind string

// The texts the service sends by itself.
const (
	NoticeActivated NoticeKind = "visit_activated" // a visit activated by phone or by an agent
	NoticeCancelled NoticeKind = "visit_cancelled" // a visit cancelled by phone or by an agent
	NoticeReminder  NoticeKind = "visit_reminder"  // the morning of a visit booked ahead
	// NoticePermitsAdded reports permits bought by phone whose payment result came after the
	// call ended; NoticeRefundDue, a payment taken whose permits could not be issued (R24).
	// Their key names the payment (Outgoing.PaymentRef): its idempotency key for permits
	// added, which on the phone is the payment reference, and its reference for a refund.
	NoticePermitsAdded NoticeKind = "permits_added"
	NoticeRefundDue    NoticeKind = "refund_due"
	// NoticeReceipt is the receipt of permits bought on a call that heard the payment go
	// through; its key names the payment as NoticePermitsAdded's does.
	NoticeReceipt NoticeKind = "permits_receipt"
)

// OutboxStatus is where an outgoing text stands.
type OutboxStatus string

// The states of an outgoing text.
const (
	OutboxPending OutboxStatus = "pending" // waiting to be sent, or to be retried
	OutboxSending OutboxStatus = "sending" // handed to the provider; its answer not yet recorded
	OutboxSent    OutboxStatus = "sent"    // accepted by the provider
	OutboxSkipped OutboxStatus = "skipped" // no longer to be sent (the visit was cancelled, the number opted out)
	OutboxFailed  OutboxStatus = "failed"  // given up after repeated failures
)

// Outgoing is a text waiting in the outbox, written in the same transaction as the change it
// reports, so a change is never made without its text nor a text sent for a change undone.
// The words are chosen by the text channel when it is sent.
type Outgoing struct {
	ID         int64
	Key        string // one text per key: e.g. "visit_activated:K7P9QD"
	Kind       NoticeKind
	To         string // E.164 mobile
	ResidentID int64
	VisitID    int64
	NotBefore  time.Time // not sent before this instant (reminders)
	Status     OutboxStatus
	Attempts   int
	NextTry    time.Time
	LastError  string
	// ProviderSid is the provider's id of the message, once accepted; DeliveryStatus is the
	// last status the provider reported for it (queued, sent, delivered, undelivered, failed).
	ProviderSid    string
	DeliveryStatus string
	Body           string // the words sent, once sent
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ReminderHour is the London hour a reminder goes out on the morning of a visit booked ahead.
const ReminderHour = 7

// notify queues the text that reports a visit to the resident's mobile, unless the
// resident has no mobile or has opted out of texts from the line.
func (o *Op) notify(kind NoticeKind, v Visit, notBefore time.Time) error {
	res, err := o.tx.ResidentByID(v.ResidentID)
	if err != nil {
		return err
	}
	return o.text(kind, v.Ref, res, v.ID, notBefore)
}

// text queues a text of kind about subject (a visit's or a payment's reference) to the
// resident's mobile, once per kind and subject, unless the resident has no mobile or has
// opted out of texts from the line.
func (o *Op) text(kind NoticeKind, subject string, res Resident, visitID int64, notBefore time.Time) error {
	if !phone.IsMobile(res.Phone) {
		return nil
	}
	if out, err := o.tx.OptedOut(res.Phone); err != nil || out {
		return err
	}
	_, err := o.tx.InsertOutgoing(Outgoing{Key: string(kind) + ":" + subject, Kind: kind, To: res.Phone,
		ResidentID: res.ID, VisitID: visitID, NotBefore: notBefore, Status: OutboxPending, NextTry: notBefore,
		CreatedAt: o.now, UpdatedAt: o.now})
	return err
}

// PaymentRef returns the payment reference a text about a payment reports (its key after
// the kind), or "" for a text about a visit.
func (m Outgoing) PaymentRef() string {
	if m.Kind != NoticePermitsAdded && m.Kind != NoticeRefundDue && m.Kind != NoticeReceipt {
		return ""
	}
	return strings.TrimPrefix(m.Key, string(m.Kind)+":")
}

// afterActivation queues a confirmation for visits activated by phone or by an agent (a
// text activation is confirmed in the reply), and a reminder for a visit booked ahead.
func (o *Op) afterActivation(v Visit) error {
	if v.By.Channel == ChannelVoice || v.By.Channel == ChannelAgent {
		if err := o.notify(NoticeActivated, v, o.now); err != nil {
			return fmt.Errorf("queueing the confirmation of %s: %w", v.Ref, err)
		}
	}
	if today := calendar.DateOf(o.now); v.Date.After(today) {
		if err := o.notify(NoticeReminder, v, v.Date.At(ReminderHour, 0)); err != nil {
			return fmt.Errorf("queueing the reminder of %s: %w", v.Ref, err)
		}
	}
	return nil
}

// afterCancellation queues a confirmation for visits cancelled by phone or by an agent.
func (o *Op) afterCancellation(v Visit, by Actor) error {
	if by.Channel != ChannelVoice && by.Channel != ChannelAgent {
		return nil
	}
	return o.notify(NoticeCancelled, v, o.now)
}

// SetOptOut records that a number opted out of texts (the carrier's STOP words) or back in
// (START, UNSTOP). An opted-out number is sent nothing, and its queued texts are dropped.
func (o *Op) SetOptOut(e164 string, out bool) error {
	if err := o.tx.SetOptedOut(e164, out, o.now); err != nil {
		return err
	}
	if out {
		return o.tx.SkipOutgoingTo(e164, o.now)
	}
	return nil
}

// SentText is a text message the line received, with the reply it gave: a message the
// provider delivers twice is answered the same way and acted on once.
type SentText struct {
	MessageSid string
	From       string
	Body       string
	Reply      string
	CreatedAt  time.Time
}

// ErrDuplicate is returned when a record with the same unique key exists.
var ErrDuplicate = errors.New("already recorded")

// OptedOut reports whether a number has opted out of texts.
func (o *Op) OptedOut(e164 string) (bool, error) { return o.tx.OptedOut(e164) }

// TextAnswered returns the text the line already received under messageSid, with the
// reply it gave; false when it is new.
func (o *Op) TextAnswered(messageSid string) (SentText, bool, error) {
	t, err := o.tx.TextByMessageSid(messageSid)
	if errors.Is(err, ErrNotFound) {
		return SentText{}, false, nil
	}
	return t, err == nil, err
}

// RecordText keeps a text received and the reply given, so that a repeat of it is
// answered the same and acted on once; t.CreatedAt is the step's instant.
func (o *Op) RecordText(t SentText) error {
	t.CreatedAt = o.now
	return o.tx.InsertText(t)
}
