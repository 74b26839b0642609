package desk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/ivr"
)

type queueView struct {
	page
	Queue *queueSection
	Error string
}

// queuePage is GET /desk/: the helpdesk's state and the callers waiting.
func (d *desk) queuePage(w http.ResponseWriter, r *http.Request, rq *request) {
	d.showQueue(w, r, rq, http.StatusOK, "")
}

func (d *desk) showQueue(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	q, err := d.queue(r.Context(), rq.csrf)
	if err != nil {
		d.internal(w, r, rq, "loading the queue", err)
		return
	}
	p := &queueView{page: d.page(r, rq, "Waiting calls"), Queue: q, Error: msg}
	p.Nav, p.Helpdesk = "queue", d.helpdesk()
	p.Flash = d.takeFlash(w, r)
	d.render(w, status, "queue.html", p)
}

type todayView struct {
	page
	Date string
	Rows []todayRow
}

type todayRow struct {
	ID                                        int64
	At, Caller, Account, Reason, Outcome, Who string
	Note                                      string
}

// todayPage is GET /desk/today: today's transfers and how each ended, for the supervisor.
func (d *desk) todayPage(w http.ResponseWriter, r *http.Request, rq *request) {
	ts, err := d.svc.TransfersToday(r.Context())
	if err != nil {
		d.internal(w, r, rq, "loading today's calls", err)
		return
	}
	accts, err := d.accounts(r.Context(), ts)
	if err != nil {
		d.internal(w, r, rq, "loading today's calls", err)
		return
	}
	names := map[int64]string{}
	p := &todayView{page: d.page(r, rq, "Today's calls"), Date: d.svc.Now().In(calendar.London).Format("Monday 2 January 2006")}
	p.Nav, p.Helpdesk = "today", d.helpdesk()
	p.Flash = d.takeFlash(w, r)
	for _, t := range ts {
		row := todayRow{ID: t.ID, At: clock(t.CreatedAt), Caller: maskedNumber(t.From), Account: accts[t.ResidentID],
			Reason: reasonInFull(t), Outcome: statusText(t.Status), Note: t.Note}
		if t.AgentID != 0 {
			if _, ok := names[t.AgentID]; !ok {
				names[t.AgentID] = d.agentName(r.Context(), t.AgentID)
			}
			row.Who = names[t.AgentID]
		}
		p.Rows = append(p.Rows, row)
	}
	d.render(w, http.StatusOK, "today.html", p)
}

func (d *desk) agentName(ctx context.Context, id int64) string {
	a, err := d.svc.AgentByID(ctx, id)
	if err != nil {
		return fmt.Sprintf("agent %d", id)
	}
	return a.Name
}

// callView is one call: its context, and the account at a glance with the actions.
type callView struct {
	page
	Base        string        // the path the page's forms post under: the call's or the callback's
	Callback    *callbackView // a callback worked like a call; nil on a call
	Call        callSummary
	StatusText  string
	Number      string
	CallerName  string
	TakenBy     string
	Note        string
	Mine        bool   // the agent holds the call: the actions are offered
	ReadOnly    string // why not, when not
	NoTwilio    bool
	History     []historyRow
	Account     *accountView
	AccountErr  string
	Lookup      string // the account number an unidentified caller gave
	NeedsLookup bool
	Today       string
	MaxDate     string
	Form        callForm
	Key         string // makes a repeated activation form do nothing twice
	Error       string
	Search      searchView // finding the account of a caller the line could not identify
	HandBack    string     // where handing back sends the caller
	ConfirmBack bool       // the agent must confirm who the caller is to hand back
	// BackToIdentify: handing back puts the caller at identification.
	BackToIdentify bool
	PINHelp        *pinHelpView
}

// searchView is the search for an account and what it found.
type searchView struct {
	By, Text string
	Done     bool
	Found    []foundView
	More     bool // more accounts matched than are listed
	Err      string
}

type foundView struct {
	Account, Name, Address, Link string
}

// searchKinds are what the desk's search form offers, in its order.
var searchKinds = []struct{ By, Label string }{
	{string(domain.SearchName), "Name"}, {string(domain.SearchPostcode), "Postcode"},
	{string(domain.SearchPhone), "Phone number"}, {string(domain.SearchVRM), "Registration"},
}

