package ivr

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"permitline/flows"
)

// The voice webhooks' forms, their fields named after Twilio's parameters. Each decoder
// takes the form of a request already checked as Twilio's (the signature, the account,
// every Sid's shape: the route wrapper does that for every webhook) and the query of the
// URL Twilio was given, and refuses what the route cannot answer: the error is the
// request's fault, answered 400.
// https://www.twilio.com/docs/voice/twiml#request-parameters

// CallForm is what every voice webhook carries.
type CallForm struct {
	CallSid    string
	AccountSid string
	From       string
	To         string
}

// DecodeCall reads the parameters every voice webhook carries: a call without a CallSid
// is none of ours.
func DecodeCall(_, form url.Values) (CallForm, error) {
	f := CallForm{CallSid: form.Get("CallSid"), AccountSid: form.Get("AccountSid"), From: form.Get("From"),
		To: form.Get("To")}
	if f.CallSid == "" {
		return CallForm{}, errors.New("missing CallSid")
	}
	return f, nil
}

// StepForm is the answer to a step of a call: a <Gather> action (Digits, SpeechResult), a
// <Pay> action (Result, PaymentConfirmationCode...), or the <Redirect> that follows a
// <Gather> nobody answered. Step, Pay and Silence come from the URL the line gave.
type StepForm struct {
	CallForm
	Step    int  // ?s=
	Pay     bool // ?pay=1: the action of a <Pay>
	Silence bool // ?silence=1: the <Redirect> after a <Gather>
	Record  bool // ?record=1: the action of a <Record>
	Digits  string
	// DigitsSent says the form had Digits, if empty: a <Gather> ended by its finish key alone.
	DigitsSent              bool
	SpeechResult            string
	Result                  string
	PaymentConfirmationCode string
	PaymentCardType         string
	PaymentError            string
	// The <Record> action's: the recording (no extension) and its length in seconds.
	RecordingSid      string
	RecordingURL      string
	RecordingDuration int
}

// DecodeStep reads POST /twilio/voice/step?s=N.
func DecodeStep(query, form url.Values) (StepForm, error) {
	c, err := DecodeCall(query, form)
	if err != nil {
		return StepForm{}, err
	}
	step, err := strconv.Atoi(query.Get("s"))
	if err != nil || step < 1 {
		return StepForm{}, errors.New("missing or bad step")
	}
	f := StepForm{CallForm: c, Step: step, Pay: query.Get("pay") == "1", Silence: query.Get("silence") == "1",
		Record: query.Get("record") == "1", Digits: form.Get("Digits"), DigitsSent: form.Has("Digits"),
		SpeechResult: form.Get("SpeechResult"), Result: form.Get("Result"),
		PaymentConfirmationCode: form.Get("PaymentConfirmationCode"), PaymentCardType: form.Get("PaymentCardType"),
		PaymentError: form.Get("PaymentError"), RecordingSid: form.Get("RecordingSid"),
		RecordingURL: form.Get("RecordingUrl")}
	// A length that is not a number is read as nothing recorded.
	f.RecordingDuration, _ = strconv.Atoi(form.Get("RecordingDuration"))
	return f, nil
}

// Input is the step's answer as the flows take it.
func (f StepForm) Input() flows.Input {
	switch {
	case f.Pay:
		return flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: f.Result,
			ConfirmationCode: f.PaymentConfirmationCode, CardType: f.PaymentCardType, Error: f.PaymentError}}
	case f.Record:
		return flows.Input{Kind: flows.InputRecord, Record: flows.RecordResult{Sid: f.RecordingSid,
			URL: f.RecordingURL, Duration: f.RecordingDuration}}
	case f.Silence:
		return flows.Input{Kind: flows.InputSilence}
	case f.SpeechResult != "":
		return flows.Input{Kind: flows.InputSpeech, Speech: f.SpeechResult}
	case f.DigitsSent:
		return flows.Input{Kind: flows.InputKeys, Keys: f.Digits}
	}
	// A <Gather> action with nothing in it is no input.
	return flows.Input{Kind: flows.InputSilence}
}

// StatusForm is Twilio's call status callback.
type StatusForm struct {
	CallForm
	CallStatus string
}

// DecodeStatus reads POST /twilio/voice/status.
func DecodeStatus(query, form url.Values) (StatusForm, error) {
	c, err := DecodeCall(query, form)
	return StatusForm{CallForm: c, CallStatus: form.Get("CallStatus")}, err
}

// QueueForm is a webhook of the helpdesk queue: the <Enqueue> waitUrl (QueuePosition) or
// its action (QueueResult, QueueTime).
// https://www.twilio.com/docs/voice/twiml/enqueue
type QueueForm struct {
	CallForm
	QueuePosition int // 0: not sent
	QueueResult   string
	QueueTime     int    // seconds in the queue
	Digits        string // the key pressed at the wait's <Gather> (/twilio/voice/queue/key)
}

