// Package sms is the text channel: it answers Twilio's incoming-message webhook with one
// short reply in TwiML, and writes the texts the service sends by itself. A text that
// reads as a command starts that command's flow of the text engine (flows.NewTextEngine),
// replacing any conversation that waited; any other text answers the conversation that
// waits, saved between texts by flows/runner and expiring after 15 minutes of silence. A
// message Twilio delivers twice is answered as the first time and acted on once.
package sms

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/flows"
	"permitline/flows/runner"
	"permitline/sms/command"
)

// ConversationTTL is how long a text conversation waits for the next text.
const ConversationTTL = 15 * time.Minute

// Handler answers the text webhooks.
type Handler struct {
	svc *domain.Service
	run *runner.Runner
	log *slog.Logger
}

// NewHandler returns the text channel's handler.
func NewHandler(svc *domain.Service, log *slog.Logger) *Handler {
	return &Handler{svc: svc, log: log, run: runner.New(runner.Config{Svc: svc, Engine: flows.NewTextEngine(),
		Channel: domain.ChannelSMS, TTL: ConversationTTL})}
}

// Incoming answers POST /twilio/sms: a text arrived.
func (h *Handler) Incoming(ctx context.Context, log *slog.Logger, f MessageForm) (string, error) {
	in := incoming{sid: f.MessageSid, from: f.From, to: f.To, body: f.Body, optOutType: f.OptOutType}
	log = log.With("from", phone.Mask(f.From))
	out, repeat, err := h.answer(ctx, log, in)
	if repeat {
		log.Info("repeated text answered again")
	}
	if err != nil {
		return "", err
	}
	if fitted, changed := fit(out); changed {
		// Every reply is written to fit; this is the last guard against paying for more.
		log.Error("reply was not GSM-7 within two segments; cut", "septets", septets(out), "segments", Segments(out))
		out = fitted
	}
	doc, err := messageTwiML(out)
	if err != nil {
		return "", err
	}
	log.Info("text answered")
	return doc, nil
}

// Fallback is the answer when a text could not be answered: an apology, and nothing changed.
func (h *Handler) Fallback() string {
	doc, err := messageTwiML(errorReply)
	if err != nil {
		panic("rendering the apology: " + err.Error()) // a constant document: cannot fail
	}
	return doc
}

// incoming is one text as Twilio posts it.
type incoming struct {
	sid, from, to, body string
	// optOutType is Twilio's OptOutType (STOP, START or HELP), sent only by a Messaging
	// Service with Advanced Opt-Out when the text is one of its keywords.
	optOutType string
}

// messageTwiML is the reply as TwiML; an empty reply sends nothing back.
func messageTwiML(body string) (string, error) {
	if body == "" {
		return twiml.Messages(nil)
	}
	return twiml.Messages([]twiml.Element{&twiml.MessagingMessage{Body: body}})
}

// answer acts on one text and returns the reply, in one transaction with the record of
// the text, so a repeat gets the same reply and does nothing twice.
func (h *Handler) answer(ctx context.Context, log *slog.Logger, in incoming) (out string, repeat bool, err error) {
	err = h.svc.Update(ctx, func(op *domain.Op) error {
		seen, ok, err := op.TextAnswered(in.sid)
		if ok || err != nil {
			out, repeat = seen.Reply, ok
			return err
		}
		if out, err = h.act(ctx, op, log, in); err != nil {
			return err
		}
		return op.RecordText(domain.SentText{MessageSid: in.sid, From: in.from, Body: in.body, Reply: out})
	})
	return out, repeat, err
}

// keyword reads a text as one of Twilio's opt-out, opt-in or help keywords, setting
// cmd.Kind to OptOut, OptIn or Help; it reports whether cmd was a Yes that became an
// opt-in.
//
// Twilio's OptOutType, where present, decides whatever the body says: the account's
// Advanced Opt-Out may have keywords of its own (https://help.twilio.com/articles/
// 31560110671259). Without it, the body's own words decide, and a whole-message YES is an
// opt-in only from a number that is opted out (in our store): Twilio's default handling
// takes YES as an opt-in word too, and someone who opted out is answering nothing else.
//
// Decision: an opt-in wins over a pending question. A YES that opts a number back in
// (OptOutType=START, or a YES from an opted-out number) never also confirms a visit waiting
// for one; the visit stays waiting, and the reply says to text CONFIRM to book it. A YES
// from a number that is not opted out, without OptOutType, answers the question as before.
func keyword(op *domain.Op, log *slog.Logger, e164, optOutType, body string, cmd *command.Command) (yesOptIn bool, err error) {
	was := cmd.Kind
	switch t := strings.ToUpper(strings.TrimSpace(optOutType)); t {
	case "STOP":
		cmd.Kind = command.OptOut
	case "START":
		cmd.Kind = command.OptIn
	case "HELP":
		cmd.Kind = command.Help
	case "":
		if cmd.Kind != command.Yes || !command.IsOptInWord(body) || e164 == "" {
			return false, nil
		}
		out, err := op.OptedOut(e164)
		if err != nil || !out {
			return false, err
		}
		cmd.Kind = command.OptIn
	default:
		log.Warn("unknown OptOutType; reading the text as it is", "opt_out_type", t)
	}
	return was == command.Yes && cmd.Kind == command.OptIn, nil
}