type callForm struct {
	VRM, Date, Vehicle, Note string
}

type historyRow struct {
	At, Where, Input, Note string
}

func (d *desk) transferFromPath(w http.ResponseWriter, r *http.Request, rq *request) (domain.Transfer, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such call.")
		return domain.Transfer{}, false
	}
	t, err := d.svc.Transfer(r.Context(), id)
	if domain.IsNotFound(err) {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such call.")
		return domain.Transfer{}, false
	}
	if err != nil {
		d.internal(w, r, rq, "loading the call", err)
		return domain.Transfer{}, false
	}
	return t, true
}

// callPage is GET /desk/calls/{id}.
func (d *desk) callPage(w http.ResponseWriter, r *http.Request, rq *request) {
	t, ok := d.transferFromPath(w, r, rq)
	if !ok {
		return
	}
	account, err := d.accountOfCall(r, t)
	if err != nil {
		d.internal(w, r, rq, "loading the caller's account", err)
		return
	}
	d.showCall(w, r, rq, t, account, http.StatusOK, "", callForm{})
}

// accountOfCall is the caller's account number: the identified caller's, or for a
// caller the line could not identify, the one the agent looked up.
func (d *desk) accountOfCall(r *http.Request, t domain.Transfer) (string, error) {
	if t.ResidentID == 0 {
		return strings.TrimSpace(r.FormValue("account")), nil
	}
	var account string
	err := d.svc.View(r.Context(), func(rd domain.Reader) error {
		res, err := rd.ResidentByID(t.ResidentID)
		account = res.Account
		return err
	})
	return account, err
}

func (d *desk) showCall(w http.ResponseWriter, r *http.Request, rq *request, t domain.Transfer, account string,
	status int, msg string, form callForm) {
	ctx := r.Context()
	now := d.svc.Now()
	p := &callView{page: d.page(r, rq, "Call"), Base: fmt.Sprintf("/desk/calls/%d", t.ID), Call: summarise(t, account, now), StatusText: statusText(t.Status),
		Number: maskedNumber(t.From), CallerName: t.Caller.Name, Note: t.Note, NoTwilio: d.calls == nil,
		NeedsLookup: t.ResidentID == 0, Today: calendar.DateOf(now).String(),
		MaxDate: calendar.DateOf(now).AddDays(domain.MaxDaysAhead).String(), Form: form, Key: randomToken(12), Error: msg}
	p.Nav, p.Helpdesk = "call", d.helpdesk()
	picked, err := d.svc.CallerPicked(ctx, t)
	if err != nil {
		d.internal(w, r, rq, "loading the call", err)
		return
	}
	waiting := false
	if picked {
		if waiting, err = d.svc.PINResetWaiting(ctx, t.CallSid); err != nil {
			d.internal(w, r, rq, "loading the call", err)
			return
		}
	}
	newPIN := waiting
	if !picked && t.ResidentID != 0 {
		if newPIN, err = d.svc.PINResetWaiting(ctx, t.CallSid); err != nil {
			d.internal(w, r, rq, "loading the call", err)
			return
		}
	}
	p.HandBack, p.ConfirmBack = handBackWords(t, picked && !waiting, newPIN)
	p.BackToIdentify = t.ResidentID == 0 || picked && !waiting
	p.Flash = d.takeFlash(w, r)
	if p.Form.Date == "" {
		p.Form.Date = p.Today
	}
	if t.ResidentID == 0 {
		p.Lookup = account
	}
	if t.AgentID != 0 {
		p.TakenBy = d.agentName(ctx, t.AgentID)
		p.Number = fullNumber(t.From) // the number shows in full once the call is taken
		p.StatusText += " by " + p.TakenBy
	}
	switch {
	case t.Status == domain.TransferTaken && t.AgentID == rq.agent.ID:
		p.Mine = true
	case t.Status == domain.TransferQueued:
		p.ReadOnly = "The caller is still waiting: take the call to act on it."
	case t.Status == domain.TransferTaken:
		p.ReadOnly = p.TakenBy + " has this call: only they can act on it."
	default:
		p.ReadOnly = "This call is over (" + statusText(t.Status) + "): nothing more can be done on it here."
	}
	p.Title = "Call from " + p.Number
	if !d.showCallerAccount(w, r, rq, t, p, account, now, accountLookup{
		held: "call", person: "caller",
		notHeld:  "Only the agent who holds this call can look up an account for it. Take the call first; nothing was looked up.",
		notYours: "Only the agent who holds this call can look up an account for it.",
		lookUp:   func(account string) error { return d.svc.LookUpAccount(ctx, rq.agent, t.ID, account) },
		find: func(by domain.SearchBy, text string) ([]domain.FoundAccount, error) {
			return d.svc.FindAccounts(ctx, rq.agent, t.ID, by, text)
		},
		link: func(account string) string { return callURL(t, account) },
	}) {
		return
	}
	if err := d.pinHelpFor(ctx, p, t); err != nil {
		d.internal(w, r, rq, "loading the PIN form", err)
		return
	}
	d.render(w, status, "call.html", p)
}

