package sms

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// The text webhooks' forms, their fields named after Twilio's parameters. Each decoder
// takes the form of a request already checked as Twilio's (the signature, the account,
// every Sid's shape: the route wrapper does that for every webhook) and the query of the
// URL Twilio was given, and refuses what the route cannot answer: the error is the
// request's fault, answered 400.
// https://www.twilio.com/docs/messaging/guides/webhook-request

// MessageForm is an incoming text.
type MessageForm struct {
	MessageSid string
	AccountSid string
	From       string
	To         string
	Body       string
	// OptOutType is STOP, START or HELP, sent only by a Messaging Service with Advanced
	// Opt-Out when the text is one of its keywords.
	OptOutType string
}

// DecodeMessage reads POST /twilio/sms: a text without a MessageSid or a sender is none
// Twilio sends.
func DecodeMessage(_, form url.Values) (MessageForm, error) {
	f := MessageForm{MessageSid: form.Get("MessageSid"), AccountSid: form.Get("AccountSid"), From: form.Get("From"),
		To: form.Get("To"), Body: form.Get("Body"), OptOutType: form.Get("OptOutType")}
	if f.MessageSid == "" || f.From == "" {
		return MessageForm{}, errors.New("missing MessageSid or From")
	}
	return f, nil
}

// OutboxParam is the query parameter of the status callback URL the line gives each text
// it sends: the outbox row it was sent for.
const OutboxParam = "outbox"

// StatusForm is Twilio's delivery status callback of a text the line sent.
// https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
type StatusForm struct {
	MessageSid    string
	AccountSid    string
	MessageStatus string // lower case: queued, sending, sent, delivered, undelivered, failed...
	ErrorCode     string // "" or "0": none
	// Outbox is the row ?outbox= names; 0: none.
	Outbox int64
}

// DecodeStatus reads POST /twilio/sms/status?outbox=ID. SmsSid and SmsStatus, the older
// names Twilio still sends, stand in for a MessageSid or MessageStatus not sent.
func DecodeStatus(query, form url.Values) (StatusForm, error) {
	f := StatusForm{MessageSid: form.Get("MessageSid"), AccountSid: form.Get("AccountSid"),
		MessageStatus: strings.ToLower(form.Get("MessageStatus")), ErrorCode: form.Get("ErrorCode")}
	if f.MessageSid == "" {
		f.MessageSid = form.Get("SmsSid")
	}
	if f.MessageStatus == "" {
		f.MessageStatus = strings.ToLower(form.Get("SmsStatus"))
	}
	if f.MessageSid == "" || f.MessageStatus == "" {
		return StatusForm{}, errors.New("MessageSid and MessageStatus are required")
	}
	f.Outbox, _ = strconv.ParseInt(query.Get(OutboxParam), 10, 64)
	return f, nil
}