// act decides what a text means and does it.
func (h *Handler) act(ctx context.Context, op *domain.Op, log *slog.Logger, in incoming) (string, error) {
	now := op.Now()
	cmd := command.Parse(in.body, calendar.DateOf(now))
	e164, perr := phone.Parse(in.from)
	if perr != nil {
		e164 = ""
	}
	yesOptIn, err := keyword(op, log, e164, in.optOutType, in.body, &cmd)
	if err != nil {
		return "", err
	}
	switch cmd.Kind {
	case command.OptOut:
		// Twilio confirms opt-outs itself, and blocks any reply to them: answer no <Message>.
		if e164 == "" {
			return "", nil
		}
		return "", op.SetOptOut(e164, true)
	case command.OptIn:
		// Twilio confirms opt-ins itself too.
		if e164 == "" {
			return "", nil
		}
		if err := op.SetOptOut(e164, false); err != nil {
			return "", err
		}
		if yesOptIn {
			return h.optedInWithYes(op, e164+"|"+in.to)
		}
		return "", nil
	}
	if perr != nil {
		return unknownSender, nil
	}
	callers, err := op.CallersByPhone(e164)
	if err != nil {
		return "", err
	}
	if len(callers) == 0 {
		return unknownSender, nil
	}
	key := e164 + "|" + in.to
	// A text that reads as a command starts that command, replacing whatever conversation
	// was waiting; anything else is an answer, when a conversation waits for one.
	start := started(cmd, e164, callers[0]) // a resident before a member
	rep, live, err := h.run.In(ctx, op, key, start, answerOf(cmd))
	switch {
	case err != nil:
		return "", err
	case !live && (cmd.Kind == command.Yes || cmd.Kind == command.No):
		return "That request has expired, or there was none. Text VISITOR and the registration to start again.", nil
	case !live:
		return notUnderstood, nil
	}
	return reply(rep, now)
}

// commands are the flows the text commands start.
var commands = map[command.Kind]flows.Command{
	command.Activate: flows.CommandActivate, command.Cancel: flows.CommandCancel, command.Balance: flows.CommandBalance,
	command.Visits: flows.CommandVisits, command.Hours: flows.CommandHours, command.Help: flows.CommandHelp,
}

// started returns the start of the conversation a command begins (the runner sets its
// channel and key), nil for a text that is no command.
func started(cmd command.Command, e164 string, caller domain.Caller) *flows.Data {
	c, ok := commands[cmd.Kind]
	if !ok {
		return nil
	}
	d := &flows.Data{From: e164, Caller: &caller, Verified: true, Command: c,
		VRM: cmd.VRM, DateText: cmd.DateText, Ref: cmd.Ref}
	if !cmd.Date.IsZero() {
		d.Date = cmd.Date.String()
	}
	return d
}

// answerOf is a text that is no command as an answer to the conversation waiting.
func answerOf(cmd command.Command) flows.Input {
	switch cmd.Kind {
	case command.Yes:
		return flows.Input{Kind: flows.InputYes, Text: cmd.Text}
	case command.No:
		return flows.Input{Kind: flows.InputNo, Text: cmd.Text}
	}
	return flows.Input{Kind: flows.InputText, Text: cmd.Text}
}

// optedInWithYes answers a YES that opted the number back in: nothing, unless a visit
// waits for a yes, which the opt-in did not give (see keyword).
func (h *Handler) optedInWithYes(op *domain.Op, key string) (string, error) {
	sess, live, err := h.run.Live(op, key)
	if err != nil || !live || sess.Flow != flows.FlowActivate || sess.State != string(flows.TextActivateConfirm) {
		return "", err
	}
	return optedInNotBooked, nil
}

const (
	unknownSender = "This number isn't registered for visitor permits. To register, go to mipermit.com or call " +
		Helpdesk + "."
	notUnderstood = "Sorry, I didn't understand that. Text VISITOR and the registration, e.g. VISITOR AB12CDE, or HELP."
	errorReply    = "Sorry, something went wrong on our side and nothing was changed. Please try again, or call " +
		Helpdesk + "."
	// optedInNotBooked answers a YES taken as an opt-in while a visit waits for a yes.
	optedInNotBooked = "You'll get our texts again. Your visit is not booked yet: reply CONFIRM to book it, or NO to stop."
	helpText         = "Text VISITOR AB12CDE to park today, or add a date (VISITOR AB12CDE SAT). UNDO and a reference " +
		"cancels. Also BAL, VISITS, HOURS."
)
