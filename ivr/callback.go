package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
)

// ErrNotThisCallback is the error (answered 400) of a webhook for a call that is not the
// latest call made for its callback.
var ErrNotThisCallback = errors.New("the call is not the callback's call")

// CallbackAnswer answers POST /twilio/voice/callback?cb=ID: the resident the line called
// back (CallControl.CallBack) answered. They hear who is calling and are put through to
// the agent who took the callback, dialled as Connect dials; the callback is connected.
// A call for a callback no longer being made is ended.
func (h *Handler) CallbackAnswer(ctx context.Context, log *slog.Logger, f CallbackForm) (string, error) {
	cb, err := h.callbackCall(ctx, f)
	if err != nil {
		return "", err
	}
	v := h.cfg.Voice
	if cb.Status != domain.CallbackCalling {
		log.Info("a call back answered for a callback no longer being made", "callback", cb.ID, "status", string(cb.Status))
		return verbs(&twiml.VoiceHangup{})
	}
	a, err := h.svc.AgentByID(ctx, cb.AgentID)
	if err != nil {
		return "", fmt.Errorf("the agent of callback %d: %w", cb.ID, err)
	}
	dial := &twiml.VoiceDial{AnswerOnBridge: "true"}
	switch {
	case a.ClientIdentity != "":
		dial.InnerElements = []twiml.Element{&twiml.VoiceClient{Identity: a.ClientIdentity}}
	case a.Phone != "":
		dial.InnerElements = []twiml.Element{&twiml.VoiceNumber{PhoneNumber: a.Phone}}
	default:
		return "", fmt.Errorf("agent %s has neither a phone nor a client identity", a.Username)
	}
	if _, err := h.svc.CallbackAnswered(ctx, f.CallSid); err != nil {
		return "", fmt.Errorf("recording callback %d answered: %w", cb.ID, err)
	}
	log.Info("callback answered: putting the resident through", "callback", cb.ID, "agent", a.Username)
	return verbs(
		&twiml.VoiceSay{Message: "Hello, this is the visitor parking permit line calling you back. " +
			"Putting you through to an agent now.", Voice: v.Name, Language: v.Language},
		dial)
}

// CallbackStatus answers POST /twilio/voice/callback/status?cb=ID, the status callback of
// a call back. "completed" once the resident answered leaves the callback connected, with
// the agent, who finishes it on the desk. busy, no-answer, failed, canceled, or completed
// without an answer, is a try not answered (domain.Service.CallbackNotAnswered: due again
// later, or failed and the resident texted after the last). Other statuses change nothing.
func (h *Handler) CallbackStatus(ctx context.Context, log *slog.Logger, f CallbackForm) (string, error) {
	switch f.CallStatus {
	case "completed", "busy", "no-answer", "failed", "canceled":
	default:
		return "", nil
	}
	cb, err := h.callbackCall(ctx, f)
	if err != nil {
		return "", err
	}
	if cb.Status != domain.CallbackCalling {
		return "", nil // connected (the agent finishes it), or already recorded
	}
	cb, err = h.svc.CallbackNotAnswered(ctx, f.CallSid, f.CallStatus)
	if err != nil {
		return "", fmt.Errorf("recording callback %d not answered: %w", f.Callback, err)
	}
	log.Info("callback not answered", "callback", cb.ID, "call_status", f.CallStatus, "attempts", cb.Attempts,
		"status", string(cb.Status))
	return "", nil
}

// callbackCall returns the webhook's callback, once its call is known to be the callback's
// latest: the outgoing CallSid is recorded as soon as Twilio answers the create, but a
// webhook may come first, and then records it.
func (h *Handler) callbackCall(ctx context.Context, f CallbackForm) (domain.Callback, error) {
	cb, err := h.svc.Callback(ctx, f.Callback)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Callback{}, badRequest{fmt.Errorf("callback %d: %w", f.Callback, err)}
	}
	if err != nil {
		return domain.Callback{}, fmt.Errorf("callback %d: %w", f.Callback, err)
	}
	if cb.OutboundSid == "" && cb.Status == domain.CallbackCalling {
		if err := h.svc.CallbackDialled(ctx, cb.ID, f.CallSid); err != nil {
			return domain.Callback{}, fmt.Errorf("recording the call of callback %d: %w", cb.ID, err)
		}
		cb.OutboundSid = f.CallSid
	}
	if cb.OutboundSid != f.CallSid {
		return domain.Callback{}, badRequest{fmt.Errorf("callback %d: %w", cb.ID, ErrNotThisCallback)}
	}
	return cb, nil
}
