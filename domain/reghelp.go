package domain

import (
	"errors"
	"fmt"

	"permitline/domain/phone"
)

// NoticeRegisterHelp is the text of how to register (the council's route, the helpdesk's
// number and hours, R22) sent to a caller not registered yet who asked for it on the
// phone line's newcomer menu. It has no resident: its key names the call.
const NoticeRegisterHelp NoticeKind = "register_help"

// ErrCannotText is returned when registration help is asked for by text for a number the
// line does not text: withheld, not a UK mobile, or opted out of texts.
var ErrCannotText = errors.New("the caller's number is not a UK mobile the line can text")

// RegisterHelpText is the text of how to register queued for a call.
type RegisterHelpText struct {
	Outgoing
	// Queued is true when this request queued it, false when an earlier one on the same
	// call had: nothing more was queued or audited.
	Queued bool
}

// RegisterHelpTo returns the number a caller calling from from (Twilio's From) can be
// texted how to register on: a UK (+44) mobile that has not opted out of texts from the
// line. ok is false for a withheld number, a
// landline, a foreign number or one that opted out.
func (o *Op) RegisterHelpTo(from string) (e164 string, ok bool, err error) {
	e164, err = phone.Parse(from)
	if err != nil {
		return "", false, nil
	}
	if uk, _ := phone.Callable(e164); !uk || !phone.IsMobile(e164) {
		return "", false, nil
	}
	out, err := o.tx.OptedOut(e164)
	if err != nil {
		return "", false, fmt.Errorf("checking %s has not opted out: %w", phone.Mask(e164), err)
	}
	return e164, !out, nil
}

// TextRegisterHelp queues the text of how to register to the mobile of the call callSid,
// from from, once per call: the outbox's key is the CallSid, so a repeated webhook or a
// second request on the call queues nothing more (Queued false). Queueing it is audited,
// with the number masked; the caller is not identified, so the entry names no account.
// ErrCannotText when the number is not one RegisterHelpTo allows.
func (o *Op) TextRegisterHelp(callSid, from string) (RegisterHelpText, error) {
	if callSid == "" {
		return RegisterHelpText{}, &InvalidInputError{Field: "call", Reason: "has no CallSid"}
	}
	to, ok, err := o.RegisterHelpTo(from)
	if err != nil {
		return RegisterHelpText{}, err
	}
	if !ok {
		return RegisterHelpText{}, ErrCannotText
	}
	key := string(NoticeRegisterHelp) + ":" + callSid
	// Updates run one at a time, so a text not under the key now is this request's to queue.
	switch m, err := o.tx.OutgoingByKey(key); {
	case err == nil:
		return RegisterHelpText{Outgoing: m}, nil
	case !errors.Is(err, ErrNotFound):
		return RegisterHelpText{}, fmt.Errorf("looking for the registration help of call %s: %w", callSid, err)
	}
	m, err := o.tx.InsertOutgoing(Outgoing{Key: key, Kind: NoticeRegisterHelp,
		To: to, NotBefore: o.now, Status: OutboxPending, NextTry: o.now, CreatedAt: o.now, UpdatedAt: o.now})
	if err != nil {
		return RegisterHelpText{}, fmt.Errorf("queueing the registration help for call %s: %w", callSid, err)
	}
	return RegisterHelpText{Outgoing: m, Queued: true}, o.audit(0, Actor{Channel: ChannelVoice}, "text.register_help",
		"how to register texted to %s, asked on call %s", phone.Mask(to), callSid)
}
