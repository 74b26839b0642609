package ivr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/flows"
	"permitline/ivr/speak"
)

// sayings is what the line says for each message that says the same every time; words
// writes the rest from the message's values.
var sayings = map[flows.MsgID]string{
	flows.MsgWelcome:         "Welcome to the visitor parking permit line.",
	flows.MsgAskAccount:      "Please key your " + strconv.Itoa(domain.AccountDigits) + "-digit account number, then press hash. If you're not registered yet, press 9. To speak to someone, press 0.",
	flows.MsgAccountNotFound: "Sorry, I can't find that account number. It has " + strconv.Itoa(domain.AccountDigits) + " digits and is on your registration email.",
	flows.MsgAskPIN:          "Please key your phone PIN, then press hash. If you've forgotten your PIN, press 0.",
	flows.MsgPINHelp:         "An agent can reset your phone PIN. You can also call the helpdesk on " + domain.HelpdeskPhone + " while it's open.",
	flows.MsgCannotIdentify:  "Sorry, I can't identify you by phone at the moment.",
	flows.MsgNoPIN:           "This account has no phone PIN yet, so I can't take you any further myself.",
	flows.MsgNoInput:         "Sorry, I didn't hear anything.",
	flows.MsgGoodbye:         "Thank you for calling. Goodbye.",
	flows.MsgAskMessage: "After the tone, please say your name, your account number if you have it, and your message. " +
		"Press hash when you've finished.",
	flows.MsgMessageLeft: "Thank you, your message has been left for the helpdesk. Goodbye.",
	flows.MsgStuck:       "Let me put you through to someone who can help.",
	flows.MsgAskVehicle:  "Which vehicle is the visit for?",
	flows.MsgAskVRM: "Please say the registration. Or key it in: for each letter, press the key with that letter, " +
		"then its position on the key, so C is 2 then 3. For a number, press the number, then 0. " +
		"Press star to delete, and hash when you've finished.",
	flows.MsgAskDate:       "Which day is the visit?",
	flows.MsgNotActivated:  "OK, no visit has been used.",
	flows.MsgAskWhichVisit: "Which visit would you like to cancel?",
	flows.MsgKept:          "OK, the visit is still booked.",
	flows.MsgNoRefunds:     "Permits can't be refunded or exchanged, and a permit doesn't reserve or guarantee a parking space.",
	flows.MsgBackToMenu:    "To go back to the menu, press 9.",
	// Star twice where a lone 9 is an answer (a quantity): star alone repeats, as everywhere.
	flows.MsgBackToMenuStars: "To go back to the menu, press star twice.",
	flows.MsgRegisterTexted:  "A text is on its way to you, with how to register, and the helpdesk's number and hours.",
	flows.MsgTransferring:    "Putting you through to the helpdesk. The agent will see what you've done so far.",

	// Choosing a new PIN after an agent reset it.
	flows.MsgAskNewPIN:      "Please choose a new phone PIN of 4 to 6 digits: key it now, then press hash.",
	flows.MsgAskNewPINAgain: "Please key the same new PIN again, then press hash.",
	flows.MsgNewPINInvalid:  "Sorry, that PIN can't be used. A PIN is 4 to 6 digits.",
	flows.MsgNewPINMismatch: "Sorry, the two PINs were not the same. Let's start again.",
	flows.MsgNewPINSet:      "Thank you. Your new PIN is set.",
	flows.MsgRegisterHow: "You can register online with MiPermit, at the Cambridgeshire County Council Digital Permits site: " +
		"that's mipermit dot com. Or by post, to Parking Permits, P O Box 7 6 1, Huntingdon, P E 2 9, 9 Q R. " +
		"For help registering, call the helpdesk on " + speak.Digits(domain.HelpdeskPhone) + ".",
}

