// Package ivr is the voice channel: it answers Twilio's voice webhooks, turns each
// request into an input for the flows, and renders the flows' replies as TwiML built
// with twilio-go's twiml package. The call's life between webhooks (load, replay of a
// repeated step, the versioned save, the kept reply) is flows/runner's: a step here is
// input in, runner.Step, TwiML out.
package ivr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/domain/phone"
	"permitline/flows"
	"permitline/flows/runner"
)

// Config is how the voice channel is set up.
type Config struct {
	// PublicURL is the base URL Twilio reaches the service at (scheme, host, port),
	// used for signatures and for every URL in the TwiML.
	PublicURL string
	Voice     Voice
}

// Handler answers the voice webhooks.
type Handler struct {
	cfg    Config
	svc    *domain.Service
	log    *slog.Logger
	runner *runner.Runner
}

// NewHandler returns the voice channel's handler.
func NewHandler(cfg Config, svc *domain.Service, engine *flows.Engine, log *slog.Logger) *Handler {
	cfg.Voice = cfg.Voice.orDefaults()
	h := &Handler{cfg: cfg, svc: svc, log: log}
	h.runner = runner.New(runner.Config{Svc: svc, Engine: engine, Channel: domain.ChannelVoice, TTL: conversationTTL,
		Render: h.render, Transfer: h.transfer})
	return h
}

// conversationTTL is how long a call's conversation is kept once it is no longer moving.
const conversationTTL = 24 * time.Hour

// Incoming answers POST /twilio/voice: a call comes in.
func (h *Handler) Incoming(ctx context.Context, log *slog.Logger, f CallForm) (string, error) {
	return h.serveStep(ctx, log, f, 0, flows.Input{})
}

// Step answers POST /twilio/voice/step?s=N: an answer to step N (a <Gather> or <Pay>
// action, or the <Redirect> that follows a <Gather> nobody answered).
func (h *Handler) Step(ctx context.Context, log *slog.Logger, f StepForm) (string, error) {
	return h.serveStep(ctx, log, f.CallForm, f.Step, f.Input())
}

// serveStep runs one step of a call and returns its TwiML.
func (h *Handler) serveStep(ctx context.Context, log *slog.Logger, f CallForm, step int, in flows.Input) (string, error) {
	log = log.With("step", step)
	doc, err := h.run(ctx, log, f.CallSid, f.From, step, in)
	if errors.Is(err, runner.ErrAhead) {
		return "", badRequest{err}
	}
	if err != nil {
		return "", fmt.Errorf("answering step %d: %w", step, err)
	}
	return doc, nil
}

// Fallback is the answer when a webhook could not be answered: an apology, and the
// helpdesk when it is open.
func (h *Handler) Fallback() string {
	return fallback(h.cfg.Voice, h.cfg.PublicURL, h.svc.Helpdesk().IsOpen(h.svc.Now()))
}

// badRequest is a webhook the line cannot answer as asked (a step ahead of the call):
// the request's fault, answered 400 rather than with the fallback.
type badRequest struct{ error }

// StatusCode is the HTTP status of the refusal.
func (badRequest) StatusCode() int { return http.StatusBadRequest }

// run answers step of the call callSid from the caller from with in, and returns its
// TwiML. runner.ErrAhead: a step the call never reached.
func (h *Handler) run(ctx context.Context, log *slog.Logger, callSid, from string, step int, in flows.Input) (string, error) {
	res, err := h.runner.Step(ctx, callSid, step, in, flows.Data{From: from})
	switch {
	case err != nil:
		return "", err
	case res.Repeat && res.OtherInput:
		log.Warn("a step already answered came again with other input; answered as the first time")
	case res.Repeat:
		log.Info("repeated step answered again")
	case res.Acted:
		log.Info("a payment result after the call ended", "result", in.Pay.Result, "flow", res.Flow, "state", res.State)
	case res.Late:
		log.Info("a step after the call ended: hung up")
	default:
		log.Info("step", "flow", res.Flow, "state", res.State, "from", phone.Mask(from))
	}
	return res.Doc, nil
}

// render is the voice channel's document for a reply (runner.Config.Render).
func (h *Handler) render(reply flows.Reply, step int, now time.Time) (string, error) {
	return renderer{voice: h.cfg.Voice, base: h.cfg.PublicURL, step: step, now: now}.render(reply)
}

// transfer records the call's whole context for the agent who takes it.
func (h *Handler) transfer(op *domain.Op, sess *flows.Session, reason string) error {
	ctxJSON, err := json.Marshal(struct {
		VRM         string        `json:"vrm,omitempty"`
		Date        string        `json:"date,omitempty"`
		Quantity    int           `json:"quantity,omitempty"`
		LastFailure string        `json:"last_failure,omitempty"`
		History     []flows.Event `json:"history"`
	}{sess.Data.VRM, sess.Data.Date, sess.Data.Quantity, sess.Data.LastFailure, sess.Data.History})
	if err != nil {
		return err
	}
	in := domain.TransferIn{CallSid: sess.Data.Key, From: sess.Data.From, Caller: sess.Data.Caller,
		Verified: sess.Data.Verified, Flow: sess.Flow, State: sess.State, Reason: reason, Context: ctxJSON}
	// Where the caller was: the last step before asking for the helpdesk.
	for i := len(sess.Data.History) - 1; i >= 0; i-- {
		if ev := sess.Data.History[i]; ev.Flow != flows.FlowHelpdesk {
			in.Flow, in.State = ev.Flow, ev.State
			break
		}
	}
	_, err = op.QueueTransfer(in)
	return err
}

// hangup is the answer to a webhook for a call that has already ended.
func hangup() string {
	doc, err := twiml.Voice([]twiml.Element{&twiml.VoiceHangup{}})
	if err != nil {
		panic("rendering a lone <Hangup>: " + err.Error()) // a constant document: cannot fail
	}
	return doc
}