// DecodeQueue reads POST /twilio/voice/queue/wait, /twilio/voice/queue/key and
// /twilio/voice/queue/done.
func DecodeQueue(query, form url.Values) (QueueForm, error) {
	c, err := DecodeCall(query, form)
	if err != nil {
		return QueueForm{}, err
	}
	f := QueueForm{CallForm: c, QueueResult: form.Get("QueueResult"), Digits: form.Get("Digits")}
	// A position or a time that is not a number is read as not sent, as it always was.
	f.QueuePosition, _ = strconv.Atoi(form.Get("QueuePosition"))
	f.QueueTime, _ = strconv.Atoi(form.Get("QueueTime"))
	return f, nil
}

// DialForm is the action of the <Dial> that put a caller through to an agent.
type DialForm struct {
	CallForm
	DialCallStatus string
}

// DecodeDial reads POST /twilio/voice/dialed: a DialCallStatus Twilio does not document is
// refused.
func DecodeDial(query, form url.Values) (DialForm, error) {
	c, err := DecodeCall(query, form)
	if err != nil {
		return DialForm{}, err
	}
	f := DialForm{CallForm: c, DialCallStatus: form.Get("DialCallStatus")}
	switch f.DialCallStatus {
	case "completed", "answered", "no-answer", "busy", "failed", "canceled":
		return f, nil
	}
	return DialForm{}, errors.New("unknown DialCallStatus")
}

// ResumeForm is a call an agent handed back to the line; Back comes from the URL the line
// gave Twilio (?to=menu|buy).
type ResumeForm struct {
	CallForm
	Back Back
}

// DecodeResume reads POST /twilio/voice/resume?to=menu|buy.
func DecodeResume(query, form url.Values) (ResumeForm, error) {
	c, err := DecodeCall(query, form)
	to := Back(query.Get("to"))
	if err != nil || (to != BackToMenu && to != BackToPay && to != BackToNewPIN) {
		return ResumeForm{}, errors.New("missing CallSid or bad destination")
	}
	return ResumeForm{CallForm: c, Back: to}, nil
}

// CallbackForm is a webhook of a call the line made to call a resident back: the call's
// URL, fetched when the resident answers, or its status callback (CallStatus). Callback
// comes from the URL the line gave Twilio (?cb=ID).
// https://www.twilio.com/docs/voice/api/call-resource#statuscallback
type CallbackForm struct {
	CallForm
	Callback   int64
	CallStatus string
}

// DecodeCallback reads POST /twilio/voice/callback?cb=ID and /twilio/voice/callback/status?cb=ID.
func DecodeCallback(query, form url.Values) (CallbackForm, error) {
	c, err := DecodeCall(query, form)
	if err != nil {
		return CallbackForm{}, err
	}
	id, err := strconv.ParseInt(query.Get("cb"), 10, 64)
	if err != nil || id < 1 {
		return CallbackForm{}, errors.New("missing or bad callback")
	}
	return CallbackForm{CallForm: c, Callback: id, CallStatus: form.Get("CallStatus")}, nil
}

// RecordingForm is Twilio's recording status callback for a message left at the <Record>
// of the closed helpdesk's offer.
// https://www.twilio.com/docs/voice/twiml/record#recordingstatuscallback
type RecordingForm struct {
	CallForm
	RecordingSid      string
	RecordingURL      string
	RecordingStatus   string // in-progress, completed, absent or failed
	RecordingDuration int    // seconds
	ErrorCode         string
}

// DecodeRecording reads POST /twilio/voice/recording: a callback without a RecordingSid,
// or with a status Twilio does not document, is refused.
func DecodeRecording(query, form url.Values) (RecordingForm, error) {
	c, err := DecodeCall(query, form)
	if err != nil {
		return RecordingForm{}, err
	}
	f := RecordingForm{CallForm: c, RecordingSid: form.Get("RecordingSid"), RecordingURL: form.Get("RecordingUrl"),
		RecordingStatus: form.Get("RecordingStatus"), ErrorCode: form.Get("ErrorCode")}
	if f.RecordingSid == "" {
		return RecordingForm{}, errors.New("missing RecordingSid")
	}
	switch f.RecordingStatus {
	case "in-progress", "completed", "absent", "failed":
	default:
		return RecordingForm{}, errors.New("unknown RecordingStatus")
	}
	if d := form.Get("RecordingDuration"); d != "" {
		if f.RecordingDuration, err = strconv.Atoi(d); err != nil || f.RecordingDuration < 0 {
			return RecordingForm{}, errors.New("bad RecordingDuration")
		}
	}
	if f.RecordingStatus == "completed" && !strings.HasPrefix(f.RecordingURL, "https://") {
		return RecordingForm{}, errors.New("a completed recording without an https RecordingUrl")
	}
	return f, nil
}
