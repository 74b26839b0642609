// Package flows holds the conversations the line has with residents: identifying the
// caller, the main menu, activating and cancelling visits, the balance, buying permits
// and reaching the helpdesk on the phone; activating a visit and the one-shot commands
// (cancel, balance, visits, hours, help) by text. Each flow is one file: its whole graph
// as a table of edges between typed states (the exits to other flows included, run on
// looplab/fsm), what each state asks for, how an answer moves it on (one Next: an edge,
// a retry, again, or an end), and which domain call it makes.
//
// The engine emits data, never words: a Reply is a list of typed messages and the input
// it waits for. The voice channel (ivr) and the text channel (sms) render them in their
// own words. Problems in a conversation (a wrong key, a refusal) are transitions, not Go
// errors. A Session is saved after every step (flows/runner does it for every channel).
// The runner also keeps in memory the session a call's last step committed, so that the
// next step need not read and decode it again; that is safe because every step is saved
// with the conversation's version check, and a kept session that has moved on elsewhere
// (another process, a restart, the call's end) fails it and is read again from the store.
package flows

import (
	"slices"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// MaxRetries is how many times a state re-asks after no input or a wrong answer before
// a call goes to the helpdesk flow (a text conversation ends with a polite goodbye).
const MaxRetries = 2

// InputKind says what kind of answer arrived.
type InputKind string

// The kinds of input.
const (
	InputNone    InputKind = ""        // nothing: a conversation starting or a state entered
	InputKeys    InputKind = "keys"    // keypad digits
	InputSpeech  InputKind = "speech"  // a spoken answer, transcribed
	InputText    InputKind = "text"    // a text message
	InputSilence InputKind = "silence" // no answer before the timeout
	InputPay     InputKind = "pay"     // the result of a card payment
	InputRecord  InputKind = "record"  // a recording made (a message for the helpdesk)
	InputYes     InputKind = "yes"     // a texted yes
	InputNo      InputKind = "no"      // a texted no
)

// Input is one answer from the person.
type Input struct {
	Kind   InputKind
	Keys   string
	Speech string
	Text   string
	Pay    PayResult
	Record RecordResult
	// Late marks an answer that came after the conversation ended (Engine.Late).
	Late bool `json:"-"`
}

// PayResult is what the payment provider reported; no card number ever reaches us.
type PayResult struct {
	Result           string // success, payment-connector-error, caller-interrupted, ...
	ConfirmationCode string
	CardType         string
	Error            string
}

// RecordResult is what the provider reported of a recording: where it is and how long.
type RecordResult struct {
	Sid      string
	URL      string // without an extension
	Duration int    // seconds; 0: nothing was recorded
}

// AskKind says what kind of answer a state waits for.
type AskKind string

// The kinds of question.
const (
	AskChoice AskKind = "choice" // one key from Options; * repeats, 0 is an agent
	AskDigits AskKind = "digits" // up to MaxDigits keys, ended by #
	AskVRM    AskKind = "vrm"    // a registration keyed two keys a character (ended by #) or said
	AskPay    AskKind = "pay"    // a card payment of Amount
	AskRecord AskKind = "record" // a recorded message, ended by # or silence
)

// Ask is the input a state waits for.
type Ask struct {
	Kind      AskKind
	Options   []Option
	MaxDigits int
	Secret    bool // never echo or record the keys (a PIN)
	Amount    domain.Pence
	Quantity  int
}

// Option is one key of a choice and what it does.
type Option struct {
	Key string
	Msg Msg
}

// End says how a conversation leaves the automated line.
type End string

// The ways a conversation ends.
const (
	EndNone     End = ""
	EndHangup   End = "hangup"
	EndTransfer End = "transfer" // into the helpdesk queue
)

// Reply is what the line answers at one step: things to say, then one question, or an end.
type Reply struct {
	Says []Msg
	Ask  *Ask
	End  End
	// Transfer is the reason the caller is being put through to the helpdesk.
	Transfer string
}

// Event is one thing that happened in a conversation, kept for the agent who may take it over.
type Event struct {
	At    time.Time `json:"at"`
	Flow  string    `json:"flow"`
	State string    `json:"state"`
	Input string    `json:"input,omitempty"`
	Note  string    `json:"note,omitempty"`
}

// Data is what a conversation has collected so far; it is saved as JSON between steps.
type Data struct {
	Channel domain.Channel `json:"channel"`
	Key     string         `json:"key"` // the CallSid, or the SMS number pair
	From    string         `json:"from"`
	Caller  *domain.Caller `json:"caller,omitempty"`
	// Account is the account number the caller keyed to identify themselves, whether or
	// not it is one (Caller is nil for one that is not).
	Account  string `json:"account,omitempty"`
	Verified bool   `json:"verified"`
	Retries  int    `json:"retries"`

	Vehicles []string `json:"vehicles,omitempty"` // offered, in key order
	VRM      string   `json:"vrm,omitempty"`
	Date     string   `json:"date,omitempty"` // YYYY-MM-DD
	// DateText is a date texted with an activation that could not be read as one.
	DateText string   `json:"date_text,omitempty"`
	Visits   []string `json:"visits,omitempty"`
	Ref      string   `json:"ref,omitempty"`
	// Command is what the text that started a text conversation asked for.
	Command  Command `json:"command,omitempty"`
	Quantity int     `json:"quantity,omitempty"`
	// RegisterTexted is true once the caller was texted how to register on this call.
	RegisterTexted bool `json:"register_texted,omitempty"`

	// LastFailure says what went wrong last, in a few words, for the agent.
	LastFailure string  `json:"last_failure,omitempty"`
	History     []Event `json:"history,omitempty"`

	// NewPINTag is a keyed tag of a new PIN keyed once, to check the second keying
	// against; never the PIN itself.
	NewPINTag []byte `json:"new_pin_tag,omitempty"`
}

// VisitDate returns the collected visit date.
func (d *Data) VisitDate() calendar.Date {
	v, _ := calendar.ParseDate(d.Date)
	return v
}

// Session is a conversation between two steps: where it is and what it holds.
type Session struct {
	Flow  string
	State string
	Data  Data
}

// Clone returns a copy of the session that shares nothing with it, to step on trial.
func (s *Session) Clone() *Session {
	c := *s
	c.Data.Vehicles = slices.Clone(s.Data.Vehicles)
	c.Data.Visits = slices.Clone(s.Data.Visits)
	c.Data.History = slices.Clone(s.Data.History)
	c.Data.NewPINTag = slices.Clone(s.Data.NewPINTag)
	if s.Data.Caller != nil {
		caller := *s.Data.Caller
		caller.Permissions = slices.Clone(caller.Permissions)
		c.Data.Caller = &caller
	}
	return &c
}
