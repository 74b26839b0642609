package sms

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/flows"
)

// Helpdesk is the number residents call, in every text that sends them there (R22).
const Helpdesk = domain.HelpdeskPhone

// day writes a date as texts do: "Tue 1 Dec", with the year when it is not this year's.
func day(d, today calendar.Date) string {
	s := fmt.Sprintf("%s %d %s", d.Weekday().String()[:3], d.Day, d.Month.String()[:3])
	if d.Year != today.Year {
		s += fmt.Sprintf(" %d", d.Year)
	}
	return s
}

// relDay is "today", "tomorrow" or day(d).
func relDay(d, today calendar.Date) string {
	switch d {
	case today:
		return "today"
	case today.AddDays(1):
		return "tomorrow"
	}
	return day(d, today)
}

// clock writes a London time as texts do: "9am", "8:55am", "6pm", "12pm".
func clock(t time.Time) string {
	h, m, pm := calendar.Clock12(t)
	suffix := "am"
	if pm {
		suffix = "pm"
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h, m, suffix)
}

// when writes an instant relative to now: "8:55am today", "9am Tue 1 Dec".
func when(t, now time.Time) string {
	return clock(t) + " " + relDay(calendar.DateOf(t), calendar.DateOf(now))
}

// plate writes a registration as it is on the plate: "AB12 CDE".
func plate(vrm string) string {
	if m, err := domain.ParseVRM(vrm); err == nil {
		return m.Spaced()
	}
	return vrm
}

// maxQuoted is the most characters of what a sender texted that a reply quotes back.
const maxQuoted = 20