// words says a flow's message the way the phone line speaks: short British English
// sentences, dates as people say them, money in pounds, registrations letter by letter.
func words(m flows.Msg, now time.Time) string {
	if s, ok := sayings[m.ID]; ok {
		return s
	}
	today := calendar.DateOf(now)
	switch m.ID {
	case flows.MsgThanks:
		if m.Name == "" {
			return "Thank you."
		}
		return fmt.Sprintf("Thank you, %s.", firstName(m.Name))
	case flows.MsgWrongPIN:
		return wrongPIN(m.N)
	case flows.MsgLockedOut:
		return lockedOut(m.Until, now)
	case flows.MsgWrongKey:
		if m.Text == "" {
			return "Sorry, I didn't get that."
		}
		return fmt.Sprintf("Sorry, %s isn't one of the choices.", keyName(m.Text))
	case flows.MsgVRMReadBack:
		return fmt.Sprintf("I have %s.", speak.SpellVRM(m.VRM))
	case flows.MsgAskDayMonth:
		return askDayMonth(m.Dates, today)
	case flows.MsgBadDate:
		if m.Text == "" {
			return "Sorry, that isn't a date I can use."
		}
		return fmt.Sprintf("Sorry, %s.", strings.TrimSuffix(m.Text, "."))
	case flows.MsgBadEntry:
		if m.Text == "" {
			return "Sorry, I didn't catch a registration."
		}
		return fmt.Sprintf("Sorry, I couldn't read that registration: %s.", strings.TrimSuffix(m.Text, "."))
	case flows.MsgConfirmVisit:
		s := fmt.Sprintf("That's one visit for %s %s", speak.Plate(m.VRM), onDay(m.Date, today))
		if !m.At.IsZero() {
			s += fmt.Sprintf(", from %s to %s", speak.Time(m.At), speak.Time(m.Until))
		}
		return s + "."
	case flows.MsgActivated:
		return fmt.Sprintf("Done. %s has a visit %s. Your reference is %s. You have %s left. %s",
			speak.Plate(m.VRM), onDay(m.Date, today), speak.Digits(m.Ref), speak.Plural(m.N, "visit", "visits"),
			cancelUntil(m.Until, m.At, now))
	case flows.MsgRefused:
		return refusal(m.Err, now)
	case flows.MsgNoCancellable:
		if m.N > 0 {
			return fmt.Sprintf("None of your visits can be cancelled now: a visit can be cancelled until %s before it starts.",
				minutes(domain.CancelNotice))
		}
		return "You have no upcoming visits to cancel."
	case flows.MsgConfirmCancel:
		return fmt.Sprintf("That's the visit for %s %s.", speak.Plate(m.VRM), onDay(m.Date, today))
	case flows.MsgCancelled:
		return fmt.Sprintf("Done. The visit for %s %s is cancelled, and the visit is back on your permit.",
			speak.Plate(m.VRM), onDay(m.Date, today))
	case flows.MsgBalance:
		return balance(m.Balance, now)
	case flows.MsgPrice:
		return fmt.Sprintf("Permits cost %s each, with %s, valid %d months.", speak.Money(m.Money),
			speak.Plural(m.N, "visit", "visits"), domain.PermitValidityMonths)
	case flows.MsgAskQuantity:
		if m.N == 1 {
			return "You can buy one more permit this permit year. Press 1, then hash, to buy it."
		}
		return fmt.Sprintf("How many permits would you like? You can buy up to %s. Key the number, then press hash.",
			speak.Number(m.N))
	case flows.MsgBadQuantity:
		return fmt.Sprintf("Sorry, please key a number from 1 to %s.", speak.Number(m.N))
	case flows.MsgQuote:
		return fmt.Sprintf("%s %s. Each has %d visits and lasts %d months.",
			capital(speak.Plural(m.N, "permit costs", "permits cost")), speak.Money(m.Money), domain.VisitsPerPermit,
			domain.PermitValidityMonths)
	case flows.MsgPaying:
		return fmt.Sprintf("I'll now take a card payment of %s. Your card details go straight to our payment "+
			"provider. Press star at any time to stop.", speak.Money(m.Money))
	case flows.MsgPaid:
		return fmt.Sprintf("Thank you. Your payment of %s was taken, and %s now on your account, valid until %s. %s",
			speak.Money(m.Money), speak.Plural(m.N, "permit is", "permits are"), speak.Date(calendar.DateOf(m.Until), today),
			paymentRef(m.Ref))
	case flows.MsgPayFailed:
		return payFailed(m.Text)
	case flows.MsgPaidRefused:
		return fmt.Sprintf("Your payment of %s was taken, but the permits couldn't be added: %s "+
			"A refund of %s is due to you, and will be made to your card.", speak.Money(m.Money), refusal(m.Err, now),
			speak.Money(m.Money))
	case flows.MsgHours:
		return hours(m.Helpdesk, now)
	case flows.MsgCallbackBooked:
		day := speak.Date(calendar.DateOf(m.At), today)
		if !strings.HasPrefix(day, "today") && !strings.HasPrefix(day, "tomorrow") {
			day = "on " + day
		}
		return fmt.Sprintf("We'll call you back on the number ending %s %s, after %s. Goodbye.",
			speak.Digits(m.Text[max(0, len(m.Text)-4):]), day, speak.Time(m.At))
	case flows.MsgClosed:
		return fmt.Sprintf("The helpdesk is closed now. It opens %s. This automated line is open all day, every day.",
			speak.When(m.Helpdesk.NextOpening, now))
	}
	return ""
}

