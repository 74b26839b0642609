package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/domain/vrm"
	"permitline/flows"
)

var funcs = template.FuncMap{
	"plural":     plural,
	"upperFirst": upperFirst,
	// searchKinds are what the search for an account is by.
	"searchKinds": func() any { return searchKinds },
	// maxNote is the wrap-up note's limit, so the form stops where the domain refuses.
	"maxNote":    func() int { return domain.MaxNoteLen },
	"pickedHint": func() string { return pickedHint },
}

// page is what every page's layout needs.
type page struct {
	Title    string
	Agent    *domain.Agent
	CSRF     string
	Flash    *flash
	Nav      string
	Helpdesk *helpdeskView
	// Callbacks and Voicemails count those waiting, for the header's links.
	Callbacks, Voicemails int
}

func (d *desk) page(r *http.Request, rq *request, title string) page {
	p := page{Title: title}
	if rq != nil {
		p.Agent, p.CSRF = &rq.agent, rq.csrf
		if r != nil {
			p.Callbacks, p.Voicemails = d.waiting(r.Context())
		}
	}
	return p
}

// waiting counts the callbacks and voicemails waiting for an agent; a count that cannot
// be read is logged and shown as 0.
func (d *desk) waiting(ctx context.Context) (callbacks, voicemails int) {
	err := d.svc.View(ctx, func(rd domain.Reader) (err error) {
		if callbacks, err = rd.CountCallbacks(domain.CallbackPending); err != nil {
			return err
		}
		voicemails, err = rd.CountVoicemails(domain.VoicemailWaiting)
		return err
	})
	if err != nil && ctx.Err() == nil {
		d.log.Error("counting the callbacks and voicemails waiting", "error", err)
	}
	return callbacks, voicemails
}

type errorView struct {
	page
	Status  int
	Message string
}

// helpdeskView is the helpdesk's state now (R19-R21).
type helpdeskView struct {
	Open     bool
	State    string // "Open until 18:00" or "Closed"
	Today    string // today's hours
	NextOpen string
}

func (d *desk) helpdesk() *helpdeskView {
	now := d.svc.Now()
	st := d.svc.Helpdesk().Status(now)
	v := &helpdeskView{Open: st.Open, State: "Closed now"}
	if st.Open {
		v.State = "Open now, until " + clock(st.ClosesAt)
	}
	day := st.Today.Date.Midnight().Format("Monday 2 January")
	switch {
	case !st.Today.Open && st.Today.Holiday != "":
		v.Today = fmt.Sprintf("Today, %s, is %s: the helpdesk is closed all day.", day, st.Today.Holiday)
	case !st.Today.Open:
		v.Today = fmt.Sprintf("Today, %s, the helpdesk is closed all day.", day)
	case st.Today.Holiday != "":
		v.Today = fmt.Sprintf("Today, %s (%s, bank holiday hours): %s to %s.", day, st.Today.Holiday,
			st.Today.Span.Opens, st.Today.Span.Closes)
	default:
		v.Today = fmt.Sprintf("Today, %s: %s to %s.", day, st.Today.Span.Opens, st.Today.Span.Closes)
	}
	if !st.NextOpening.IsZero() {
		v.NextOpen = "Next opening: " + when(st.NextOpening, now) + "."
	}
	return v
}

// callContext is the transfer's Context: what the caller entered and what failed.
type callContext struct {
	VRM         string      `json:"vrm"`
	Date        string      `json:"date"`
	Quantity    int         `json:"quantity"`
	LastFailure string      `json:"last_failure"`
	History     []callEvent `json:"history"`
}

type callEvent struct {
	At    time.Time `json:"at"`
	Flow  string    `json:"flow"`
	State string    `json:"state"`
	Input string    `json:"input"`
	Note  string    `json:"note"`
}

func parseContext(raw []byte) callContext {
	var c callContext
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &c) // a context that cannot be read shows as empty
	}
	return c
}