// accountLookup is how a page of a call or a callback looks up an account for a caller
// the line did not identify: the domain's audited look-up and search for what the agent
// holds, and the words that name it.
type accountLookup struct {
	held     string // what the agent holds: "call" or "callback"
	person   string // who is on the line: "caller" or "resident"
	notHeld  string // the refusal to an agent who does not hold it
	notYours string // the refusal when the domain finds the agent no longer holds it
	lookUp   func(account string) error
	find     func(domain.SearchBy, string) ([]domain.FoundAccount, error)
	link     func(account string) string
}

// showCallerAccount fills in the page's standing of the caller, what the call did so far,
// and the account (t's resident's, or the one account the agent looked up or searched
// for). Only the agent holding the call sees the account, and an account the agent looks
// up for an unidentified caller is audited on it with the agent's name. false when the
// page is answered.
func (d *desk) showCallerAccount(w http.ResponseWriter, r *http.Request, rq *request, t domain.Transfer, p *callView,
	account string, now time.Time, l accountLookup) bool {
	ctx := r.Context()
	if err := d.warn(ctx, t, &p.Call); err != nil {
		d.internal(w, r, rq, "loading the "+l.person+"'s standing", err)
		return false
	}
	for _, e := range parseContext(t.Context).History {
		p.History = append(p.History, historyRow{At: e.At.In(calendar.London).Format("15:04:05"),
			Where: upperFirst(whereWords(e.Flow, e.State)), Input: inputWords(e.Input), Note: noteWords(e.Note)})
	}
	switch {
	case !p.Mine && t.ResidentID == 0 && (account != "" || r.FormValue("q") != ""):
		d.log.Warn("account look-up refused: the "+l.held+" is not held", "agent", rq.agent.Username, "transfer", t.ID)
		d.errorPage(w, r, rq, http.StatusForbidden, l.notHeld)
		return false
	case !p.Mine:
		p.NeedsLookup, p.Lookup = false, ""
	case t.ResidentID == 0 && account == "" && strings.TrimSpace(r.FormValue("q")) != "":
		return d.searchWith(w, r, rq, p, l.find, l.link)
	case account != "":
		err := error(nil)
		if t.ResidentID == 0 {
			err = l.lookUp(account)
		}
		var v domain.AccountView
		if err == nil {
			v, err = d.svc.Account(ctx, rq.agent.Actor(), account)
		}
		switch {
		case domain.IsNotFound(err):
			p.AccountErr = "There is no account " + account + ". Check the number with the " + l.person + "."
		case errors.Is(err, domain.ErrNotYourCall):
			d.errorPage(w, r, rq, http.StatusForbidden, l.notYours+" Nothing was looked up.")
			return false
		case err != nil:
			d.internal(w, r, rq, "loading the "+l.person+"'s account", err)
			return false
		default:
			p.Account = accountOf(v, now)
		}
	}
	return true
}

