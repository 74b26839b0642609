package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/ivr/speak"
)

// QueueWait answers the <Enqueue> waitUrl: what a caller hears while waiting for an
// agent. Twilio fetches it again each time the document finishes, so the caller hears
// their place again about every queueRepeat.
func (h *Handler) QueueWait(ctx context.Context, log *slog.Logger, f QueueForm) (string, error) {
	if err := h.svc.QueueUnknownCaller(ctx, f.CallSid, f.From); err != nil {
		log.Warn("recording a caller in the queue", "error", err)
	}
	now := h.svc.Now()
	wait, known, err := h.svc.EstimateWait(ctx, f.QueuePosition)
	if err != nil {
		log.Warn("estimating the wait", "error", err)
	}
	msg := queueWords(f.QueuePosition, h.svc.Helpdesk().Status(now), now)
	if known {
		msg += " " + waitWords(wait)
	}
	// The self-service reminder on entering and about every two minutes after (Twilio
	// sends QueueTime, the seconds waited, with each fetch of the wait).
	if f.QueueTime/int(queueRepeat/time.Second)%4 == 0 {
		msg += " " + queueSelfService
	}
	return h.queueWait(msg)
}

// queueSelfService reminds a waiting caller what the line does without an agent.
const queueSelfService = "You can also hang up and call again at any time to activate or cancel a visit, " +
	"hear your balance or buy permits yourself: the automated line is open all day, every day."

// waitWords says an estimated wait in whole minutes rounded up, never more precisely than
// the estimate is: "about N minutes", and no figure beyond half an hour.
func waitWords(d time.Duration) string {
	mins := int((d + time.Minute - 1) / time.Minute)
	switch {
	case mins > 30:
		return "The wait is likely to be more than half an hour."
	case mins <= 1:
		return "The wait should be about a minute."
	}
	return fmt.Sprintf("The wait should be about %s minutes.", speak.Number(mins))
}

// queueWait is the wait's document: msg, then the offer of a call back, which a key
// pressed during either answers, then silence until Twilio fetches the wait again.
func (h *Handler) queueWait(msg string) (string, error) {
	say := func(s string) twiml.Element {
		return &twiml.VoiceSay{Message: s, Voice: h.cfg.Voice.Name, Language: h.cfg.Voice.Language}
	}
	gather := &twiml.VoiceGather{Action: h.cfg.PublicURL + QueueKeyPath, Method: "POST", Input: "dtmf",
		NumDigits: "1", Timeout: "3", InnerElements: []twiml.Element{say(msg), say(queueCallbackOffer)}}
	return verbs(gather, &twiml.VoicePause{Length: strconv.Itoa(int(queueRepeat / time.Second))})
}

// QueueKeyPath is the action of the wait's <Gather>: a key pressed while waiting.
const QueueKeyPath = "/twilio/voice/queue/key"

// The words of a call back asked for from the queue.
const (
	queueCallbackOffer = "To keep your place and be called back, press 1."
	queueCallbackAgain = "Please hold, and you'll keep your place in the queue."
)

// queueCallbackBooked is what a caller hears once their call back is booked: the number
// it will be made to (its last four digits), and that it keeps their place.
func queueCallbackBooked(number string) string {
	return fmt.Sprintf("Thank you. We'll call you back on the number ending %s when it's your turn, "+
		"and the agent will see what you've already done. Goodbye.", speak.Digits(number[max(0, len(number)-4):]))
}

// QueueKey answers a key pressed while waiting in the queue. 1 books a call back that
// keeps the caller's place (R25): the caller hears the number it will be made to and the
// call ends, the transfer now waiting as a call back, not abandoned. Any other key, or a
// call back refused, and the caller waits on.
func (h *Handler) QueueKey(ctx context.Context, log *slog.Logger, f QueueForm) (string, error) {
	if f.Digits != "1" {
		return h.queueWait("Thank you for waiting.")
	}
	in := domain.CallbackIn{CallSid: f.CallSid, Number: f.From, Kind: domain.CallbackKept}
	var cb domain.Callback
	err := h.svc.Update(ctx, func(op *domain.Op) (err error) { cb, err = op.BookCallback(in); return err })
	switch {
	case err == nil:
		log.Info("a call back booked from the queue", "callback_id", cb.ID)
		return verbs(&twiml.VoiceSay{Message: queueCallbackBooked(cb.Number), Voice: h.cfg.Voice.Name,
			Language: h.cfg.Voice.Language}, &twiml.VoiceHangup{})
	case domain.RuleOf(err) != "":
		log.Info("a call back refused", "error", err)
		return h.queueWait(refusal(err, h.svc.Now()) + " " + queueCallbackAgain)
	case errors.Is(err, domain.ErrTaken), errors.Is(err, domain.ErrNotFound):
		log.Info("a call back asked for by a call no longer queued", "error", err)
		return h.queueWait(queueCallbackAgain)
	}
	return "", fmt.Errorf("booking a call back from the queue: %w", err)
}