// callSummary is a transfer as a row of the queue or the head of the call page.
type callSummary struct {
	ID       int64
	Status   domain.TransferStatus
	Wait     string
	Since    string
	Caller   string // masked until the call is taken
	Kind     string // resident, member, or not identified
	Account  string
	Verified bool
	Reason   string // why the caller was put through, in words
	Doing    string // what the caller was doing: "was booking a visit for AB12 CDE on ..."
	Where    string // the step they were at, in words
	Stuck    string // where they got stuck, in words
	Entered  []string
	PIN      string   // PIN tries left, or the lockout
	Warnings []string // one try from lockout, locked out, registration expired, a refund due
	Again    string   // why a call put through to an agent is waiting again (the agent was not reached)
}

func summarise(t domain.Transfer, account string, now time.Time) callSummary {
	c := parseContext(t.Context)
	s := callSummary{ID: t.ID, Status: t.Status, Wait: waited(now.Sub(t.CreatedAt)), Since: clock(t.CreatedAt),
		Caller: maskedNumber(t.From), Account: account, Verified: t.Verified, Reason: reasonWords(t.Reason), Stuck: stuckWords(c)}
	if t.Status == domain.TransferQueued {
		s.Again = t.Note // only the line writes a note on a waiting call (domain.Op.AgentNotReached)
	}
	switch t.Caller.Kind {
	case domain.ActorResident:
		s.Kind = "resident"
	case domain.ActorMember:
		s.Kind = "member of the account"
	default:
		s.Kind = "not identified"
	}
	flow, state := t.Flow, t.State
	for i := len(c.History) - 1; i >= 0; i-- { // where the caller was before asking for the helpdesk
		if e := c.History[i]; e.Flow != flows.FlowHelpdesk {
			flow, state = e.Flow, e.State
			break
		}
	}
	s.Doing, s.Where = doingWords(flow, c), whereWords(flow, state)
	if s.Where == whereWordsFlow(flow) { // "at the main menu" twice
		s.Where = ""
	}
	if c.VRM != "" {
		s.Entered = append(s.Entered, "registration "+spacedVRM(c.VRM))
	}
	if c.Date != "" {
		if dt, err := calendar.ParseDate(c.Date); err == nil {
			s.Entered = append(s.Entered, "date "+shortDate(dt))
		}
	}
	if c.Quantity > 0 {
		s.Entered = append(s.Entered, fmt.Sprintf("%d permits", c.Quantity))
	}
	var keys []string
	for _, e := range c.History {
		if e.Input != "" {
			keys = append(keys, inputWords(e.Input))
		}
	}
	if len(keys) > 5 {
		keys = keys[len(keys)-5:]
	}
	if len(keys) > 0 {
		s.Entered = append(s.Entered, "last answers: "+strings.Join(keys, ", "))
	}
	return s
}

// accounts maps resident ids to account numbers.
func (d *desk) accounts(ctx context.Context, ts []domain.Transfer) (map[int64]string, error) {
	out := map[int64]string{}
	err := d.svc.View(ctx, func(r domain.Reader) error {
		for _, t := range ts {
			if t.ResidentID == 0 || out[t.ResidentID] != "" {
				continue
			}
			res, err := r.ResidentByID(t.ResidentID)
			if err != nil {
				return fmt.Errorf("resident %d: %w", t.ResidentID, err)
			}
			out[t.ResidentID] = res.Account
		}
		return nil
	})
	return out, err
}

// warn adds the caller's PIN tries and the warnings to the summary of their call.
func (d *desk) warn(ctx context.Context, t domain.Transfer, s *callSummary) error {
	if t.ResidentID == 0 {
		return nil
	}
	st, err := d.svc.CallerStanding(ctx, t.Caller, t.ResidentID)
	if err != nil {
		return fmt.Errorf("the standing of the caller of call %d: %w", t.ID, err)
	}
	s.PIN, s.Warnings = standingWords(st, t, d.svc.Now())
	return nil
}

// queueSection is the list of waiting calls, rendered for the page and for the live stream.
type queueSection struct {
	Rows    []callSummary
	CSRF    string
	Summary string
}