// searchWith runs the search of the page's form with find, each account found linked to
// link(its number). false when the page is answered.
func (d *desk) searchWith(w http.ResponseWriter, r *http.Request, rq *request, p *callView,
	find func(domain.SearchBy, string) ([]domain.FoundAccount, error), link func(account string) string) bool {
	p.Search = searchView{By: r.FormValue("by"), Text: strings.TrimSpace(r.FormValue("q")), Done: true}
	found, err := find(domain.SearchBy(p.Search.By), p.Search.Text)
	if errors.Is(err, domain.ErrNotYourCall) {
		d.errorPage(w, r, rq, http.StatusForbidden,
			"Only the agent who holds this call can search for an account for it. Nothing was looked up.")
		return false
	}
	var bad *domain.InvalidInputError
	if errors.As(err, &bad) {
		p.Search.Err = "Nothing was searched for: the " + bad.Field + " " + bad.Reason + "."
		return true
	} else if err != nil {
		d.internal(w, r, rq, "searching for an account", err)
		return false
	}
	if len(found) > domain.MaxFound {
		found, p.Search.More = found[:domain.MaxFound], true
	}
	for _, f := range found {
		p.Search.Found = append(p.Search.Found, foundView{Account: f.Resident.Account, Name: f.Resident.Name,
			Address: f.Address.Line + ", " + f.Address.Postcode, Link: link(f.Resident.Account)})
	}
	return true
}

// callURL is the call's page, keeping the account an unidentified caller gave.
func callURL(t domain.Transfer, account string) string {
	u := "/desk/calls/" + strconv.FormatInt(t.ID, 10)
	if t.ResidentID == 0 && account != "" {
		u += "?account=" + url.QueryEscape(account)
	}
	return u
}

// take is POST /desk/calls/{id}/take: the call is the agent's, then put through to them.
func (d *desk) take(w http.ResponseWriter, r *http.Request, rq *request) {
	t, ok := d.transferFromPath(w, r, rq)
	if !ok {
		return
	}
	t, err := d.svc.ClaimTransfer(r.Context(), rq.agent, t.ID)
	if errors.Is(err, domain.ErrTaken) {
		cur, err := d.svc.Transfer(r.Context(), t.ID)
		if err != nil {
			d.internal(w, r, rq, "taking the call", err)
			return
		}
		var msg string
		switch {
		case cur.Status == domain.TransferTaken && cur.AgentID == rq.agent.ID:
			http.Redirect(w, r, callURL(cur, ""), http.StatusSeeOther) // a repeated click
			return
		case cur.Status == domain.TransferTaken:
			msg = "Too late: another agent took this call (" + d.agentName(r.Context(), cur.AgentID) + ")."
		case cur.Status == domain.TransferAbandoned:
			msg = "Too late: the caller has hung up."
		default:
			msg = "This call is no longer waiting: it was " + statusText(cur.Status) + "."
		}
		d.showQueue(w, r, rq, http.StatusConflict, msg)
		return
	}
	if err != nil {
		d.internal(w, r, rq, "taking the call", err)
		return
	}
	d.log.Info("call taken", "agent", rq.agent.Username, "transfer", t.ID, "call_sid", t.CallSid)
	d.putThrough(w, r, rq, t)
	http.Redirect(w, r, callURL(t, ""), http.StatusSeeOther)
}

// putThrough asks Twilio to connect the caller to the agent, and says how that went.
func (d *desk) putThrough(w http.ResponseWriter, r *http.Request, rq *request, t domain.Transfer) {
	if d.calls == nil {
		d.setFlash(w, "error", "The call is yours, but the desk can't reach Twilio to put it through to you. "+
			"Ask the supervisor; meanwhile you can still act on the account.")
		return
	}
	if err := d.calls.Connect(r.Context(), t.CallSid, rq.agent); errors.Is(err, ivr.ErrCallerGone) {
		d.setFlash(w, "error", "The caller has hung up: there is no call to put through. "+
			"You can still act on the account, then finish the call with a note.")
		return
	} else if err != nil {
		d.log.Error("putting a call through", "transfer", t.ID, "error", err)
		d.setFlash(w, "error", "The call is yours, but Twilio could not put it through to you: "+err.Error()+
			". Try “Put the caller through again”.")
		return
	}
	where := "your phone"
	if rq.agent.ClientIdentity != "" {
		where = "your headset"
	}
	d.setFlash(w, "ok", "The call is yours: the caller is being put through to "+where+".")
}

// heldCall is a call the signed-in agent holds, or a callback they are making (worked
// like a call: the same account actions and PIN help), and the caller's account.
type heldCall struct {
	t       domain.Transfer // the call, or for a callback the call it was asked on
	account string
	cb      *domain.Callback
}

