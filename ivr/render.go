package ivr

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"permitline/flows"
	"permitline/flows/entry"
)

// Voice settings for every <Say> and <Gather>.
type Voice struct {
	Name     string // e.g. Polly.Amy
	Language string // en-GB
	// Timeout is how long a <Gather> waits for the first key, in seconds.
	Timeout int
	// PaymentConnector names the <Pay> connector configured on the Twilio account.
	PaymentConnector string
	// Queue is the name of the helpdesk queue.
	Queue string
}

// DefaultVoice is the line's voice where a setting is left empty.
var DefaultVoice = Voice{Name: "Polly.Amy", Language: "en-GB", Timeout: 6, PaymentConnector: "Default", Queue: "helpdesk"}

// orDefaults is v with every empty setting taken from DefaultVoice.
func (v Voice) orDefaults() Voice {
	d := DefaultVoice
	if v.Name == "" {
		v.Name = d.Name
	}
	if v.Language == "" {
		v.Language = d.Language
	}
	if v.Timeout == 0 {
		v.Timeout = d.Timeout
	}
	if v.PaymentConnector == "" {
		v.PaymentConnector = d.PaymentConnector
	}
	if v.Queue == "" {
		v.Queue = d.Queue
	}
	return v
}

// renderer turns a flow's reply into TwiML for one step of a call.
type renderer struct {
	voice Voice
	base  string // public base URL, no trailing slash
	step  int    // the step the caller's next answer belongs to
	now   time.Time
}

// stepURL is where the answer to this step goes; extra marks how it came (no input, a payment).
func (r renderer) stepURL(extra string) string {
	u := r.base + "/twilio/voice/step?s=" + strconv.Itoa(r.step)
	if extra != "" {
		u += "&" + extra
	}
	return u
}

func (r renderer) say(text string) twiml.Element {
	return &twiml.VoiceSay{Message: text, Voice: r.voice.Name, Language: r.voice.Language}
}

// render builds the TwiML document for a reply.
func (r renderer) render(rep flows.Reply) (string, error) {
	var lines []string
	for _, m := range rep.Says {
		if w := words(m, r.now); w != "" {
			lines = append(lines, tidy(w))
		}
	}
	var verbs []twiml.Element
	switch {
	case rep.End == flows.EndHangup:
		verbs = append(verbs, r.sayAll(lines)...)
		verbs = append(verbs, &twiml.VoiceHangup{})
	case rep.End == flows.EndTransfer:
		verbs = append(verbs, r.sayAll(lines)...)
		verbs = append(verbs, &twiml.VoiceEnqueue{Name: r.voice.Queue,
			Action:  r.base + "/twilio/voice/queue/done?s=" + strconv.Itoa(r.step),
			WaitUrl: r.base + "/twilio/voice/queue/wait", WaitUrlMethod: "POST", Method: "POST"})
	case rep.Ask != nil && rep.Ask.Kind == flows.AskPay:
		verbs = append(verbs, r.sayAll(lines)...)
		verbs = append(verbs, &twiml.VoicePay{
			Action:           r.stepURL("pay=1"),
			ChargeAmount:     fmt.Sprintf("%d.%02d", rep.Ask.Amount/100, rep.Ask.Amount%100),
			Currency:         "gbp",
			PaymentConnector: r.voice.PaymentConnector,
			Description:      fmt.Sprintf("%d visitor parking permits", rep.Ask.Quantity),
			Language:         r.voice.Language,
			PostalCode:       "false",
			Timeout:          strconv.Itoa(max(r.voice.Timeout, 5)),
			MaxAttempts:      "2",
		})
	case rep.Ask != nil && rep.Ask.Kind == flows.AskRecord:
		verbs = append(verbs, r.sayAll(lines)...)
		verbs = append(verbs, &twiml.VoiceRecord{
			Action:                        r.stepURL("record=1"),
			Method:                        "POST",
			RecordingStatusCallback:       r.base + RecordingPath,
			RecordingStatusCallbackEvent:  "completed",
			RecordingStatusCallbackMethod: "POST",
			MaxLength:                     "120",
			FinishOnKey:                   "#",
			PlayBeep:                      "true",
		})
	case rep.Ask != nil:
		for _, o := range rep.Ask.Options {
			lines = append(lines, option(o, r.now))
		}
		verbs = append(verbs, r.gather(rep.Ask, lines))
		// No input falls through the <Gather> to here: the flow decides what follows.
		verbs = append(verbs, &twiml.VoiceRedirect{Url: r.stepURL("silence=1"), Method: "POST"})
	default:
		return "", fmt.Errorf("a reply with neither a question nor an end")
	}
	return twiml.Voice(verbs)
}

// tidy drops the second full stop of a sentence ending in "a.m." or "p.m.".
func tidy(s string) string { return strings.ReplaceAll(s, "m..", "m.") }

// sayAll speaks lines as one <Say>, so the voice keeps a natural rhythm between sentences.
func (r renderer) sayAll(lines []string) []twiml.Element {
	if len(lines) == 0 {
		return nil
	}
	return []twiml.Element{r.say(strings.Join(lines, " "))}
}

// gather asks a question; the prompt is inside the <Gather>, so a caller who knows the
// menu can key ahead without waiting for it to finish.
func (r renderer) gather(a *flows.Ask, lines []string) twiml.Element {
	g := &twiml.VoiceGather{
		Action:   r.stepURL(""),
		Method:   "POST",
		Input:    "dtmf",
		Timeout:  strconv.Itoa(r.voice.Timeout),
		Language: r.voice.Language,
	}
	switch a.Kind {
	case flows.AskChoice:
		g.NumDigits = "1"
	case flows.AskDigits:
		g.NumDigits = strconv.Itoa(a.MaxDigits)
		g.FinishOnKey = "#"
	case flows.AskVRM:
		// Two keys a character, up to 8 characters, and * to correct: hash ends it.
		g.Input = "dtmf speech"
		g.FinishOnKey = "#"
		g.Hints = entry.SpeechHints()
		g.SpeechTimeout = "auto"
		g.Timeout = strconv.Itoa(r.voice.Timeout + 4)
	}
	g.InnerElements = r.sayAll(lines)
	return g
}

// fallback is the TwiML for a failure of the service itself: an apology and, while the
// helpdesk is open, a transfer; the caller never hears silence.
func fallback(v Voice, base string, open bool) string {
	say := &twiml.VoiceSay{Voice: v.Name, Language: v.Language,
		Message: "Sorry, something has gone wrong on our side, and nothing has been changed."}
	verbs := []twiml.Element{say}
	if open {
		say.Message += " Let me put you through to the helpdesk."
		verbs = append(verbs, &twiml.VoiceEnqueue{Name: v.Queue, WaitUrl: base + "/twilio/voice/queue/wait", WaitUrlMethod: "POST"})
	} else {
		say.Message += " Please try again in a few minutes. Goodbye."
		verbs = append(verbs, &twiml.VoiceHangup{})
	}
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return hangup()
	}
	return doc
}