func (d *desk) queue(ctx context.Context, csrf string) (*queueSection, error) {
	ts, err := d.svc.QueuedTransfers(ctx)
	if err != nil {
		return nil, err
	}
	accts, err := d.accounts(ctx, ts)
	if err != nil {
		return nil, err
	}
	q := &queueSection{CSRF: csrf, Summary: "No one is waiting."}
	now := d.svc.Now()
	for _, t := range ts {
		s := summarise(t, accts[t.ResidentID], now)
		if err := d.warn(ctx, t, &s); err != nil {
			return nil, err
		}
		q.Rows = append(q.Rows, s)
	}
	switch n := len(q.Rows); n {
	case 0:
	case 1:
		q.Summary = "1 caller is waiting."
	default:
		q.Summary = fmt.Sprintf("%d callers are waiting.", n)
	}
	return q, nil
}

// accountView is an account at a glance.
type accountView struct {
	Account, Name, Phone, Address, Scheme, SchemeHours string
	Registered                                         bool
	Registration                                       string
	Permits                                            []string
	VisitsLeft                                         int
	SoonestExpiry                                      string
	BoughtThisYear, AllowanceLeft                      int
	RenewsOn                                           string
	Members                                            []string
	Vehicles                                           []vehicleView
	Upcoming                                           []visitView
	Recent                                             []string // visits in the last weeks, newest first: "AB12 CDE on Fri 27 Nov"
	Activity                                           []activityView
	Refunds                                            []refundView // payments owed back (R24)
}

type vehicleView struct {
	VRM, Spaced string
	Saved       bool
}

type visitView struct {
	Ref, VRM, Date, Hours, Status, By, CancelUntil string
	Active, Cancellable                            bool
}

type activityView struct {
	At, Who, Action, Detail string
}

// recentShown is how many of an account's recent visits the desk lists.
const recentShown = 3

func accountOf(v domain.AccountView, now time.Time) *accountView {
	a := &accountView{Account: v.Resident.Account, Name: v.Resident.Name, Phone: phone.National(v.Resident.Phone),
		Address: v.Address.Line + ", " + v.Address.Postcode, Scheme: v.Scheme.Name,
		SchemeHours: v.Scheme.Hours.Days.String() + " " + v.Scheme.Hours.Span.Opens.String() + " to " +
			v.Scheme.Hours.Span.Closes.String() + ", not on bank holidays",
		Registered: v.Balance.Registered, VisitsLeft: v.Balance.VisitsLeft, BoughtThisYear: v.Balance.BoughtThisYear,
		AllowanceLeft: v.Balance.AllowanceLeft, RenewsOn: longDate(v.Balance.RenewsOn)}
	reg := v.Balance.Registration
	switch {
	case reg.ID == 0:
		a.Registration = "Not registered: the account has no approved proof of address."
	case v.Balance.Registered:
		a.Registration = fmt.Sprintf("Registered (%s) until %s.", strings.ReplaceAll(string(reg.Document), "-", " "),
			longDate(calendar.DateOf(reg.ExpiresAt)))
	default:
		a.Registration = fmt.Sprintf("Registration expired on %s: the resident can use visits but cannot buy permits (R3).",
			longDate(calendar.DateOf(reg.ExpiresAt)))
	}
	for _, p := range v.Balance.Permits {
		a.Permits = append(a.Permits, fmt.Sprintf("Bought %s, expires %s: %d of %d visits left.",
			longDate(calendar.DateOf(p.PurchasedAt)), longDate(calendar.DateOf(p.ExpiresAt)), p.VisitsLeft(), domain.VisitsPerPermit))
	}
	if !v.Balance.SoonestExpiry.IsZero() {
		a.SoonestExpiry = longDate(calendar.DateOf(v.Balance.SoonestExpiry))
	}
	for _, m := range v.Members {
		a.Members = append(a.Members, fmt.Sprintf("%s, %s (may %s)", m.Name, phone.National(m.Phone),
			strings.ReplaceAll(m.Permissions.String(), ",", ", ")))
	}
	for _, veh := range v.Vehicles {
		a.Vehicles = append(a.Vehicles, vehicleView{VRM: veh.VRM, Spaced: spacedVRM(veh.VRM), Saved: veh.Saved})
	}
	cancellable := map[int64]bool{}
	for _, c := range domain.Cancellable(v.Upcoming, now) {
		cancellable[c.ID] = true
	}
	for _, vi := range v.Upcoming {
		vv := visitView{Ref: vi.Ref, VRM: spacedVRM(vi.VRM), Date: shortDate(vi.Date),
			Hours: clock(vi.StartsAt) + " to " + clock(vi.EndsAt), Status: string(vi.Status), By: who(vi.By),
			Active: vi.Status == domain.VisitActive, Cancellable: cancellable[vi.ID]}
		if vv.Active {
			vv.CancelUntil = when(vi.CancelDeadline(), now)
		}
		a.Upcoming = append(a.Upcoming, vv)
	}
	for i, vi := range v.Recent {
		if i == recentShown {
			break
		}
		a.Recent = append(a.Recent, spacedVRM(vi.VRM)+" on "+shortDate(vi.Date))
	}
	for _, rf := range v.Refunds {
		a.Refunds = append(a.Refunds, refundRow(rf, now))
	}
	for _, e := range v.Activity {
		a.Activity = append(a.Activity, activityView{At: dateTime(e.At, now), Who: who(e.Actor), Action: actionText(e.Action), Detail: e.Detail})
	}
	return a
}