// url is the page of the call or callback, keeping the account the agent looked up.
func (c heldCall) url() string {
	if c.cb != nil {
		return callbackURL(*c.cb, c.account)
	}
	return callURL(c.t, c.account)
}

// showHeld shows the held call's page, or the callback's.
func (d *desk) showHeld(w http.ResponseWriter, r *http.Request, rq *request, c heldCall, status int, msg string, form callForm) {
	if c.cb != nil {
		d.showCallback(w, r, rq, *c.cb, c.account, status, msg, form)
		return
	}
	d.showCall(w, r, rq, c.t, c.account, status, msg, form)
}

// held lets through only the agent who took the call, while it is theirs.
func (d *desk) held(h func(http.ResponseWriter, *http.Request, *request, heldCall)) agentHandler {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		t, ok := d.transferFromPath(w, r, rq)
		if !ok {
			return
		}
		if t.AgentID != rq.agent.ID {
			d.errorPage(w, r, rq, http.StatusForbidden, "Only the agent who took this call can act on it.")
			return
		}
		if t.Status != domain.TransferTaken {
			d.errorPage(w, r, rq, http.StatusConflict,
				"This call is over ("+statusText(t.Status)+"): nothing more can be done on it here.")
			return
		}
		account, err := d.accountOfCall(r, t)
		if err != nil {
			d.internal(w, r, rq, "loading the caller's account", err)
			return
		}
		h(w, r, rq, heldCall{t: t, account: account})
	}
}

// refuse shows the call again with what was refused, changing nothing.
func (d *desk) refuse(w http.ResponseWriter, r *http.Request, rq *request, c heldCall, what string, err error, form callForm) {
	msg, ok := explain(err, d.svc.Now())
	if !ok {
		d.internal(w, r, rq, what, err)
		return
	}
	d.showHeld(w, r, rq, c, http.StatusUnprocessableEntity, msg, form)
}

func (d *desk) needAccount(w http.ResponseWriter, r *http.Request, rq *request, c heldCall, form callForm) bool {
	if c.account != "" {
		return true
	}
	d.showHeld(w, r, rq, c, http.StatusUnprocessableEntity,
		"The line couldn't identify this caller: find their account first.", form)
	return false
}

func (d *desk) connect(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	d.putThrough(w, r, rq, c.t)
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}

// activate is POST /desk/calls/{id}/visits: a visit for the caller, under R12-R18.
func (d *desk) activate(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	form := callForm{VRM: strings.TrimSpace(r.PostForm.Get("vrm")), Date: strings.TrimSpace(r.PostForm.Get("date"))}
	if !d.needAccount(w, r, rq, c, form) {
		return
	}
	req := domain.VisitRequest{VRM: form.VRM}
	if form.Date != "" {
		date, err := calendar.ParseDate(form.Date)
		if err != nil {
			d.showHeld(w, r, rq, c, http.StatusUnprocessableEntity,
				"Enter the date as a calendar date, for example "+d.svc.Now().In(calendar.London).Format("2006-01-02")+".", form)
			return
		}
		req.Date = date
	}
	if key := r.PostForm.Get("key"); key != "" && len(key) <= 64 {
		req.IdempotencyKey = "desk:" + key
	}
	act, err := d.svc.ActivateVisit(r.Context(), rq.agent.Actor(), c.account, req)
	if err != nil {
		d.refuse(w, r, rq, c, "activating the visit", err, form)
		return
	}
	v := act.Visit
	if act.Repeated {
		d.setFlash(w, "ok", fmt.Sprintf("Visit %s was already activated from this form; nothing new was recorded.", v.Ref))
	} else {
		d.setFlash(w, "ok", fmt.Sprintf("Visit %s activated: %s on %s, %s to %s. %s left on the account.", v.Ref,
			spacedVRM(v.VRM), shortDate(v.Date), clock(v.StartsAt), clock(v.EndsAt), plural(act.VisitsLeft, "visit", "visits")))
	}
	d.log.Info("visit activated at the desk", "agent", rq.agent.Username, "ref", v.Ref)
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}

