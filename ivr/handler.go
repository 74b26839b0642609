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
	"log/slog"
	"net/http"
	"strconv"
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
		Render: h.render, Transfer: func(op *domain.Op, sess *flows.Session, reason string) error {
			return h.transfer(op, sess, reason, sess.Data.From)
		}})
	return h
}

// conversationTTL is how long a call's conversation is kept once it is no longer moving.
const conversationTTL = 24 * time.Hour

// Incoming answers POST /twilio/voice: a call comes in.
func (h *Handler) Incoming(w http.ResponseWriter, r *http.Request) {
	h.serveStep(w, r, 0, flows.Input{})
}

// Step answers POST /twilio/voice/step?s=N: an answer to step N (a <Gather> or <Pay>
// action, or the <Redirect> that follows a <Gather> nobody answered).
func (h *Handler) Step(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	step, err := strconv.Atoi(q.Get("s"))
	if err != nil || step < 1 {
		http.Error(w, "missing or bad step", http.StatusBadRequest)
		return
	}
	in := flows.Input{}
	switch {
	case q.Get("pay") == "1":
		in = flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: r.PostForm.Get("Result"),
			ConfirmationCode: r.PostForm.Get("PaymentConfirmationCode"), CardType: r.PostForm.Get("PaymentCardType"),
			Error: r.PostForm.Get("PaymentError")}}
	case q.Get("silence") == "1":
		in = flows.Input{Kind: flows.InputSilence}
	case r.PostForm.Get("SpeechResult") != "":
		in = flows.Input{Kind: flows.InputSpeech, Speech: r.PostForm.Get("SpeechResult")}
	case r.PostForm.Has("Digits"):
		in = flows.Input{Kind: flows.InputKeys, Keys: r.PostForm.Get("Digits")}
	default:
		// A <Gather> action with nothing in it is no input.
		in = flows.Input{Kind: flows.InputSilence}
	}
	h.serveStep(w, r, step, in)
}

// serveStep runs one step of a call and writes its TwiML.
func (h *Handler) serveStep(w http.ResponseWriter, r *http.Request, step int, in flows.Input) {
	callSid := r.PostForm.Get("CallSid")
	if callSid == "" {
		http.Error(w, "missing CallSid", http.StatusBadRequest)
		return
	}
	log := h.log.With("call_sid", callSid, "step", step)
	doc, err := h.run(r.Context(), log, callSid, r.PostForm.Get("From"), step, in)
	if errors.Is(err, runner.ErrAhead) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		log.Error("answering a step", "error", err)
		doc = fallback(h.cfg.Voice, h.cfg.PublicURL, h.svc.Helpdesk().IsOpen(h.svc.Now()))
	}
	writeTwiML(w, doc)
}

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
func (h *Handler) transfer(op *domain.Op, sess *flows.Session, reason, from string) error {
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
	t := domain.Transfer{CallSid: sess.Data.Key, From: from, Verified: sess.Data.Verified,
		Flow: sess.Flow, State: sess.State, Reason: reason, Context: ctxJSON, Status: domain.TransferQueued,
		CreatedAt: op.Now(), UpdatedAt: op.Now()}
	// Where the caller was: the last step before asking for the helpdesk.
	for i := len(sess.Data.History) - 1; i >= 0; i-- {
		if ev := sess.Data.History[i]; ev.Flow != flows.FlowHelpdesk {
			t.Flow, t.State = ev.Flow, ev.State
			break
		}
	}
	if c := sess.Data.Caller; c != nil {
		t.ResidentID, t.Caller = c.ResidentID, c.Actor(domain.ChannelVoice)
	}
	_, err = op.Tx().InsertTransfer(t)
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

func writeTwiML(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(doc))
}