// who names an actor and the channel they acted through.
func who(a domain.Actor) string {
	name := a.Name
	if name == "" {
		name = string(a.Kind)
	}
	switch a.Kind {
	case domain.ActorAgent:
		return name + " (agent, at the desk)"
	case domain.ActorAdmin:
		return name + " (back office)"
	}
	return fmt.Sprintf("%s (%s, by %s)", name, a.Kind, channelName(a.Channel))
}

func channelName(c domain.Channel) string {
	switch c {
	case domain.ChannelVoice:
		return "phone"
	case domain.ChannelSMS:
		return "text"
	}
	return string(c)
}

// maskedNumber shows only the last four digits of a caller's number.
func maskedNumber(from string) string {
	if from == "" || strings.EqualFold(from, "anonymous") || strings.EqualFold(from, "unknown") {
		return "withheld"
	}
	return phone.Mask(from)
}

func fullNumber(from string) string {
	if from == "" || strings.EqualFold(from, "anonymous") || strings.EqualFold(from, "unknown") {
		return "withheld"
	}
	return phone.National(from)
}

func spacedVRM(s string) string {
	if m, err := vrm.Parse(s); err == nil {
		return m.Spaced()
	}
	return s
}

// clock is a London time of day, "14:05".
func clock(t time.Time) string { return t.In(calendar.London).Format("15:04") }

// shortDate is "Tue 1 Dec".
func shortDate(d calendar.Date) string { return d.Midnight().Format("Mon 2 Jan") }

// longDate is "1 December 2026".
func longDate(d calendar.Date) string { return d.Midnight().Format("2 January 2006") }

// when is a London instant relative to now: "today at 18:00", "tomorrow at 08:00",
// "Tuesday 1 December at 08:00".
func when(t, now time.Time) string {
	d, today := calendar.DateOf(t), calendar.DateOf(now)
	switch {
	case d == today:
		return "today at " + clock(t)
	case d == today.AddDays(1):
		return "tomorrow at " + clock(t)
	}
	return d.Midnight().Format("Monday 2 January") + " at " + clock(t)
}

// dateTime is "today 14:05" or "Tue 1 Dec 14:05".
func dateTime(t, now time.Time) string {
	if d := calendar.DateOf(t); d != calendar.DateOf(now) {
		return shortDate(d) + " " + clock(t)
	}
	return "today " + clock(t)
}

// waited says how long a caller has waited.
func waited(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		m := int(d / time.Minute)
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

var statusWords = map[domain.TransferStatus]string{
	domain.TransferQueued:    "waiting in the queue",
	domain.TransferAbandoned: "hung up before an agent answered",
	domain.TransferTaken:     "taken",
	domain.TransferReturned:  "handed back to the line",
	domain.TransferDone:      "finished",
}

func statusText(s domain.TransferStatus) string {
	if w, ok := statusWords[s]; ok {
		return w
	}
	return string(s)
}