// optionWords is what each choice of a menu says before its key, where it says the same
// every time; option words the rest from the choice's values.
var optionWords = map[flows.MsgID]string{
	flows.MsgOptActivate:     "To activate a visit",
	flows.MsgOptCancel:       "To cancel a visit",
	flows.MsgOptBalance:      "To hear your balance",
	flows.MsgOptBuy:          "To buy permits",
	flows.MsgOptHours:        "For the helpdesk hours",
	flows.MsgOptAgent:        "To speak to an agent",
	flows.MsgOptRepeat:       "To hear this again",
	flows.MsgOptMenu:         "To go back to the main menu",
	flows.MsgOptRegister:     "To hear how to register",
	flows.MsgOptAccount:      "To key your account number",
	flows.MsgOptBack:         "To go back",
	flows.MsgOptYes:          "If that's right",
	flows.MsgOptNo:           "To change it",
	flows.MsgOptKeep:         "To keep it and go back to the main menu",
	flows.MsgOptTextRegister: "To have this sent to you by text",
	flows.MsgOptOtherVRM:     "For a different vehicle",
	flows.MsgOptToday:        "For today",
	flows.MsgOptPayCard:      "To pay by card",
	flows.MsgOptRetryPay:     "To try the payment again",
	flows.MsgOptCallback:     "To have us call you back when we open",
	flows.MsgOptMessage:      "To leave a message",
	flows.MsgOptIdentify:     "To go back to the start",
}

// option says one choice of a menu, with its key.
func option(o flows.Option, now time.Time) string {
	var what string
	switch o.Msg.ID {
	case flows.MsgOptVehicle:
		what = "For " + speak.Plate(o.Msg.VRM)
	case flows.MsgOptTomorrow:
		what = "For tomorrow, " + plainDate(o.Msg.Date)
	case flows.MsgOptOtherDate:
		what = fmt.Sprintf("For another date, up to %d days ahead", domain.MaxDaysAhead)
	case flows.MsgOptVisit:
		what = fmt.Sprintf("For %s %s", speak.Plate(o.Msg.VRM), onDay(o.Msg.Date, calendar.DateOf(now)))
	default:
		var ok bool
		if what, ok = optionWords[o.Msg.ID]; !ok {
			return ""
		}
	}
	return fmt.Sprintf("%s, press %s.", what, keyName(o.Key))
}

// askDayMonth asks for a date as four digits, with a day the caller could book as the
// example (days, from the flow: the next bookable days), not one that needs no permit.
// Tomorrow has its own key, so the example is a later day where there is one.
func askDayMonth(days []calendar.Date, today calendar.Date) string {
	const ask = "Please key the day and the month as four digits"
	if len(days) == 0 {
		return ask + "."
	}
	ex := days[0]
	for _, d := range days {
		if d != today.AddDays(1) {
			ex = d
			break
		}
	}
	keys := fmt.Sprintf("%02d%02d", ex.Day, int(ex.Month))
	return fmt.Sprintf("%s: for %s, key %s.", ask, plainDate(ex), strings.Join(strings.Split(keys, ""), " "))
}

// refChars is how many characters of a payment reference are read aloud: the provider's
// references are long, and their end tells one payment from another.
const refChars = 6

// paymentRef reads a payment reference slowly, in groups, as visit references are read:
// the whole of a short one, the end of a long one.
func paymentRef(ref string) string {
	ref = strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, ref))
	switch {
	case ref == "":
		return ""
	case len(ref) <= refChars:
		return fmt.Sprintf("Your payment reference is %s.", speak.Digits(ref))
	}
	return fmt.Sprintf("Your payment reference ends in %s.", speak.Digits(ref[len(ref)-refChars:]))
}

