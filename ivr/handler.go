// Package ivr is the voice channel: it answers Twilio's voice webhooks, turns each
// request into an input for the flows, and renders the flows' replies as TwiML built
// with twilio-go's twiml package. Every step of a call runs in one write transaction:
// load the conversation, step the flow (with its domain work), save it with a version
// check, keep the reply for that step, commit, then answer. A repeated webhook gets the
// reply kept for its step and changes nothing.
package ivr

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/domain/phone"
	"permitline/flows"
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
	engine *flows.Engine
	log    *slog.Logger
	cache  sessions
}

// NewHandler returns the voice channel's handler.
func NewHandler(cfg Config, svc *domain.Service, engine *flows.Engine, log *slog.Logger) *Handler {
	cfg.Voice = cfg.Voice.orDefaults()
	return &Handler{cfg: cfg, svc: svc, engine: engine, log: log}
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
	// The step reads the caller's number from the request's form, as Twilio sent it.
	r := (&http.Request{PostForm: url.Values{"From": {f.From}}}).WithContext(ctx)
	doc, err := h.answer(ctx, log, r, f.CallSid, step, in)
	if errors.Is(err, errBadStep) {
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

var errBadStep = errors.New("step ahead of the call")

func (h *Handler) answer(ctx context.Context, log *slog.Logger, r *http.Request, callSid string, step int,
	in flows.Input) (string, error) {
	for attempt := 0; ; attempt++ {
		// The common case: the next step of a call this process answered last.
		c, ok := h.cache.take(callSid, step)
		if !ok || attempt > 0 || step == 0 {
			// A repeat of a step already answered gets the same answer, without a write.
			conv, err := h.load(ctx, callSid)
			switch {
			case errors.Is(err, domain.ErrNotFound):
				// A step of a call we hold nothing for (its record expired): start afresh.
				step, in = 0, flows.Input{}
			case err != nil:
				return "", err
			default:
				if doc, done, err := h.replay(ctx, log, conv, step, in); done || err != nil {
					return doc, err
				}
				if conv.Ended {
					doc, err := h.late(ctx, log, conv, step, in)
					if errors.Is(err, domain.ErrConflict) && attempt < 3 {
						continue // the same webhook again, at the same moment: answer as a repeat
					}
					return doc, err
				}
				if step > conv.Version {
					return "", fmt.Errorf("%w: step %d, call at %d", errBadStep, step, conv.Version)
				}
			}
			c = cachedSession{conv: conv,
				sess: h.engine.New(flows.Data{Channel: domain.ChannelVoice, Key: callSid, From: r.PostForm.Get("From")})}
			if conv.ID != 0 {
				if c.sess, err = decode(conv); err != nil {
					return "", err
				}
			}
		}
		doc, err := h.commit(ctx, c.conv, c.sess, step, in, r)
		if errors.Is(err, domain.ErrConflict) && attempt < 3 {
			continue // another request moved the call on: answer as a repeat
		}
		if err == nil {
			log.Info("step", "flow", c.sess.Flow, "state", c.sess.State, "from", phone.Mask(r.PostForm.Get("From")))
		}
		return doc, err
	}
}

func (h *Handler) load(ctx context.Context, callSid string) (domain.Conversation, error) {
	var c domain.Conversation
	err := h.svc.View(ctx, func(rd domain.Reader) (err error) {
		c, err = rd.ConversationByKey(domain.ChannelVoice, callSid)
		return err
	})
	return c, err
}

// replay returns the answer kept for a step already taken.
func (h *Handler) replay(ctx context.Context, log *slog.Logger, c domain.Conversation, step int,
	in flows.Input) (string, bool, error) {
	if step >= c.Version && !(step == 0 && c.ID != 0) {
		return "", false, nil
	}
	var sr domain.StepReply
	err := h.svc.View(ctx, func(rd domain.Reader) (err error) { sr, err = rd.StepReply(c.ID, step); return err })
	if errors.Is(err, domain.ErrNotFound) && c.Ended {
		// The call's status callback ended the conversation before this step's answer
		// came (Twilio sends them in no fixed order): not a repeat, a late answer.
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("the reply kept for step %d: %w", step, err)
	}
	if sr.InputHash != h.inputHash(in) {
		// Twilio never answers one step twice with different input: someone else did.
		log.Warn("a step already answered came again with other input; answered as the first time")
	} else {
		log.Info("repeated step answered again")
	}
	return string(sr.Reply), true, nil
}

// commit steps the flow and saves the step. A step that only reads (most of them) is
// stepped on a snapshot outside the one writer, which then only saves the conversation
// and the reply; a step that writes, or that failed on trial, runs whole in one write
// transaction. A state marked as one that writes (flows.State.Writes: a confirmed visit,
// a payment, a cancellation) skips the trial, which would only be thrown away.
func (h *Handler) commit(ctx context.Context, conv domain.Conversation, sess *flows.Session, step int,
	in flows.Input, r *http.Request) (string, error) {
	if conv.ID != 0 && !h.engine.Writes(sess) {
		trial := sess.Clone()
		if doc, saved, err := h.commitRead(ctx, conv, trial, step, in); !errors.Is(err, errWrites) {
			h.keep(saved, trial, err)
			return doc, err
		}
	}
	var (
		doc   string
		saved domain.Conversation
	)
	err := h.svc.Update(ctx, func(op *domain.Op) error {
		reply, err := h.engine.Step(&flows.Ctx{Context: ctx, Op: op, Svc: h.svc}, sess, in)
		if err != nil {
			return err
		}
		if reply.End == flows.EndTransfer {
			if err := h.transfer(op, sess, reply.Transfer, r); err != nil {
				return err
			}
		}
		next, err := h.next(conv, sess, reply, op.Now())
		if err != nil {
			return err
		}
		if conv.ID == 0 {
			next, err = op.Tx().InsertConversation(next)
		} else {
			next, err = op.Tx().UpdateConversation(next)
		}
		if err != nil {
			return err
		}
		rd := renderer{voice: h.cfg.Voice, base: h.cfg.PublicURL, step: next.Version, now: op.Now()}
		if doc, err = rd.render(reply); err != nil {
			return err
		}
		saved = next
		return op.Tx().InsertStepReply(h.stepReply(next, step, in, doc, op.Now()))
	})
	h.keep(saved, sess, err)
	return doc, err
}

// errWrites sends a step from its trial to a write transaction.
var errWrites = errors.New("the step writes")

// commitRead steps the flow on a snapshot and, if that wrote nothing, renders the reply
// and saves the conversation and the reply in a short write. errWrites: run the step
// whole in a write transaction instead (nothing was saved).
func (h *Handler) commitRead(ctx context.Context, conv domain.Conversation, sess *flows.Session, step int,
	in flows.Input) (string, domain.Conversation, error) {
	var (
		reply flows.Reply
		now   time.Time
	)
	err := h.svc.TryReadOnly(ctx, func(op *domain.Op) (err error) {
		now = op.Now()
		reply, err = h.engine.Step(&flows.Ctx{Context: ctx, Op: op, Svc: h.svc}, sess, in)
		return err
	})
	if err != nil || reply.End == flows.EndTransfer {
		// A write, a refusal or a failure: the write transaction decides, as it always has.
		return "", domain.Conversation{}, errWrites
	}
	next, err := h.next(conv, sess, reply, now)
	if err != nil {
		return "", domain.Conversation{}, err
	}
	rd := renderer{voice: h.cfg.Voice, base: h.cfg.PublicURL, step: conv.Version + 1, now: now}
	doc, err := rd.render(reply)
	if err != nil {
		return "", domain.Conversation{}, err
	}
	var saved domain.Conversation
	err = h.svc.Update(ctx, func(op *domain.Op) (err error) {
		if saved, err = op.Tx().UpdateConversation(next); err != nil {
			return err
		}
		if saved.Version != rd.step {
			return fmt.Errorf("conversation %d saved at version %d, rendered for %d", saved.ID, saved.Version, rd.step)
		}
		return op.Tx().InsertStepReply(h.stepReply(saved, step, in, doc, now))
	})
	return doc, saved, err
}

// late answers a step of a call that has ended. The caller is gone, so the answer is a
// lone <Hangup/>; a payment result the call was waiting for is still recorded (a payment
// taken is never lost), with the conversation, in one write transaction, and the reply is
// kept so that a repeat of the webhook does nothing twice. Any other late answer (a
// <Gather> action, the <Redirect> after one) changes nothing.
func (h *Handler) late(ctx context.Context, log *slog.Logger, conv domain.Conversation, step int,
	in flows.Input) (string, error) {
	if in.Kind != flows.InputPay || step < conv.Version-1 || step > conv.Version {
		log.Info("a step after the call ended: hung up")
		return hangup(), nil
	}
	sess, err := decode(conv)
	if err != nil {
		return "", err
	}
	doc := hangup()
	var acted bool
	err = h.svc.Update(ctx, func(op *domain.Op) error {
		reply, ok, err := h.engine.Late(&flows.Ctx{Context: ctx, Op: op, Svc: h.svc}, sess, in)
		if acted = ok; err != nil || !ok {
			return err
		}
		next, err := h.next(conv, sess, reply, op.Now())
		if err != nil {
			return err
		}
		saved, err := op.Tx().UpdateConversation(next)
		if err != nil {
			return err
		}
		return op.Tx().InsertStepReply(h.stepReply(saved, step, in, doc, op.Now()))
	})
	if err != nil {
		return "", err
	}
	if acted {
		log.Info("a payment result after the call ended", "result", in.Pay.Result, "flow", sess.Flow, "state", sess.State)
	} else {
		log.Info("a step after the call ended: hung up")
	}
	return doc, nil
}

// stepReply is the reply kept for step of the saved conversation, for a repeat of it.
func (h *Handler) stepReply(saved domain.Conversation, step int, in flows.Input, doc string, now time.Time) domain.StepReply {
	return domain.StepReply{ConversationID: saved.ID, Step: step, InputHash: h.inputHash(in), Reply: []byte(doc),
		CreatedAt: now}
}

// next is the conversation as a step leaves it, to be saved over conv.
func (h *Handler) next(conv domain.Conversation, sess *flows.Session, reply flows.Reply, now time.Time) (domain.Conversation, error) {
	data, err := json.Marshal(sess.Data)
	if err != nil {
		return domain.Conversation{}, err
	}
	return domain.Conversation{ID: conv.ID, Channel: domain.ChannelVoice, Key: sess.Data.Key, Flow: sess.Flow,
		State: sess.State, Data: data, Ended: reply.End == flows.EndHangup, Version: conv.Version,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(conversationTTL)}, nil
}

// keep remembers the session a step committed, for the call's next step.
func (h *Handler) keep(saved domain.Conversation, sess *flows.Session, err error) {
	if err == nil && !saved.Ended {
		h.cache.put(saved, sess)
		return
	}
	h.cache.drop(sess.Data.Key)
}

// transfer records the call's whole context for the agent who takes it.
func (h *Handler) transfer(op *domain.Op, sess *flows.Session, reason string, r *http.Request) error {
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

func decode(c domain.Conversation) (*flows.Session, error) {
	s := &flows.Session{Flow: c.Flow, State: c.State}
	if err := json.Unmarshal(c.Data, &s.Data); err != nil {
		return nil, fmt.Errorf("reading conversation %d: %w", c.ID, err)
	}
	return s, nil
}

// inputHash is what is kept of a step's input, to tell a true repeat of the step from
// other input: a keyed digest (domain.Service.SecretTag), as the keys may be a PIN, and
// an unkeyed hash of up to six digits is read back by trying them all. Without a PIN key
// only the kind of input is kept.
func (h *Handler) inputHash(in flows.Input) string {
	data := []byte(string(in.Kind) + "\x00" + in.Keys + "\x00" + in.Speech + "\x00" + in.Pay.Result +
		"\x00" + in.Pay.ConfirmationCode)
	tag := h.svc.SecretTag("voice step input", data)
	if tag == nil {
		tag = []byte(in.Kind)
	}
	return hex.EncodeToString(tag[:min(8, len(tag))])
}

// hangup is the answer to a webhook for a call that has already ended.
func hangup() string {
	doc, err := twiml.Voice([]twiml.Element{&twiml.VoiceHangup{}})
	if err != nil {
		panic("rendering a lone <Hangup>: " + err.Error()) // a constant document: cannot fail
	}
	return doc
}
