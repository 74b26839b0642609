package ivr

import (
	"context"
	"fmt"
	"net/http"

	"github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/flows"
	"permitline/ivr/twilioapi"
)

// CallControl moves a live call through Twilio's REST API (twilio-go's UpdateCall): it
// puts a caller waiting in the helpdesk queue through to the agent who took the call,
// and hands a caller back to the automated line.
type CallControl struct {
	api  *twilio.RestClient
	base string // public base URL of the line
	v    Voice
}

// NewCallControl returns call control for the account; httpClient nil means Twilio itself.
func NewCallControl(accountSid, authToken, publicURL string, v Voice, httpClient *http.Client) *CallControl {
	return &CallControl{api: twilioapi.New(accountSid, authToken, httpClient), base: publicURL, v: v}
}

// Connect puts the caller through to the agent: the queued call is updated with TwiML
// that dials the agent's phone or Twilio Client identity.
// https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource
func (c *CallControl) Connect(_ context.Context, callSid string, a domain.Agent) error {
	dial := &twiml.VoiceDial{AnswerOnBridge: "true"}
	switch {
	case a.ClientIdentity != "":
		dial.InnerElements = []twiml.Element{&twiml.VoiceClient{Identity: a.ClientIdentity}}
	case a.Phone != "":
		dial.InnerElements = []twiml.Element{&twiml.VoiceNumber{PhoneNumber: a.Phone}}
	default:
		return fmt.Errorf("agent %s has neither a phone nor a client identity", a.Username)
	}
	doc, err := twiml.Voice([]twiml.Element{
		&twiml.VoiceSay{Message: "Putting you through to " + firstName(a.Name) + ".", Voice: c.v.Name, Language: c.v.Language},
		dial,
	})
	if err != nil {
		return err
	}
	_, err = c.api.Api.UpdateCall(callSid, (&openapi.UpdateCallParams{}).SetTwiml(doc))
	if err != nil {
		return fmt.Errorf("putting call %s through to %s: %w", callSid, a.Username, err)
	}
	return nil
}

// Back says where a caller handed back to the line goes.
type Back string

// Where a caller can be handed back to.
const (
	BackToMenu Back = "menu" // the main menu, identified
	BackToPay  Back = "buy"  // buying permits: the quantity, then the card payment
)

// Return hands the caller back to the line at the main menu or the payment step: the
// call is updated to fetch the line's resume URL, so card details never reach the agent.
func (c *CallControl) Return(_ context.Context, callSid string, to Back) error {
	u := c.base + "/twilio/voice/resume?to=" + string(to)
	_, err := c.api.Api.UpdateCall(callSid, (&openapi.UpdateCallParams{}).SetUrl(u).SetMethod("POST"))
	if err != nil {
		return fmt.Errorf("handing call %s back to the line: %w", callSid, err)
	}
	return nil
}

// Resume answers POST /twilio/voice/resume?to=menu|buy: an agent handed the caller back
// to the line. The agent has identified the caller, so the call carries on as verified.
func (h *Handler) Resume(w http.ResponseWriter, r *http.Request) {
	callSid := r.PostForm.Get("CallSid")
	to := Back(r.URL.Query().Get("to"))
	if callSid == "" || (to != BackToMenu && to != BackToPay) {
		http.Error(w, "missing CallSid or bad destination", http.StatusBadRequest)
		return
	}
	log := h.log.With("call_sid", callSid)
	conv, err := h.load(r.Context(), callSid)
	if err != nil {
		log.Error("resuming a call", "error", err)
		writeTwiML(w, fallback(h.cfg.Voice, h.cfg.PublicURL, h.svc.Helpdesk().IsOpen(h.svc.Now())))
		return
	}
	sess, err := decode(conv)
	if err == nil {
		sess.Flow, sess.State, sess.Data.Retries = string(to), "start", 0
		if to == BackToMenu {
			sess.State = "main"
		}
		sess.Data.Verified = sess.Data.Caller != nil
		if !sess.Data.Verified {
			sess.Flow, sess.State = "identify", "start"
		}
		var doc string
		doc, err = h.commit(r.Context(), conv, sess, resumeStep(conv), flows.Input{}, r)
		if err == nil {
			writeTwiML(w, doc)
			return
		}
	}
	log.Error("resuming a call", "error", err)
	writeTwiML(w, fallback(h.cfg.Voice, h.cfg.PublicURL, h.svc.Helpdesk().IsOpen(h.svc.Now())))
}

// resumeStep keys the reply kept for a resume apart from the steps' own: a hand-back is
// not an answer to a question the caller heard.
func resumeStep(c domain.Conversation) int { return -c.Version }
