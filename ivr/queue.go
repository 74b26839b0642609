package ivr

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/ivr/speak"
)

// QueueWait answers the <Enqueue> waitUrl: what a caller hears while waiting for an
// agent. Twilio fetches it again each time the document finishes.
func (h *Handler) QueueWait(w http.ResponseWriter, r *http.Request) {
	if err := h.knownToAgents(r); err != nil {
		h.log.Warn("recording a caller in the queue", "call_sid", r.PostForm.Get("CallSid"), "error", err)
	}
	pos, _ := strconv.Atoi(r.PostForm.Get("QueuePosition"))
	msg := "Thank you for waiting. An agent will be with you as soon as possible."
	if pos > 0 {
		msg = fmt.Sprintf("You're number %s in the queue. An agent will be with you as soon as possible, "+
			"and will see what you've already done.", speak.Number(pos))
	}
	writeVerbs(w, &twiml.VoiceSay{Message: msg, Voice: h.cfg.Voice.Name, Language: h.cfg.Voice.Language},
		&twiml.VoicePause{Length: "20"})
}

// QueueDone answers the <Enqueue> action: the caller left the queue. A caller who hung up
// leaves the agents' list at once; one the queue could not take hears an apology and goes
// back to the menu.
func (h *Handler) QueueDone(w http.ResponseWriter, r *http.Request) {
	callSid := r.PostForm.Get("CallSid")
	if callSid == "" {
		http.Error(w, "missing CallSid", http.StatusBadRequest)
		return
	}
	result := r.PostForm.Get("QueueResult")
	status := map[string]domain.TransferStatus{
		"hangup": domain.TransferAbandoned, "bridged": domain.TransferTaken, "bridging-in-process": domain.TransferTaken,
		"redirected": domain.TransferReturned, "redirected-from-bridged": domain.TransferReturned,
	}[result]
	if err := h.setTransfer(r, callSid, status, domain.TransferQueued); err != nil {
		h.log.Error("recording the end of a wait", "call_sid", callSid, "error", err)
	}
	if status != "" {
		writeVerbs(w) // nothing more to say: the caller is gone, or already elsewhere
		return
	}
	// leave, queue-full, error, system-error
	writeVerbs(w, &twiml.VoiceSay{Message: "Sorry, the helpdesk can't take your call just now. Please try again later.",
		Voice: h.cfg.Voice.Name, Language: h.cfg.Voice.Language}, &twiml.VoiceHangup{})
}

// writeVerbs answers with a TwiML document of verbs.
func writeVerbs(w http.ResponseWriter, verbs ...twiml.Element) {
	doc, err := twiml.Voice(verbs)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeTwiML(w, doc)
}

// Status answers POST /twilio/voice/status, Twilio's call status callback. A finished
// call's conversation is closed, and a caller who hung up while waiting for an agent is
// taken off the queue. A callback for a call we do not know changes nothing.
func (h *Handler) Status(w http.ResponseWriter, r *http.Request) {
	callSid := r.PostForm.Get("CallSid")
	if callSid == "" {
		http.Error(w, "missing CallSid", http.StatusBadRequest)
		return
	}
	switch r.PostForm.Get("CallStatus") {
	case "completed", "busy", "failed", "no-answer", "canceled":
		err := h.svc.Update(r.Context(), func(op *domain.Op) error {
			if err := h.runner.End(op, callSid); err != nil {
				return err
			}
			return endTransfer(op, callSid, domain.TransferAbandoned, domain.TransferQueued)
		})
		if err != nil {
			h.log.Error("recording a call's end", "call_sid", callSid, "error", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) setTransfer(r *http.Request, callSid string, to, from domain.TransferStatus) error {
	if to == "" {
		return nil
	}
	return h.svc.Update(r.Context(), func(op *domain.Op) error { return endTransfer(op, callSid, to, from) })
}

// endTransfer moves a transfer on from one status to the next; others are left alone.
func endTransfer(op *domain.Op, callSid string, to, from domain.TransferStatus) error {
	t, err := op.Tx().TransferByCall(callSid)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if t.Status != from {
		return nil
	}
	t.Status, t.UpdatedAt = to, op.Now()
	return op.Tx().UpdateTransfer(t)
}

// knownToAgents records a transfer for a caller waiting in the queue without one: a caller
// put through by the apology the line gives when it fails, so agents see them too.
func (h *Handler) knownToAgents(r *http.Request) error {
	callSid := r.PostForm.Get("CallSid")
	if callSid == "" {
		return nil
	}
	var known bool
	if err := h.svc.View(r.Context(), func(rd domain.Reader) error {
		_, err := rd.TransferByCall(callSid)
		known = err == nil
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		return err
	}); err != nil || known {
		return err
	}
	return h.svc.Update(r.Context(), func(op *domain.Op) error {
		if _, err := op.Tx().TransferByCall(callSid); err == nil {
			return nil
		}
		_, err := op.Tx().InsertTransfer(domain.Transfer{CallSid: callSid, From: r.PostForm.Get("From"),
			Reason: "put through after a fault on the line", Context: []byte(`{"history":[]}`),
			Status: domain.TransferQueued, CreatedAt: op.Now(), UpdatedAt: op.Now()})
		return err
	})
}
