package desk

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows"
)

// The desk's words for a conversation: what the caller was doing, where, and what went
// wrong, for every flow and state of the phone line and the texts, and for every note
// and failure the flows record (flows.Event Note and Input, Data.LastFailure, the
// transfer's Reason). The agent reads these, never the flows' codes.

// flowWords is what a caller in each flow was doing, as the end of "was ...".
var flowWords = map[string]string{
	flows.FlowIdentify: "identifying themselves",
	flows.FlowMenu:     "at the main menu",
	flows.FlowActivate: "booking a visit",
	flows.FlowCancel:   "cancelling a visit",
	flows.FlowBuy:      "buying permits",
	flows.FlowHelpdesk: "asking for a person",
	flows.FlowNewPIN:   "choosing a new PIN after an agent reset it",
	flows.FlowText:     "texting a command",
	flows.FlowBalance:  "texting for the balance",
	flows.FlowVisits:   "texting for the upcoming visits",
	flows.FlowHours:    "texting for the helpdesk's hours",
	flows.FlowHelp:     "texting for help",
}

// stateWords is where in each flow a caller was: every state of both engines
// (TestEveryStateHasWords).
var stateWords = map[string]map[flows.StateName]string{
	flows.FlowIdentify: {
		flows.IdentifyStart:    "being recognised by their phone number",
		flows.IdentifyAccount:  "keying their 8-digit account number",
		flows.IdentifyPIN:      "keying their phone PIN",
		flows.IdentifyNewcomer: "at the menu for callers not registered",
		flows.IdentifyRegister: "hearing how to register",
		flows.IdentifyHours:    "hearing the helpdesk's hours",
	},
	flows.FlowMenu: {
		flows.MenuMain:    "at the main menu",
		flows.MenuBalance: "hearing the balance",
		flows.MenuHours:   "hearing the helpdesk's hours",
	},
	flows.FlowActivate: {
		flows.ActivateStart:         "starting to book a visit",
		flows.ActivateChooseVehicle: "choosing the visitor's vehicle",
		flows.ActivateEnterVRM:      "giving the visitor's registration",
		flows.ActivateConfirmVRM:    "confirming the registration read back",
		flows.ActivateChooseDate:    "choosing the day of the visit",
		flows.ActivateEnterDate:     "keying the date of the visit",
		flows.ActivateConfirm:       "confirming the visit",
		// The text activation's own states (the shared names above read the same).
		flows.TextActivateCheck: "waiting while the line checked the visit",
		flows.TextActivateNow:   "having the visit activated at once",
	},
	flows.FlowCancel: {
		flows.CancelStart:   "starting to cancel a visit",
		flows.CancelChoose:  "choosing the visit to cancel",
		flows.CancelConfirm: "confirming the cancellation",
	},
	flows.FlowBuy: {
		flows.BuyStart:     "starting to buy permits",
		flows.BuyQuantity:  "keying how many permits",
		flows.BuyQuote:     "hearing the price",
		flows.BuyPay:       "paying by card",
		flows.BuyPayFailed: "hearing that the card payment failed",
	},
	flows.FlowHelpdesk: {flows.HelpdeskStart: "asking for a person",
		flows.HelpdeskOffer:   "choosing a call back or a message while the helpdesk is closed",
		flows.HelpdeskMessage: "leaving a message"},
	flows.FlowText:    {flows.TextStart: "texting a command"},
	flows.FlowBalance: {flows.TextStart: "asking for the balance"},
	flows.FlowVisits:  {flows.TextStart: "asking for the upcoming visits"},
	flows.FlowHours:   {flows.TextStart: "asking for the helpdesk's hours"},
	flows.FlowHelp:    {flows.TextStart: "asking for help"},

	// Choosing a new PIN after an agent reset it.
	flows.FlowNewPIN: {flows.NewPINStart: "handed back after a PIN reset", flows.NewPINFirst: "keying a new PIN",
		flows.NewPINAgain: "keying the new PIN again"},
}