// queueRepeat is how long the waiting music's silence lasts before the caller hears their
// place again.
const queueRepeat = 30 * time.Second

// closingSoon is how near the helpdesk's closing time must be for a caller in the queue
// to be told when it closes.
const closingSoon = 30 * time.Minute

// queueWords is what a caller in the queue hears: their place (position 0: not known),
// and, when the helpdesk closes soon, when it does.
func queueWords(position int, st calendar.Status, now time.Time) string {
	msg := "Thank you for waiting. An agent will be with you as soon as possible."
	if position > 0 {
		msg = fmt.Sprintf("You're number %s in the queue. An agent will be with you as soon as possible, "+
			"and will see what you've already done.", speak.Number(position))
	}
	if st.Open && !st.ClosesAt.IsZero() && st.ClosesAt.Sub(now) <= closingSoon {
		msg += fmt.Sprintf(" The helpdesk closes at %s today.", speak.Time(st.ClosesAt))
	}
	return msg
}

// queueResults maps the <Enqueue> action's QueueResult to what became of the transfer; a
// result not listed (leave, queue-full, error, system-error) is a caller the queue could
// not take. https://www.twilio.com/docs/voice/twiml/enqueue#attributes-action-parameters
var queueResults = map[string]domain.TransferStatus{
	"hangup": domain.TransferAbandoned, "bridged": domain.TransferTaken, "bridging-in-process": domain.TransferTaken,
	"redirected": domain.TransferReturned, "redirected-from-bridged": domain.TransferReturned,
}

// QueueDone answers the <Enqueue> action: the caller left the queue. A caller who hung up
// leaves the agents' list at once; one the queue could not take hears an apology and goes
// back to the menu.
func (h *Handler) QueueDone(ctx context.Context, log *slog.Logger, f QueueForm) (string, error) {
	log.Info("the caller left the queue", "queue_result", f.QueueResult, "queue_time", f.QueueTime)
	status, left := queueResults[f.QueueResult]
	if left {
		if err := h.svc.Update(ctx, func(op *domain.Op) error { return op.LeaveQueue(f.CallSid, status) }); err != nil {
			log.Error("recording the end of a wait", "error", err)
		}
		return verbs() // nothing more to say: the caller is gone, or already elsewhere
	}
	return verbs(&twiml.VoiceSay{Message: "Sorry, the helpdesk can't take your call just now. Please try again later.",
		Voice: h.cfg.Voice.Name, Language: h.cfg.Voice.Language}, &twiml.VoiceHangup{})
}

// verbs is a TwiML document of verbs.
func verbs(vs ...twiml.Element) (string, error) { return twiml.Voice(vs) }

// Status answers POST /twilio/voice/status, Twilio's call status callback. A finished
// call's conversation is closed, and a caller who hung up while waiting for an agent is
// taken off the queue. A callback for a call we do not know changes nothing.
func (h *Handler) Status(ctx context.Context, _ *slog.Logger, f StatusForm) (string, error) {
	switch f.CallStatus {
	case "completed", "busy", "failed", "no-answer", "canceled":
		err := h.svc.Update(ctx, func(op *domain.Op) error {
			if err := h.runner.End(op, f.CallSid); err != nil {
				return err
			}
			return op.LeaveQueue(f.CallSid, domain.TransferAbandoned)
		})
		if err != nil {
			return "", fmt.Errorf("recording a call's end: %w", err)
		}
	}
	return "", nil
}