// visitOfAccount checks that the visit in the path is one of the caller's upcoming visits.
func (d *desk) visitOfAccount(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) (domain.Visit, bool) {
	if !d.needAccount(w, r, rq, c, callForm{}) {
		return domain.Visit{}, false
	}
	ref := domain.NormaliseRef(r.PathValue("ref"))
	vs, err := d.svc.UpcomingVisits(r.Context(), rq.agent.Actor(), c.account)
	if err != nil {
		d.refuse(w, r, rq, c, "loading the visits", err, callForm{})
		return domain.Visit{}, false
	}
	for _, v := range vs {
		if v.Ref == ref {
			return v, true
		}
	}
	d.showHeld(w, r, rq, c, http.StatusUnprocessableEntity,
		"Visit "+ref+" is not one of this account's visits from today on. Nothing was changed.", callForm{})
	return domain.Visit{}, false
}

// cancel is POST /desk/calls/{id}/visits/{ref}/cancel (R17).
func (d *desk) cancel(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	v, ok := d.visitOfAccount(w, r, rq, c)
	if !ok {
		return
	}
	v, err := d.svc.CancelVisit(r.Context(), rq.agent.Actor(), v.Ref)
	if err != nil {
		d.refuse(w, r, rq, c, "cancelling the visit", err, callForm{})
		return
	}
	d.setFlash(w, "ok", fmt.Sprintf("Visit %s for %s on %s is cancelled, and its visit is back on the permit.",
		v.Ref, spacedVRM(v.VRM), shortDate(v.Date)))
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}

// resend is POST /desk/calls/{id}/visits/{ref}/resend.
func (d *desk) resend(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	v, ok := d.visitOfAccount(w, r, rq, c)
	if !ok {
		return
	}
	if err := d.svc.ResendConfirmation(r.Context(), rq.agent.Actor(), v.Ref); err != nil {
		d.refuse(w, r, rq, c, "resending the confirmation", err, callForm{})
		return
	}
	d.setFlash(w, "ok", fmt.Sprintf("The text about visit %s is being sent again to the resident's mobile.", v.Ref))
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}

// addVehicle is POST /desk/calls/{id}/vehicles.
func (d *desk) addVehicle(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	form := callForm{Vehicle: strings.TrimSpace(r.PostForm.Get("vrm"))}
	if !d.needAccount(w, r, rq, c, form) {
		return
	}
	v, err := d.svc.AddVehicle(r.Context(), rq.agent.Actor(), c.account, form.Vehicle)
	if err != nil {
		d.refuse(w, r, rq, c, "saving the vehicle", err, form)
		return
	}
	d.setFlash(w, "ok", spacedVRM(v.VRM)+" is saved on the account: the line offers it first.")
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}

// sendToPay is POST /desk/calls/{id}/pay: the caller goes to the line's payment step, so
// card details never reach the agent.
func (d *desk) sendToPay(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	if !d.returnCall(w, r, rq, c, ivr.BackToPay) {
		return
	}
	if err := d.svc.SentToPayment(r.Context(), rq.agent, c.t.ID); err != nil {
		// The call has moved already: the agent's part is done, only the record failed.
		d.log.Error("auditing a call sent to payment", "transfer", c.t.ID, "error", err)
	}
	d.setFlash(w, "ok", "The caller is at the line's payment step now: they key their card details to the line, "+
		"not to you. Finish the call with a note.")
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}

// handBackWords says where a caller handed back goes (ivr's Resume): a caller who passed
// the PIN to the main menu as verified; one the line knows but who did not pass it to
// the main menu as verified too, so the agent must say they checked who it is; one the
// line could not identify back to identification. A caller whose account the agent picked
// (domain.Service.CallerPicked) is still not identified to the line: unless a PIN reset
// on the call has them choose a new one and go on verified (handBackTo), they go back to
// identification (pickedOnly). After a PIN reset on the call (newPIN) the line first asks
// the caller to choose a new PIN. confirm is true when the agent must.
func handBackWords(t domain.Transfer, pickedOnly, newPIN bool) (words string, confirm bool) {
	switch {
	case pickedOnly:
		return pickedBackWords, false
	case newPIN && t.Verified:
		return "The PIN was reset: handing back asks the caller to choose a new PIN on the keypad " +
			"(you never hear it), then puts them at the line's main menu, still verified.", false
	case newPIN && t.ResidentID != 0:
		return "The PIN was reset: handing back asks the caller to choose a new PIN on the keypad " +
			"(you never hear it), then puts them at the line's main menu as verified, " +
			"so do it only once you have checked who they are.", true
	case t.ResidentID == 0:
		return "The line could not identify this caller: handing back puts them at the start of " +
			"identification, to key their account number and PIN. They are not marked as verified.", false
	case t.Verified:
		return "The caller passed their PIN: handing back puts them at the line's main menu, still verified.", false
	}
	return "The caller did not pass their PIN: handing back puts them at the line's main menu as verified, " +
		"so do it only once you have checked who they are.", true
}