// whereWords is a state in words, "choosing the day of the visit (booking a visit)".
func whereWords(flow, state string) string {
	if w, ok := stateWords[flow][flows.StateName(state)]; ok {
		return w
	}
	if w, ok := flowWords[flow]; ok {
		return w
	}
	return "somewhere the desk has no words for (" + flow + ")"
}

// retryWords is what each retry the flows count (flows.Retry's message, recorded as
// "<message> at <state>" in Data.LastFailure) means.
var retryWords = map[flows.MsgID]string{
	flows.MsgNoInput:         "said or keyed nothing",
	flows.MsgWrongKey:        "pressed a key that isn't one of the choices",
	flows.MsgAccountNotFound: "keyed an account number that isn't 8 digits",
	flows.MsgWrongPIN:        "didn't key a PIN",
	flows.MsgBadEntry:        "gave a registration the line couldn't read",
	flows.MsgBadDate:         "gave a date the line couldn't read",
	flows.MsgBadQuantity:     "keyed a number of permits that can't be bought",
	flows.MsgRefused:         "was refused",
	flows.MsgNewPINInvalid:   "keyed a new PIN that isn't 4 to 6 digits",
}

// failLocked and failIdentify are the flows' own words for a PIN lockout and a number
// past its identification limit (flows/identify.go).
const (
	failLocked   = "PIN locked after 3 wrong tries"
	failIdentify = "too many failed identifications from this number"
)

// exactWords are the notes and failures that carry no value.
var exactWords = map[string]string{
	// Notes.
	"number withheld or unknown":       "called from a withheld or unknown number",
	"number not on one account":        "called from a number not on exactly one account",
	"identified by number as resident": "was recognised by their number as the account holder",
	"identified by number as member":   "was recognised by their number as a member of the account",
	"an account number keyed":          "keyed an account number",
	"identification limit":             "had failed to identify themselves too often from this number",
	"asked for an agent":               "asked for a person",
	"PIN passed":                       "keyed the right PIN",
	"wrong PIN":                        "keyed a wrong PIN",
	"PIN locked":                       "was locked out after too many wrong PINs",
	"repeat":                           "asked to hear it again",
	"had how to register sent by text": "had how to register sent to them by text",
	"asked again for how to register by text: one text a call": "asked again for how to register by text (one text a call: none sent)",
	"chose activate":            "chose to book a visit",
	"chose cancel":              "chose to cancel a visit",
	"chose balance":             "chose to hear the balance",
	"chose buy":                 "chose to buy permits",
	"chose hours":               "chose to hear the helpdesk's hours",
	"heard the balance":         "heard the balance",
	"heard the hours":           "heard the helpdesk's hours",
	"heard the visits":          "heard the upcoming visits",
	"heard the help":            "heard the help text",
	"put through":               "was put through to the helpdesk",
	"helpdesk closed":           "heard the helpdesk is closed",
	"back to the menu":          "went back to the main menu",
	"went back":                 "went back from the closed helpdesk's offer",
	"no message recorded":       "recorded no message",
	"not registered":            "said they are not registered yet",
	"back to the newcomer menu": "went back to the menu for callers not registered",
	"no choice at the closed helpdesk's offer": "chose nothing at the closed helpdesk's offer",
	"a new vehicle":            "gave a vehicle not used before",
	"a vehicle used before":    "gave a vehicle used before",
	"registration confirmed":   "confirmed the registration",
	"registration rejected":    "said the registration read back was wrong",
	"changing the visit":       "chose to change the visit",
	"did not activate":         "chose not to book the visit",
	"chose to pay":             "chose to pay",
	"did not pay":              "chose not to pay",
	"trying the payment again": "tried the payment again",
	"nothing to cancel":        "had no visit that can still be cancelled",
	"kept the visit":           "chose to keep the visit",
	"no reference":             "texted cancel without a visit's reference",

	// Choosing a new PIN after an agent reset it.
	"no PIN reset on this call":                  "was handed back without a PIN reset",
	"PIN reset by an agent: a new one to choose": "was asked to choose a new PIN after an agent reset it",
	"new PIN keyed once":                         "keyed a new PIN once",
	"the PIN was set already":                    "had already chosen a new PIN",
	"new PIN chosen":                             "chose a new PIN",
	"new PIN not 4 to 6 digits":                  "keyed a new PIN that isn't 4 to 6 digits",
	"new PINs did not match":                     "keyed two new PINs that were not the same",
	"new PIN refused":                            "keyed a new PIN the line refused",

	// Failures.
	"no visits left":                      "had no visits left to book with",
	"account number not 8 digits":         "keyed an account number that isn't 8 digits",
	"the account has no phone PIN":        "has no phone PIN on the account",
	"PIN not keyed":                       "didn't key a PIN",
	failLocked:                            "was locked out after 3 wrong PINs",
	failIdentify:                          "failed to identify themselves too often from this number",
	"no payment result":                   "the card payment gave no result",
	"payment without a confirmation code": "the card payment gave no confirmation",
	"may not hear the balance":            "may not hear the balance of this account",
	"may not see the visits":              "may not see this account's visits",
}

