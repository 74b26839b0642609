package sms

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows"
)

// Helpdesk is the number residents call, in every text that sends them there (R22).
const Helpdesk = "0345 520 7007"

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
	l := t.In(calendar.London)
	h, m := l.Hour(), l.Minute()
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h12, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h12, m, suffix)
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
		s += " It starts within 5 minutes, so it can't be cancelled."
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
		return "Reply with a date, up to 14 days ahead."
	case 1:
		return "Reply with a date, e.g. " + examples[0] + "."
	}
	return "Reply with a date: " + strings.Join(examples[:len(examples)-1], ", ") + " or " + examples[len(examples)-1] + "."
}

// refusal explains a rule's refusal by text, with what the resident can do instead.
func refusal(err error, now time.Time) string {
	today := calendar.DateOf(now)
	var (
		notPermitted *domain.NotPermittedError
		badVRM       *domain.InvalidVRMError
		outOfRange   *domain.DateOutOfRangeError
		noNeed       *domain.NoPermitNeededError
		noPermit     *domain.NoPermitAvailableError
		duplicate    *domain.DuplicateVisitError
		tooLate      *domain.CancelTooLateError
		cancelled    *domain.AlreadyCancelledError
	)
	switch {
	case errors.As(err, &notPermitted):
		what := map[domain.Permission]string{domain.PermActivate: "activate or cancel visits", domain.PermBuy: "buy permits",
			domain.PermView: "see this account"}[notPermitted.Need]
		return fmt.Sprintf("Your access to this account doesn't let you %s. Ask the account holder.", what)
	case errors.As(err, &badVRM):
		s := fmt.Sprintf("%s isn't a UK registration: %s.", quote(badVRM.Input), strings.TrimSuffix(badVRM.Reason, "."))
		if len(badVRM.Suggestions) > 0 {
			s += fmt.Sprintf(" Did you mean %s?", quote(plate(badVRM.Suggestions[0])))
		}
		return s
	case errors.As(err, &outOfRange):
		return fmt.Sprintf("A visit can be for today or up to 14 days ahead (to %s).", day(outOfRange.Latest, today))
	case errors.As(err, &noNeed):
		var s string
		switch noNeed.Reason {
		case calendar.NoPermitBankHoliday:
			s = fmt.Sprintf("No permit is needed on %s: it's a bank holiday.", day(noNeed.Date, today))
		case domain.NoPermitHoursOver:
			s = "Your area's permit hours are over for today, so no permit is needed now."
		default:
			s = fmt.Sprintf("No permit is needed on %s in your area.", day(noNeed.Date, today))
		}
		s += " Nothing was used."
		if !noNeed.NextStart.IsZero() {
			s += " A permit is next needed from " + when(noNeed.NextStart, now) + "."
		}
		return s
	case errors.As(err, &noPermit):
		if noPermit.VisitsLeft > 0 {
			return fmt.Sprintf("Your permits with visits left run out before %s. To buy more, call %s.",
				day(noPermit.Date, today), Helpdesk)
		}
		return fmt.Sprintf("You have no visits left. To buy permits, call %s.", Helpdesk)
	case errors.As(err, &duplicate):
		return fmt.Sprintf("%s already has visit %s on %s. Nothing more was used.", plate(duplicate.Existing.VRM),
			duplicate.Existing.Ref, day(duplicate.Existing.Date, today))
	case errors.As(err, &tooLate):
		if tooLate.Started {
			return fmt.Sprintf("Visit %s has started, so it can't be cancelled.", tooLate.Visit.Ref)
		}
		return fmt.Sprintf("Visit %s can't be cancelled now: visits can be cancelled until 5 minutes before they start (%s).",
			tooLate.Visit.Ref, when(tooLate.Deadline, now))
	case errors.As(err, &cancelled):
		return fmt.Sprintf("Visit %s was already cancelled.", cancelled.Visit.Ref)
	}
	return fmt.Sprintf("Sorry, that couldn't be done. Please call %s.", Helpdesk)
}

// reply writes a flow's whole reply as one text; visit looks up an activated visit, whose
// text is written from the visit itself, with its times.
func reply(r flows.Reply, now time.Time, visit func(ref string) (domain.Visit, error)) (string, error) {
	var parts []string
	for _, m := range r.Says {
		if m.ID == flows.MsgActivated {
			v, err := visit(m.Ref)
			if err != nil {
				return "", err
			}
			parts = append(parts, activatedText(v, m.N, now))
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