// handBack is POST /desk/calls/{id}/return: the caller goes back to the line, where
// handBackWords says. A caller the line knows who did not pass the PIN is handed back
// only when the agent confirms they checked who it is (confirmed=yes).
func (d *desk) handBack(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if err := domain.CheckNote(note); err != nil { // before the call moves
		d.refuse(w, r, rq, c, "handing the call back", err, callForm{Note: note})
		return
	}
	picked, err := d.svc.CallerPicked(r.Context(), c.t)
	if err != nil {
		d.internal(w, r, rq, "handing the call back", err)
		return
	}
	to, err := d.handBackTo(r.Context(), c.t)
	if err != nil {
		d.internal(w, r, rq, "handing the call back", err)
		return
	}
	pickedOnly := picked && to != ivr.BackToNewPIN
	if _, confirm := handBackWords(c.t, pickedOnly, to == ivr.BackToNewPIN); confirm && r.PostForm.Get("confirmed") != "yes" {
		d.showHeld(w, r, rq, c, http.StatusUnprocessableEntity,
			"The caller did not pass their PIN, and handing back would let them act on the account as verified. "+
				"Tick that you checked who they are, or finish the call. Nothing was changed.", callForm{Note: note})
		return
	}
	if !d.returnCall(w, r, rq, c, to) {
		return
	}
	if _, err := d.svc.EndTransfer(r.Context(), rq.agent, c.t.ID, domain.TransferReturned, note); err != nil {
		d.refuse(w, r, rq, c, "recording the hand-back", err, callForm{Note: note})
		return
	}
	msg := "The caller is back at the line's main menu, and the call is recorded as handed back."
	if to == ivr.BackToNewPIN {
		msg = "The line is asking the caller to choose a new PIN, then goes on to its main menu; " +
			"the call is recorded as handed back."
	} else if c.t.ResidentID == 0 || pickedOnly {
		msg = "The caller is back at the line's identification, and the call is recorded as handed back."
	}
	d.setFlash(w, "ok", msg)
	http.Redirect(w, r, "/desk/", http.StatusSeeOther)
}

func (d *desk) returnCall(w http.ResponseWriter, r *http.Request, rq *request, c heldCall, to ivr.Back) bool {
	if d.calls == nil {
		d.showHeld(w, r, rq, c, http.StatusServiceUnavailable,
			"The desk can't reach Twilio, so the call can't be moved. Nothing was changed.", callForm{})
		return false
	}
	if err := d.calls.Return(r.Context(), c.t.CallSid, to); err != nil {
		d.log.Error("handing a call back", "transfer", c.t.ID, "to", to, "error", err)
		d.showHeld(w, r, rq, c, http.StatusBadGateway,
			"Twilio could not move the call ("+err.Error()+"). The caller is still with you; nothing was changed.", callForm{})
		return false
	}
	d.log.Info("call handed back", "agent", rq.agent.Username, "transfer", c.t.ID, "to", to)
	return true
}

// finish is POST /desk/calls/{id}/finish: the call is done, with a wrap-up note.
func (d *desk) finish(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if _, err := d.svc.EndTransfer(r.Context(), rq.agent, c.t.ID, domain.TransferDone, note); err != nil {
		d.refuse(w, r, rq, c, "finishing the call", err, callForm{Note: note})
		return
	}
	d.setFlash(w, "ok", "Call finished. Thank you.")
	http.Redirect(w, r, "/desk/", http.StatusSeeOther)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