// quote writes a short part of what the sender texted, for a reply that names it: GSM-7
// basic characters only (any other becomes '?', so an emoji cannot turn the reply into
// UCS-2), white space as single spaces, and at most maxQuoted characters, cut at a word
// boundary where there is one and ending "...". A 1,600-character text must not come back
// whole, in 11 segments the council pays for.
func quote(s string) string {
	s = strings.Join(strings.Fields(toGSM7(s)), " ")
	r := []rune(s)
	if len(r) <= maxQuoted {
		return s
	}
	cut := string(r[:maxQuoted-len("...")])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ") + "..."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// text writes a flow's message as a text.
func text(m flows.Msg, now time.Time) string {
	switch m.ID {
	case flows.MsgConfirmVisit:
		return ""
	case flows.MsgNotActivated:
		return "OK, no visit has been used."
	case flows.MsgRefused:
		return refusal(m.Err, now)
	case flows.MsgBadEntry:
		return "Sorry, I couldn't read a registration there."
	case flows.MsgBadDate:
		return "Sorry, I couldn't read that date."
	case flows.MsgWrongKey, flows.MsgNoInput:
		return "Sorry, I didn't understand that."
	case flows.MsgStuck:
		return fmt.Sprintf("Sorry, I couldn't make that out. Text HELP, or call %s.", Helpdesk)
	}
	return answerText(m, now)
}

// activatedText says a visit is booked: when it runs, its reference, the visits left and
// until when it can be cancelled (R17).
func activatedText(v domain.Visit, visitsLeft int, now time.Time) string {
	today := calendar.DateOf(now)
	s := fmt.Sprintf("Booked: %s, %s %s-%s. Ref %s. %s left.", plate(v.VRM), relDay(v.Date, today),
		clock(v.StartsAt), clock(v.EndsAt), v.Ref, plural(visitsLeft, "visit", "visits"))
	switch {
	case !v.StartsAt.After(now):
		s = fmt.Sprintf("Booked: %s, now until %s %s. Ref %s. %s left. It has started, so it can't be cancelled.",
			plate(v.VRM), clock(v.EndsAt), relDay(v.Date, today), v.Ref, plural(visitsLeft, "visit", "visits"))
	case v.CancelDeadline().Before(now):
		s += " It starts within " + minutes(domain.CancelNotice) + ", so it can't be cancelled."
	default:
		s += fmt.Sprintf(" To cancel by %s, text UNDO %s", when(v.CancelDeadline(), now), v.Ref)
	}
	return s
}

// ask writes what a text conversation waits for. A visit is confirmed with CONFIRM, not
// YES: YES is one of Twilio's opt-in words, which Twilio answers with its own text and,
// under Advanced Opt-Out, marks OptOutType=START, and an opt-in never confirms a visit
// (see keyword in handler.go). A plain YES still confirms.
func ask(a *flows.Ask, says []flows.Msg, now time.Time) string {
	today := calendar.DateOf(now)
	if a == nil {
		return ""
	}
	switch a.Kind {
	case flows.AskVRM:
		return "Reply with the registration, e.g. AB12CDE."
	case flows.AskChoice:
		for _, o := range a.Options {
			if o.Msg.ID == flows.MsgOptOtherDate {
				return askDate(o.Msg.Dates, today)
			}
		}
		for _, m := range says {
			if m.ID == flows.MsgConfirmVisit {
				w := relDay(m.Date, today)
				if m.Date != today && m.Date != today.AddDays(1) {
					w = "on " + w
				}
				times := ""
				if !m.At.IsZero() {
					times = fmt.Sprintf(" (%s-%s)", clock(m.At), clock(m.Until))
				}
				return fmt.Sprintf("Reply CONFIRM to use 1 visit for %s %s%s, or NO to stop.", plate(m.VRM), w, times)
			}
		}
		return "Reply CONFIRM or NO."
	}
	return ""
}

// askDate asks for a date with examples of the ways to write one, each a day the sender
// could book (days, from the flow: the next bookable days): TOMORROW, a weekday within the
// week ("MON") and a day and month ("9/12"), each way once, as far as the days allow.
func askDate(days []calendar.Date, today calendar.Date) string {
	var examples []string
	var tomorrow, weekday, dayMonth bool
	for _, d := range days {
		switch ahead := today.DaysUntil(d); {
		case ahead == 1 && !tomorrow:
			tomorrow = true
			examples = append(examples, "TOMORROW")
		case ahead >= 2 && ahead <= 6 && !weekday:
			weekday = true
			examples = append(examples, strings.ToUpper(d.Weekday().String()[:3]))
		case !dayMonth:
			dayMonth = true
			examples = append(examples, fmt.Sprintf("%d/%d", d.Day, int(d.Month)))
		}
	}
	switch len(examples) {
	case 0:
		return fmt.Sprintf("Reply with a date, up to %d days ahead.", domain.MaxDaysAhead)
	case 1:
		return "Reply with a date, e.g. " + examples[0] + "."
	}
	return "Reply with a date: " + strings.Join(examples[:len(examples)-1], ", ") + " or " + examples[len(examples)-1] + "."
}

// refusal explains a rule's refusal by text, with what the resident can do instead. An
// error that is no refusal the table words gets the helpdesk.
func refusal(err error, now time.Time) string {
	if s, ok := refusalText(err, now); ok {
		return s
	}
	return fmt.Sprintf("Sorry, that couldn't be done. Please call %s.", Helpdesk)
}

// refusalText is the text channel's table of refusals: its words for every refusal the
// domain gives (domain.RefusalExamples), with the limits taken from the domain's
// constants. ok is false when err holds no refusal, or one of a type it has no words for.
func refusalText(err error, now time.Time) (s string, ok bool) {
	var r domain.Refusal
	if !errors.As(err, &r) {
		return "", false
	}
	today := calendar.DateOf(now)
	switch e := r.(type) {
	case *domain.DuplicateResidentError:
		return fmt.Sprintf("You already have an account at this address. To use it, call %s.", Helpdesk), true
	case *domain.ProofRefusedError: // its reason has dates written for the desk
		return fmt.Sprintf("Your proof of address wasn't accepted. Send a full UK driving licence, a tenancy agreement "+
			"with %d months left or a utility bill from the last %d months. Call %s.", domain.TenancyMonthsLeft,
			domain.BillMonthsOld, Helpdesk), true
	case *domain.RegistrationNeededError:
		if e.ExpiredAt.IsZero() {
			return fmt.Sprintf("Your account has no approved registration yet, so permits can't be bought. "+
				"To register, call %s.", Helpdesk), true
		}
		return fmt.Sprintf("Your registration expired on %s, so permits can't be bought until you register again. "+
			"You can still use the visits you have.", day(calendar.DateOf(e.ExpiredAt), today)), true
	case *domain.AddressInactiveError:
		return fmt.Sprintf("Your address isn't active on our system. Please email %s.", e.Email), true
	case *domain.NotPermittedError:
		what := map[domain.Permission]string{domain.PermActivate: "activate or cancel visits", domain.PermBuy: "buy permits",
			domain.PermView: "see this account"}[e.Need]
		return fmt.Sprintf("Your access to this account doesn't let you %s. Ask the account holder.", what), true
	case *domain.DuplicateMemberError:
		if e.Holder {
			return "That number is the account holder's own. A member needs a number of their own.", true
		}
		return fmt.Sprintf("That number is already %s's, a member of the account.", quote(e.Member)), true
	case *domain.PaymentMismatchError:
		return fmt.Sprintf("The payment of %s isn't the price, %s, so nothing was bought. Call %s.", e.Paid, e.Due,
			Helpdesk), true
	case *domain.AllowanceError:
		if e.Remaining == 0 {
			return fmt.Sprintf("You've bought all %d permits for this permit year. Your allowance renews on %s.",
				domain.PermitsPerYear, day(e.RenewsOn, today)), true
		}
		return fmt.Sprintf("You can buy only %d more %s this permit year (%d a year); the allowance renews on %s.",
			e.Remaining, map[bool]string{true: "permit", false: "permits"}[e.Remaining == 1], domain.PermitsPerYear,
			day(e.RenewsOn, today)), true
	case *domain.InvalidVRMError:
		s := fmt.Sprintf("%s isn't a UK registration: %s.", quote(e.Input), strings.TrimSuffix(e.Reason, "."))
		if len(e.Suggestions) > 0 {
			s += fmt.Sprintf(" Did you mean %s?", quote(plate(e.Suggestions[0])))
		}
		return s, true
	case *domain.DateOutOfRangeError:
		return fmt.Sprintf("A visit can be for today or up to %d days ahead (to %s).", domain.MaxDaysAhead,
			day(e.Latest, today)), true
	case *domain.NoPermitNeededError:
		var s string
		switch e.Reason {
		case calendar.NoPermitBankHoliday:
			s = fmt.Sprintf("No permit is needed on %s: it's a bank holiday.", day(e.Date, today))
		case domain.NoPermitHoursOver:
			s = "Your area's permit hours are over for today, so no permit is needed now."
		default:
			s = fmt.Sprintf("No permit is needed on %s in your area.", day(e.Date, today))
		}
		s += " Nothing was used."
		if !e.NextStart.IsZero() {
			s += " A permit is next needed from " + when(e.NextStart, now) + "."
		}
		return s, true
	case *domain.NoPermitAvailableError:
		if e.VisitsLeft > 0 {
			return fmt.Sprintf("Your permits with visits left run out before %s. To buy more, call %s.",
				day(e.Date, today), Helpdesk), true
		}
		return fmt.Sprintf("You have no visits left. To buy permits, call %s.", Helpdesk), true
	case *domain.CancelTooLateError:
		if e.Started {
			return fmt.Sprintf("Visit %s has started, so it can't be cancelled.", e.Visit.Ref), true
		}
		return fmt.Sprintf("Visit %s can't be cancelled now: visits can be cancelled until %s before they start (%s).",
			e.Visit.Ref, minutes(domain.CancelNotice), when(e.Deadline, now)), true
	case *domain.AlreadyCancelledError:
		return fmt.Sprintf("Visit %s was already cancelled.", e.Visit.Ref), true
	case *domain.DuplicateVisitError:
		return fmt.Sprintf("%s already has visit %s on %s. Nothing more was used.", plate(e.Existing.VRM),
			e.Existing.Ref, day(e.Existing.Date, today)), true
	case *domain.WrongPINError:
		return fmt.Sprintf("That PIN isn't right. %s left before the account is locked for %s.",
			plural(e.AttemptsLeft, "try", "tries"), minutes(domain.PINLockout)), true
	case *domain.LockedOutError:
		return fmt.Sprintf("For your security, this account is locked until %s. Call %s for help.", when(e.Until, now),
			Helpdesk), true
	case *domain.IdentifyLimitError:
		return fmt.Sprintf("Too many failed tries from this number. Try again after %s, or call %s.",
			when(e.Until, now), Helpdesk), true
	case *domain.CallbackNumberError:
		return fmt.Sprintf("We can only call back a UK phone number, not a premium-rate or shared-cost one. Call %s.",
			Helpdesk), true
	case *domain.CallbackPendingError:
		return fmt.Sprintf("You already have a call back booked, for %s. Only one can be booked at a time.",
			when(e.Due, now)), true
	case *domain.InvalidInputError:
		var bad *pin.InvalidError
		if errors.As(e, &bad) {
			return fmt.Sprintf("That PIN can't be used: %s. Nothing was changed.", bad.Reason), true
		}
		return fmt.Sprintf("Sorry, the %s %s. Nothing was changed.", e.Field, e.Reason), true
	case *domain.TooManySignInsError:
		return fmt.Sprintf("Too many tries. Please try again in %s.", minutes(e.Wait)), true
	case *domain.RefundDueError:
		paid := fmt.Sprintf("Your payment of %s was taken but no permits were added, so a refund of %[1]s is due to you.",
			e.Refund.AmountPence)
		if cause, ok := refusalText(e.Cause, now); ok {
			return cause + " " + paid, true
		}
		return paid, true
	case *domain.RefundSettledError:
		return fmt.Sprintf("The refund of %s was already made on %s.", e.Refund.AmountPence,
			day(calendar.DateOf(e.Refund.SettledAt), today)), true
	}
	return "", false
}

// minutes writes a limit of time as texts do: "5 minutes", rounded up to the minute.
func minutes(d time.Duration) string {
	return plural(int((d+time.Minute-1)/time.Minute), "minute", "minutes")
}

// helpdeskText tells the helpdesk's number, whether it is open now, its hours on every
// kind of day (week, from calendar.HelpdeskWeek) and that texts work at any hour (R19-R22).
func helpdeskText(week []calendar.OpeningHours, st calendar.Status, now time.Time) string {
	s := "Helpdesk " + Helpdesk + ": "
	if st.Open {
		s += "open now until " + clock(st.ClosesAt) + "."
	} else {
		s += "closed now, opens " + when(st.NextOpening, now) + "."
	}
	return s + " " + weekText(week, calendar.DateOf(now)) + ". Texts work 24/7."
}

// dayKinds names the kinds of day the helpdesk's hours depend on, as texts do.
var dayKinds = map[calendar.DayKind]string{calendar.Weekday: "Mon-Fri", calendar.Saturday: "Sat",
	calendar.Sunday: "Sun", calendar.BankHoliday: "bank holidays", calendar.ChristmasDay: "Christmas Day"}

// weekText writes the helpdesk's hours: "Mon-Fri 8am-6pm, Sat 8am-4pm, Sun and bank
// holidays 10am-4pm, closed Christmas Day". on is any day, for the clock times.
func weekText(week []calendar.OpeningHours, on calendar.Date) string {
	var parts []string
	for _, oh := range week {
		var names []string
		for _, k := range oh.Kinds {
			names = append(names, dayKinds[k])
		}
		days := strings.Join(names, " and ")
		if len(names) > 2 {
			days = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		}
		if !oh.Open {
			parts = append(parts, "closed "+days)
			continue
		}
		opens, closes := oh.Span.On(on)
		parts = append(parts, days+" "+clock(opens)+"-"+clock(closes))
	}
	return strings.Join(parts, ", ")
}

// reply writes a flow's whole reply as one text; an activated visit's is written from the
// visit the message carries, with its times.
func reply(r flows.Reply, now time.Time) (string, error) {
	var parts []string
	for _, m := range r.Says {
		if m.ID == flows.MsgActivated {
			if len(m.Visits) != 1 {
				return "", fmt.Errorf("an activation message without its visit (%s)", m.Ref)
			}
			parts = append(parts, activatedText(m.Visits[0], m.N, now))
			continue
		}
		if t := text(m, now); t != "" {
			parts = append(parts, t)
		}
	}
	if a := ask(r.Ask, r.Says, now); a != "" {
		parts = append(parts, a)
	}
	return strings.Join(parts, " "), nil
}

// answerText writes the answers of the text commands' one-shot flows.
func answerText(m flows.Msg, now time.Time) string {
	today := calendar.DateOf(now)
	switch m.ID {
	case flows.MsgUnreadDate:
		return fmt.Sprintf("Sorry, I couldn't read the date \"%s\". Use TODAY, TOMORROW, a day like SAT, or a date like 5/12.",
			quote(m.Text))
	case flows.MsgAskRef:
		return "Text UNDO and the visit's reference, e.g. UNDO K7P9QD. Text VISITS to see your references."
	case flows.MsgVisitNotFound:
		return fmt.Sprintf("I can't find %s. Text VISITS to see your visits and their references.", visitNamed(m.Ref))
	case flows.MsgCancelled:
		return fmt.Sprintf("Cancelled: visit %s for %s on %s. The visit is back on your permit.", m.Ref, plate(m.VRM),
			day(m.Date, today))
	case flows.MsgBalance:
		return balanceText(*m.Balance, now)
	case flows.MsgVisits:
		return visitsText(m.Visits, now)
	case flows.MsgHours:
		return hoursText(*m.Helpdesk, now)
	case flows.MsgHelp:
		return helpText
	}
	return ""
}

// visitNamed names the visit a resident texted a reference for: "visit K7P9QD", or "that
// visit" for a reference too long to be one, which is not quoted back.
func visitNamed(ref string) string {
	if len(ref) > maxQuoted {
		return "that visit"
	}
	return "visit " + quote(ref)
}

func balanceText(b domain.Balance, now time.Time) string {
	today := calendar.DateOf(now)
	s := fmt.Sprintf("%s, %s left.", plural(len(b.Permits), "permit", "permits"), plural(b.VisitsLeft, "visit", "visits"))
	if !b.SoonestExpiry.IsZero() {
		s += fmt.Sprintf(" First expires %s.", day(calendar.DateOf(b.SoonestExpiry), today))
	}
	s += fmt.Sprintf(" You can buy %d more before %s.", b.AllowanceLeft, day(b.RenewsOn, today))
	switch {
	case b.Registered:
		s += fmt.Sprintf(" Registered to %s.", day(calendar.DateOf(b.Registration.ExpiresAt), today))
	case !b.Registration.ExpiresAt.IsZero():
		s += " Registration expired: register again to buy permits."
	default:
		s += " Not registered yet: register to buy permits."
	}
	return s
}

// maxListed is how many upcoming visits a text lists, to stay within two segments.
const maxListed = 5

func visitsText(vs []domain.Visit, now time.Time) string {
	today := calendar.DateOf(now)
	var lines []string
	for _, v := range vs {
		if v.Status != domain.VisitActive {
			continue
		}
		if len(lines) == maxListed {
			lines = append(lines, "and more")
			break
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", v.Ref, plate(v.VRM), relDay(v.Date, today)))
	}
	if len(lines) == 0 {
		return "You have no upcoming visits. Text VISITOR and the registration to book one."
	}
	return "Upcoming: " + strings.Join(lines, "; ") + ". Text UNDO and a reference to cancel."
}

func hoursText(st calendar.Status, now time.Time) string {
	return helpdeskText(calendar.HelpdeskWeek(), st, now)
}