// prefixWords are the notes and failures that end with a value: the first whose prefix
// matches says it, given the rest.
var prefixWords = []struct {
	prefix string
	say    func(rest string) string
}{
	{"call back booked, due ", func(rest string) string {
		if t, err := time.Parse("2006-01-02 15:04Z", rest); err == nil {
			rest = t.In(calendar.London).Format("Monday 2 January at 15:04")
		}
		return "booked a call back, due " + rest
	}},
	{"call back refused: ", func(rest string) string { return "was refused a call back: " + refusalText(rest) }},
	{"left a message of ", func(rest string) string {
		return "left a message of " + strings.TrimSuffix(rest, " s") + " seconds"
	}},
	{"identified by number as ", func(rest string) string { return "was recognised by their number as " + rest }},
	{"chose visit ", func(rest string) string { return "chose visit " + rest }},
	{"chose ", func(rest string) string { return "chose the vehicle " + spacedVRM(rest) }},
	{"registration ", func(rest string) string {
		if mark, ok := strings.CutSuffix(rest, " is not valid"); ok {
			return "gave the registration " + mark + ", which isn't a valid UK registration"
		}
		return "gave the registration " + spacedVRM(rest)
	}},
	{"date keyed ", func(rest string) string { return "keyed " + rest + " for the date, which isn't a date the line reads" }},
	{"date texted ", func(rest string) string {
		return "texted " + strconv.Quote(rest) + " for the date, which isn't a date the line reads"
	}},
	{"date ", func(rest string) string {
		d, what, refused := strings.Cut(rest, ": ")
		s := "chose " + dayWords(d)
		if refused {
			s = "was refused a visit on " + dayWords(d) + ": " + refusalText(what)
		}
		return s
	}},
	{"keyed ", func(rest string) string {
		keys, why, _ := strings.Cut(rest, ": ")
		s := "keyed " + keys + " for the registration, which the line couldn't read"
		if why != "" {
			s += " (" + why + ")"
		}
		return s
	}},
	{"said ", func(rest string) string { return "said " + strconv.Quote(rest) + ", which the line couldn't read" }},
	{"activated ", func(rest string) string { return "booked visit " + rest }},
	{"activating: ", func(rest string) string { return "was refused the visit: " + refusalText(rest) }},
	{"texted visit: ", func(rest string) string { return "was refused the texted visit: " + refusalText(rest) }},
	{"texted ", func(rest string) string { return "texted " + strings.ToUpper(rest) }},
	{"buying: ", func(rest string) string { return "was refused permits: " + refusalText(rest) }},
	{"quantity ", func(rest string) string { return "asked for " + rest + " permits" }},
	{"bought ", func(rest string) string { return "bought " + rest }},
	{"paid ", func(rest string) string {
		code, why, _ := strings.Cut(rest, " but refused: ")
		return "paid (payment " + code + ") but the permits could not be issued: " + refusalText(why) + "; a refund is due"
	}},
	{"payment ", func(rest string) string {
		if code, why, ok := strings.Cut(rest, " refused: "); ok {
			return "paid (payment " + code + ") but the purchase was refused: " + refusalText(why)
		}
		return "the card payment failed (" + strings.ReplaceAll(rest, "-", " ") + ")"
	}},
	{"cancelled ", func(rest string) string { return "cancelled visit " + rest }},
	{"cancelling ", func(rest string) string {
		ref, why, _ := strings.Cut(rest, ": ")
		return "was refused cancelling visit " + ref + ": " + refusalText(why)
	}},
	{"no visit ", func(rest string) string {
		return "texted the reference " + strings.TrimSuffix(rest, " on the account") + ", which is no visit of the account"
	}},
}