// keyName says a key as it is printed on the keypad.
func keyName(k string) string {
	switch k {
	case "*":
		return "star"
	case "#":
		return "hash"
	}
	return k
}

// onDay says when a day is, relative to today: "today", "tomorrow, Tuesday the first of
// December", "on Saturday the fifth of December".
func onDay(d, today calendar.Date) string {
	if d == today || d == today.AddDays(1) {
		return speak.Date(d, today)
	}
	return "on " + speak.Date(d, today)
}

// plainDate says a date without "today" or "tomorrow": "Tuesday the first of December".
func plainDate(d calendar.Date) string {
	return fmt.Sprintf("%s the %s of %s", d.Weekday(), speak.Ordinal(d.Day), d.Month)
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// cancelUntil says until when a visit can be cancelled (R17).
func cancelUntil(deadline, start, now time.Time) string {
	switch {
	case !start.After(now):
		return "It has started, so it can't be cancelled."
	case deadline.Before(now):
		return fmt.Sprintf("It starts within %s, so it can't be cancelled.", minutes(domain.CancelNotice))
	}
	return "You can cancel this visit until " + strings.TrimPrefix(speak.When(deadline, now), "on ") + "."
}

func balance(b *domain.Balance, now time.Time) string {
	today := calendar.DateOf(now)
	var s []string
	if len(b.Permits) == 0 {
		s = append(s, "You have no permits at the moment.")
	} else {
		s = append(s, fmt.Sprintf("You have %s, with %s left.", speak.Plural(len(b.Permits), "permit", "permits"),
			speak.Plural(b.VisitsLeft, "visit", "visits")))
		if !b.SoonestExpiry.IsZero() {
			s = append(s, fmt.Sprintf("The first to expire runs out on %s.", speak.Date(calendar.DateOf(b.SoonestExpiry), today)))
		}
	}
	if b.AllowanceLeft == 0 {
		s = append(s, fmt.Sprintf("You've bought all %d permits for this permit year; the allowance renews on %s.",
			domain.PermitsPerYear, speak.Date(b.RenewsOn, today)))
	} else {
		s = append(s, fmt.Sprintf("You can buy %s more %s before %s.", speak.Number(b.AllowanceLeft),
			map[bool]string{true: "permit", false: "permits"}[b.AllowanceLeft == 1], speak.Date(b.RenewsOn, today)))
	}
	switch {
	case b.Registered:
		s = append(s, fmt.Sprintf("Your registration is valid until %s.", speak.Date(calendar.DateOf(b.Registration.ExpiresAt), today)))
	case !b.Registration.ExpiresAt.IsZero():
		s = append(s, fmt.Sprintf("Your registration expired on %s: you'll need to register again to buy permits, "+
			"but you can still use the visits you have.", speak.Date(calendar.DateOf(b.Registration.ExpiresAt), today)))
	default:
		s = append(s, "Your account has no approved registration yet, so permits can't be bought.")
	}
	return strings.Join(s, " ")
}

func hours(st *calendar.Status, now time.Time) string {
	var s string
	if st.Open {
		s = fmt.Sprintf("The helpdesk is open now, until %s.", speak.Time(st.ClosesAt))
	} else {
		s = fmt.Sprintf("The helpdesk is closed now. It opens %s.", speak.When(st.NextOpening, now))
	}
	return s + " " + week(calendar.HelpdeskWeek(), calendar.DateOf(now)) + " This automated line is open all day, every day."
}

// dayKinds names the kinds of day the helpdesk's hours depend on, as the line says them.
var dayKinds = map[calendar.DayKind]string{calendar.Weekday: "Monday to Friday", calendar.Saturday: "Saturday",
	calendar.Sunday: "Sunday", calendar.BankHoliday: "bank holidays", calendar.ChristmasDay: "Christmas Day"}

// week says the helpdesk's hours: "It's open Monday to Friday from eight a.m. to six
// p.m., ..., and Sunday and bank holidays from ten a.m. to four p.m. It's closed on
// Christmas Day." on is any day, for the clock times.
func week(days []calendar.OpeningHours, on calendar.Date) string {
	var open, closed []string
	for _, oh := range days {
		var names []string
		for _, k := range oh.Kinds {
			names = append(names, dayKinds[k])
		}
		if !oh.Open {
			closed = append(closed, speak.List(names))
			continue
		}
		opens, closes := oh.Span.On(on)
		open = append(open, fmt.Sprintf("%s from %s to %s", speak.List(names), speak.Time(opens), speak.Time(closes)))
	}
	var s []string
	switch n := len(open); {
	case n == 1:
		s = append(s, "It's open "+open[0]+".")
	case n > 1:
		s = append(s, "It's open "+strings.Join(open[:n-1], ", ")+", and "+open[n-1]+".")
	}
	if len(closed) > 0 {
		s = append(s, "It's closed on "+speak.List(closed)+".")
	}
	return strings.Join(s, " ")
}

func payFailed(result string) string {
	switch result {
	case "caller-interrupted":
		return "The payment was stopped, and nothing was taken."
	case "payment-connector-error":
		return "Sorry, the card payment didn't go through, and nothing was taken. The card may have been declined."
	case "input-matching-failed", "too-many-failed-attempts":
		return "Sorry, the card details weren't recognised, and nothing was taken."
	}
	return "Sorry, the payment couldn't be completed, and nothing was taken."
}

// refusal explains a rule's refusal and what the caller can do instead. An error that is
// no refusal the table words gets an apology.
func refusal(err error, now time.Time) string {
	if s, ok := refusalWords(err, now); ok {
		return s
	}
	return "Sorry, that couldn't be done."
}

// refusalWords is the phone line's table of refusals: its words for every refusal the
// domain gives (domain.RefusalExamples), with the limits taken from the domain's
// constants. ok is false when err holds no refusal, or one of a type it has no words for.
func refusalWords(err error, now time.Time) (s string, ok bool) {
	var r domain.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	today := calendar.DateOf(now)
	switch e := r.(type) {
	case *domain.DuplicateResidentError:
		return "You already have an account at this address. An agent can help you use it.", true
	case *domain.ProofRefusedError: // its reason has dates written for the desk
		return fmt.Sprintf("Your proof of address wasn't accepted. Please send a full UK driving licence, a tenancy "+
			"agreement with at least %d months left to run, or a utility bill dated within the last %d months. "+
			"An agent can tell you how.", domain.TenancyMonthsLeft, domain.BillMonthsOld), true
	case *domain.RegistrationNeededError:
		if e.ExpiredAt.IsZero() {
			return "Your account has no approved registration yet, so permits can't be bought. " +
				"To register, send a proof of address; an agent can tell you how.", true
		}
		return fmt.Sprintf("Your registration expired on %s, so permits can't be bought until you register again "+
			"with a proof of address. You can still use the visits you have.", speak.Date(calendar.DateOf(e.ExpiredAt), today)), true
	case *domain.AddressInactiveError:
		return "Your address isn't active on our system. Please email the Parking Permits Team.", true
	case *domain.NotPermittedError:
		what := map[domain.Permission]string{domain.PermActivate: "activate or cancel visits", domain.PermBuy: "buy permits",
			domain.PermView: "hear this account's details"}[e.Need]
		return fmt.Sprintf("Your access to this account doesn't let you %s. The account holder can change that.", what), true
	case *domain.DuplicateMemberError:
		if e.Holder {
			return "That phone number is the account holder's own. A member needs a number of their own.", true
		}
		return fmt.Sprintf("That phone number is already %s's, a member of the account.", e.Member), true
	case *domain.PaymentMismatchError:
		return fmt.Sprintf("The payment of %s isn't the price of %s, so nothing was bought.", speak.Money(e.Paid),
			speak.Money(e.Due)), true
	case *domain.AllowanceError:
		if e.Remaining == 0 {
			return fmt.Sprintf("You've bought all %d permits for this permit year. Your allowance renews on %s.",
				domain.PermitsPerYear, speak.Date(e.RenewsOn, today)), true
		}
		return fmt.Sprintf("You can buy only %s more %s this permit year: the limit is %d a year. The allowance renews on %s.",
			speak.Number(e.Remaining), map[bool]string{true: "permit", false: "permits"}[e.Remaining == 1],
			domain.PermitsPerYear, speak.Date(e.RenewsOn, today)), true
	case *domain.InvalidVRMError:
		s := fmt.Sprintf("That doesn't look like a UK registration: %s.", strings.TrimSuffix(e.Reason, "."))
		if len(e.Suggestions) > 0 {
			s += fmt.Sprintf(" Did you mean %s?", speak.SpellVRM(e.Suggestions[0]))
		}
		return s, true
	case *domain.DateOutOfRangeError:
		return fmt.Sprintf("A visit can be for today or any day up to %d days ahead, until %s.", domain.MaxDaysAhead,
			speak.Date(e.Latest, today)), true
	case *domain.NoPermitNeededError:
		var s string
		switch e.Reason {
		case calendar.NoPermitBankHoliday:
			s = fmt.Sprintf("No permit is needed on %s: it's a bank holiday.", speak.Date(e.Date, today))
		case domain.NoPermitHoursOver:
			s = "Your scheme's hours are over for today, so no permit is needed now."
		default:
			s = fmt.Sprintf("No permit is needed on %s in your scheme area.", speak.Date(e.Date, today))
		}
		s += " No visit has been used."
		if !e.NextStart.IsZero() {
			s += fmt.Sprintf(" A permit is next needed %s.", speak.When(e.NextStart, now))
		}
		return s, true
	case *domain.NoPermitAvailableError:
		if e.VisitsLeft > 0 {
			return fmt.Sprintf("The permits with visits left run out before %s. To use a visit that day, buy more permits first.",
				speak.Date(e.Date, today)), true
		}
		return "You have no visits left. To buy permits, choose 4 from the main menu.", true
	case *domain.CancelTooLateError:
		if e.Started {
			return "That visit has already started, so it can't be cancelled.", true
		}
		return fmt.Sprintf("That visit can no longer be cancelled: visits can be cancelled until %s before "+
			"they start, which was %s.", minutes(domain.CancelNotice), speak.When(e.Deadline, now)), true
	case *domain.AlreadyCancelledError:
		return "That visit was already cancelled.", true
	case *domain.DuplicateVisitError:
		return fmt.Sprintf("%s already has a visit on %s, reference %s, so nothing more has been used.",
			speak.Plate(e.Existing.VRM), speak.Date(e.Existing.Date, today), speak.Digits(e.Existing.Ref)), true
	case *domain.WrongPINError:
		return wrongPIN(e.AttemptsLeft), true
	case *domain.LockedOutError:
		return lockedOut(e.Until, now), true
	case *domain.IdentifyLimitError:
		return fmt.Sprintf("Sorry, there have been too many failed tries from this number. You can try again %s, "+
			"or speak to an agent.", speak.When(e.Until, now)), true
	case *domain.CallbackNumberError:
		return "Sorry, we can only call you back on a UK phone number, not a premium-rate or shared-cost one.", true
	case *domain.CallbackPendingError:
		return fmt.Sprintf("You already have a call back booked, for %s. We can book only one at a time.",
			speak.When(e.Due, now)), true
	case *domain.InvalidInputError:
		var bad *pin.InvalidError
		if errors.As(e, &bad) {
			return fmt.Sprintf("That PIN can't be used: %s.", bad.Reason), true
		}
		return fmt.Sprintf("Sorry, the %s %s, so nothing was changed.", e.Field, e.Reason), true
	case *domain.TooManySignInsError:
		return fmt.Sprintf("There have been too many tries. Please try again in %s.", minutes(e.Wait)), true
	case *domain.RefundDueError:
		if cause, ok := refusalWords(e.Cause, now); ok {
			return cause, true
		}
		return "The refund for this payment is already recorded.", true
	case *domain.RefundSettledError:
		return fmt.Sprintf("The refund of %s was already made %s.", speak.Money(e.Refund.AmountPence),
			onDay(calendar.DateOf(e.Refund.SettledAt), today)), true
	}
	return "", false
}

// wrongPIN says a PIN was wrong and how many tries are left before a lockout; a negative
// count is not told.
func wrongPIN(left int) string {
	if left < 0 {
		return "Sorry, that PIN wasn't right."
	}
	return fmt.Sprintf("Sorry, that PIN isn't right. You have %s before the account is locked for %s.",
		speak.Plural(left, "more try", "more tries"), minutes(domain.PINLockout))
}

// lockedOut says until when phone access is locked after too many wrong PINs.
func lockedOut(until, now time.Time) string {
	return fmt.Sprintf("For your security, phone access to this account is locked until %s.", speak.When(until, now))
}

// minutes says a limit of time in whole minutes, rounded up: "5 minutes", as the line
// has always said it.
func minutes(d time.Duration) string {
	n := int((d + time.Minute - 1) / time.Minute)
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}