// retryFailure is how the engine records a counted retry: "<message> at <state>".
var retryFailure = regexp.MustCompile(`^([a-z_]+) at ([a-z_]+)$`)

// ruleCode is the rule a refusal's own message starts with ("R18: ").
var ruleCode = regexp.MustCompile(`^R\d+: `)

// noteWordsOK says a note or a failure the flows recorded in words; ok is false when the
// desk has no words for it (it is then shown as recorded).
func noteWordsOK(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if w, ok := exactWords[s]; ok {
		return w, true
	}
	if m := retryFailure.FindStringSubmatch(s); m != nil {
		if w, ok := retryWords[flows.MsgID(m[1])]; ok {
			return w, true
		}
	}
	if rest, ok := strings.CutPrefix(s, "stuck at "); ok { // the engine's: several tries failed
		where, why, _ := strings.Cut(rest, ": ")
		flow, state, _ := strings.Cut(where, ".")
		w := "got stuck " + whereWords(flow, state)
		if why != "" {
			w += ": " + noteWords(why)
		}
		return w, true
	}
	for _, p := range prefixWords {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			return p.say(rest), true
		}
	}
	if ruleCode.MatchString(s) { // a refusal's own message (flows' authorised)
		return "was refused: " + refusalText(s), true
	}
	return s, false
}

func noteWords(s string) string {
	w, _ := noteWordsOK(s)
	return w
}

// refusalText is a refusal's message without its rule's code.
func refusalText(s string) string { return ruleCode.ReplaceAllString(s, "") }

// dayWords is a YYYY-MM-DD date as "Saturday 5 December", or as given.
func dayWords(s string) string {
	if d, err := calendar.ParseDate(s); err == nil {
		return d.Midnight().Format("Monday 2 January")
	}
	return s
}

// inputWords says an event's input: "pressed 1", "keyed the PIN (not shown)".
func inputWords(in string) string {
	switch {
	case in == "":
		return ""
	case in == "keys (hidden)":
		return "keyed the PIN (not shown)"
	case in == "no input":
		return "said or keyed nothing"
	}
	if k, ok := strings.CutPrefix(in, "keys "); ok {
		if len(k) == 1 {
			return "pressed " + k
		}
		return "keyed " + k
	}
	if t, ok := strings.CutPrefix(in, "said "); ok {
		return "said " + strconv.Quote(t)
	}
	if t, ok := strings.CutPrefix(in, "texted "); ok {
		return "texted " + strconv.Quote(t)
	}
	if t, ok := strings.CutPrefix(in, "payment "); ok {
		return "card payment: " + strings.ReplaceAll(t, "-", " ")
	}
	return in
}

// reasonWords says why the caller was put through: flows.Helpdesk's "asked for an agent"
// (perhaps "after: <failure>") or the engine's "stuck at <flow>.<state>: <failure>". The
// failure is the call's last one, which the desk says apart (stuckWords).
func reasonWords(r string) string {
	switch {
	case r == "":
		return ""
	case r == "asked for an agent", strings.HasPrefix(r, "asked for an agent after: "):
		return "The caller asked for a person."
	case strings.HasPrefix(r, "stuck at "):
		return "The line put the caller through after several failed tries: they " + noteWords(r) + "."
	}
	return upperFirst(noteWords(r)) + "."
}

// reasonInFull is reasonWords with the call's last problem, for one line of today's calls.
func reasonInFull(t domain.Transfer) string {
	r := reasonWords(t.Reason)
	if st := stuckWords(parseContext(t.Context)); st != "" && !strings.HasPrefix(t.Reason, "stuck at ") {
		r = strings.TrimSuffix(r, ".") + " after a problem: they " + st + "."
	}
	return r
}

// doingWords says what the caller was doing, from the last flow before the helpdesk and
// what they had entered: "was booking a visit for AB12 CDE on Saturday 5 December".
func doingWords(flow string, c callContext) string {
	s := "was " + whereWordsFlow(flow)
	switch flow {
	case flows.FlowActivate:
		if c.VRM != "" {
			s += " for " + spacedVRM(c.VRM)
		}
		if c.Date != "" {
			s += " on " + dayWords(c.Date)
		}
	case flows.FlowBuy:
		if c.Quantity > 0 {
			s += fmt.Sprintf(" (%d)", c.Quantity)
		}
	}
	return s
}

func whereWordsFlow(flow string) string {
	if w, ok := flowWords[flow]; ok {
		return w
	}
	return "in " + flow
}

// stuckWords says where the caller got stuck, from the last failure and the tries:
// "could not key a PIN the line accepted: 2 wrong tries".
func stuckWords(c callContext) string {
	if c.LastFailure == "" {
		return ""
	}
	wrong := 0
	for _, e := range c.History {
		switch e.Note {
		case "wrong PIN":
			wrong++
		case "PIN passed":
			wrong = 0
		}
	}
	switch {
	case c.LastFailure == failLocked:
		return "was locked out of the phone PIN after " + plural(domain.PINAttempts, "wrong try", "wrong tries")
	case c.LastFailure == "wrong PIN" || strings.HasSuffix(c.LastFailure, " at "+string(flows.IdentifyPIN)):
		s := "could not key a PIN the line accepted"
		if wrong > 0 {
			s += ": " + plural(wrong, "wrong try", "wrong tries")
		}
		if m := retryFailure.FindStringSubmatch(c.LastFailure); m != nil {
			s += " (last " + retryWords[flows.MsgID(m[1])] + ")"
		}
		return s
	}
	return noteWords(c.LastFailure)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// standingWords says how many PIN tries the caller has left, and what the agent must be
// warned of: one try from the lockout, locked out, no PIN, registration expired (R3), a
// refund due (R24).
func standingWords(st domain.Standing, t domain.Transfer, now time.Time) (pin string, warnings []string) {
	if t.Caller.Kind == domain.ActorResident || t.Caller.Kind == domain.ActorMember {
		switch {
		case !st.HasPIN:
			pin = "no phone PIN is set"
			warnings = append(warnings, "The caller has no phone PIN: check who they are before you act.")
		case !st.LockedUntil.IsZero():
			pin = "locked until " + when(st.LockedUntil, now)
			warnings = append(warnings, fmt.Sprintf("Locked out: the phone PIN is locked until %s after %d wrong tries.",
				when(st.LockedUntil, now), domain.PINAttempts))
		default:
			pin = plural(st.TriesLeft, "try", "tries") + " left before the lockout"
			if st.TriesLeft == 1 {
				warnings = append(warnings, "One try from lockout: one more wrong PIN locks the phone PIN for "+
					plural(int(domain.PINLockout/time.Minute), "minute.", "minutes."))
			}
		}
	}
	if t.ResidentID != 0 {
		if !st.Registered {
			w := "Not registered: the account cannot buy permits (R3) until a proof of address is approved."
			if !st.ExpiredAt.IsZero() {
				w = "Registration expired on " + longDate(calendar.DateOf(st.ExpiredAt)) +
					": the resident can use visits but cannot buy permits until it is renewed."
			}
			warnings = append(warnings, w)
		}
		if st.RefundsDue > 0 {
			warnings = append(warnings, plural(st.RefundsDue, "refund is", "refunds are")+
				" due to this account: a payment was taken but its permits could not be issued (see the refunds page).")
		}
	}
	return pin, warnings
}

// The desk's words for an account an agent picked for a caller the line did not identify.
const (
	// pickedWords follows a PIN reset or a lifted lockout on such a call.
	pickedWords = "The line had not identified this caller: the account you picked is now recorded as theirs, not as having passed the PIN."
	// pickedHint is the PIN form's note on such a call.
	pickedHint = "The line did not identify this caller: the account was found by you, so both questions are needed, even to lift a lockout."
	// pickedBackWords is where handing back sends such a caller after a lifted lockout.
	pickedBackWords = "The line did not identify this caller: handing back puts them at the start of identification, " +
		"to key their account number and PIN. They are not marked as verified."
)

// callbackStatusWords say where a callback stands, as the end of "This callback is ...".
var callbackStatusWords = map[domain.CallbackStatus]string{
	domain.CallbackPending:   "waiting to be made",
	domain.CallbackCalling:   "being made: the line is calling the resident",
	domain.CallbackConnected: "being made: the resident answered and is put through to you",
	domain.CallbackDone:      "done",
	domain.CallbackFailed:    "not answered after every try: the resident was texted",
	domain.CallbackCancelled: "cancelled",
}

// callbackStatusText says where a callback stands.
func callbackStatusText(s domain.CallbackStatus) string {
	if w, ok := callbackStatusWords[s]; ok {
		return w
	}
	return "in an unknown state"
}

// The desk's words for working a callback.
const (
	// callbackNoReset is the PIN form's note on a callback.
	callbackNoReset = "A PIN can't be reset on a callback: the new PIN is chosen on the keypad of a call the line hands back. " +
		"Lift the lockout here, or ask the resident to call the line and press 0 for a reset."
	callbackWaiting  = "The callback is waiting: take it to act on it."
	callbackOver     = "This callback is over: nothing more can be done on it here."
	callbackNotYours = "Only the agent making this callback can act on it."
	// callbackNotReached follows "Not answered" on a callback, with what happens next.
	callbackAgain  = "Recorded as not answered: the callback is due again in 10 minutes, first in the list."
	callbackFailed = "Recorded as not answered: that was the last try, and the resident is texted that we could not reach them."
)

// actionWords name what each entry of an account's audit records, for its activity on
// the desk (TestEveryAuditActionHasWords).
var actionWords = map[string]string{
	"account.found":        "found the account by a search",
	"account.lookup":       "opened the account for a caller",
	"address.active":       "changed whether the address is active",
	"agent.add":            "added an agent",
	"call.take":            "took a call",
	"call.to_payment":      "sent the caller to the line's payment step",
	"call.not_reached":     "could not reach an agent",
	"call.returned":        "handed the call back to the line",
	"call.done":            "finished a call",
	"call.identify":        "picked this account as the caller's",
	"callback.book":        "asked to be called back",
	"callback.take":        "took a callback",
	"callback.answered":    "answered the callback",
	"callback.unanswered":  "callback not answered",
	"callback.failed":      "callback not answered after every try",
	"callback.done":        "finished a callback",
	"callback.cancelled":   "cancelled a callback",
	"member.add":           "added a member",
	"permits.buy":          "bought permits",
	"pin.chosen":           "chose a new PIN",
	"pin.locked":           "PIN locked",
	"pin.reset":            "reset the PIN",
	"pin.set":              "set the PIN",
	"pin.unlock":           "lifted the PIN lockout",
	"pin.wrong":            "keyed a wrong PIN",
	"refund.due":           "refund due",
	"refund.settle":        "settled a refund",
	"registration.approve": "approved the registration",
	"resident.add":         "registered the account",
	"scheme.import":        "imported the scheme",
	"text.register_help":   "texted how to register",
	"text.resend":          "sent a text again",
	"vehicle.add":          "saved a vehicle",
	"visit.activate":       "activated a visit",
	"visit.cancel":         "cancelled a visit",
	"voicemail.done":       "dealt with a voicemail",
}

// actionText says what an audit entry records, in words.
func actionText(action string) string {
	if w, ok := actionWords[action]; ok {
		return w
	}
	return action
}
