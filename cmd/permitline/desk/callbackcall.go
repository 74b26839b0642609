package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"permitline/domain"
	"permitline/domain/calendar"
)

// A callback an agent takes is worked like a call: its page is the call page (call.html,
// the same parts), with the context of the call it was asked on (for a kept callback,
// everything the queued call did), the resident's account, the same account actions and
// PIN help, and, in place of moving the call, done or not answered.

// callbackURL is a callback's page, keeping the account looked up for a caller the line
// did not identify.
func callbackURL(cb domain.Callback, account string) string {
	u := "/desk/callbacks/" + strconv.FormatInt(cb.ID, 10)
	if cb.ResidentID == 0 && account != "" {
		u += "?account=" + url.QueryEscape(account)
	}
	return u
}

// callbackCall is the call a callback was asked on, as the call page shows a call: for
// a kept callback its queued call; otherwise (or if that is gone) the callback's own
// record of the call.
func (d *desk) callbackCall(ctx context.Context, cb domain.Callback) (domain.Transfer, error) {
	t := domain.Transfer{ID: cb.TransferID, CallSid: cb.CallSid, From: cb.Number, ResidentID: cb.ResidentID,
		Caller: cb.Caller, Verified: cb.Verified, Reason: cb.Reason, Context: cb.Context, CreatedAt: cb.CreatedAt}
	if cb.TransferID != 0 {
		kept, err := d.svc.Transfer(ctx, cb.TransferID)
		switch {
		case err == nil:
			t = kept
		case !domain.IsNotFound(err):
			return domain.Transfer{}, err
		}
	}
	// The callback's own record of who called counts: an agent may have identified them since.
	t.ResidentID, t.Caller, t.Verified, t.AgentID = cb.ResidentID, cb.Caller, cb.Verified, cb.AgentID
	t.Status = domain.TransferCallback
	return t, nil
}

// callbackAccount is the account of a callback's resident, or the one the agent looked up.
func (d *desk) callbackAccount(r *http.Request, cb domain.Callback) (string, error) {
	if cb.ResidentID == 0 {
		return strings.TrimSpace(r.FormValue("account")), nil
	}
	var account string
	err := d.svc.View(r.Context(), func(rd domain.Reader) error {
		res, err := rd.ResidentByID(cb.ResidentID)
		account = res.Account
		return err
	})
	return account, err
}

// callbackFromPath loads the callback {id}.
func (d *desk) callbackFromPath(w http.ResponseWriter, r *http.Request, rq *request) (domain.Callback, bool) {
	id, ok := callbackID(r)
	if !ok {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return domain.Callback{}, false
	}
	cb, err := d.svc.Callback(r.Context(), id)
	if domain.IsNotFound(err) {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return domain.Callback{}, false
	}
	if err != nil {
		d.internal(w, r, rq, "loading the callback", err)
		return domain.Callback{}, false
	}
	return cb, true
}

// making reports whether the agent is making the callback now.
func making(cb domain.Callback, a domain.Agent) bool {
	return cb.AgentID == a.ID && (cb.Status == domain.CallbackCalling || cb.Status == domain.CallbackConnected)
}

// heldCallback lets through only the agent making the callback, while they are.
func (d *desk) heldCallback(h func(http.ResponseWriter, *http.Request, *request, heldCall)) agentHandler {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		cb, ok := d.callbackFromPath(w, r, rq)
		if !ok {
			return
		}
		if cb.AgentID != rq.agent.ID {
			d.errorPage(w, r, rq, http.StatusForbidden, callbackNotYours)
			return
		}
		if !making(cb, rq.agent) {
			d.errorPage(w, r, rq, http.StatusConflict, callbackOver)
			return
		}
		account, err := d.callbackAccount(r, cb)
		if err != nil {
			d.internal(w, r, rq, "loading the resident's account", err)
			return
		}
		t, err := d.callbackCall(r.Context(), cb)
		if err != nil {
			d.internal(w, r, rq, "loading the callback", err)
			return
		}
		h(w, r, rq, heldCall{t: t, account: account, cb: &cb})
	}
}

// callbackPage is GET /desk/callbacks/{id}: the callback worked like a call.
func (d *desk) callbackPage(w http.ResponseWriter, r *http.Request, rq *request) {
	cb, ok := d.callbackFromPath(w, r, rq)
	if !ok {
		return
	}
	account, err := d.callbackAccount(r, cb)
	if err != nil {
		d.internal(w, r, rq, "loading the resident's account", err)
		return
	}
	d.showCallback(w, r, rq, cb, account, http.StatusOK, "", callForm{})
}

func (d *desk) showCallback(w http.ResponseWriter, r *http.Request, rq *request, cb domain.Callback, account string,
	status int, msg string, form callForm) {
	ctx := r.Context()
	now := d.svc.Now()
	t, err := d.callbackCall(ctx, cb)
	if err != nil {
		d.internal(w, r, rq, "loading the callback", err)
		return
	}
	row := d.callbackRow(ctx, cb, rq)
	p := &callView{page: d.page(r, rq, "Callback"), Base: "/desk/callbacks/" + strconv.FormatInt(cb.ID, 10),
		Callback: &row, Call: summarise(t, account, now), StatusText: callbackStatusText(cb.Status),
		Number: maskedNumber(cb.Number), CallerName: t.Caller.Name, Note: cb.Note, NoTwilio: d.calls == nil,
		NeedsLookup: cb.ResidentID == 0, Today: calendar.DateOf(now).String(),
		MaxDate: calendar.DateOf(now).AddDays(domain.MaxDaysAhead).String(), Form: form, Key: randomToken(12), Error: msg}
	p.Nav, p.Helpdesk = "callbacks", d.helpdesk()
	p.Flash = d.takeFlash(w, r)
	if p.Form.Date == "" {
		p.Form.Date = p.Today
	}
	if cb.ResidentID == 0 {
		p.Lookup = account
	}
	if cb.AgentID != 0 {
		p.TakenBy = d.agentName(ctx, cb.AgentID)
	}
	switch {
	case making(cb, rq.agent):
		p.Mine = true
		p.Number = fullNumber(cb.Number)
		p.StatusText += " (" + p.TakenBy + ")"
	case cb.Status == domain.CallbackPending:
		p.ReadOnly = callbackWaiting
	case cb.Status == domain.CallbackCalling || cb.Status == domain.CallbackConnected:
		p.ReadOnly = p.TakenBy + " is making this callback: " + strings.ToLower(callbackNotYours[:1]) + callbackNotYours[1:]
	default:
		p.ReadOnly = callbackOver
	}
	p.Title = "Callback to " + p.Number
	if !d.showCallerAccount(w, r, rq, t, p, account, now, accountLookup{
		held: "callback", person: "resident",
		notHeld:  "Only the agent making this callback can look up an account for it. Take the callback first; nothing was looked up.",
		notYours: callbackNotYours,
		lookUp:   func(account string) error { return d.svc.LookUpAccountForCallback(ctx, rq.agent, cb.ID, account) },
		find: func(by domain.SearchBy, text string) ([]domain.FoundAccount, error) {
			return d.svc.FindAccountsForCallback(ctx, rq.agent, cb.ID, by, text)
		},
		link: func(account string) string { return callbackURL(cb, account) },
	}) {
		return
	}
	if p.Mine && p.Account != nil {
		v := &pinHelpView{Address: p.Account.Address, Unidentified: cb.ResidentID == 0, NoReset: callbackNoReset}
		for _, vi := range p.Account.Upcoming {
			v.Visits = append(v.Visits, vi.VRM+" on "+vi.Date)
		}
		p.PINHelp = v
	}
	d.render(w, status, "call.html", p)
}

// callbackUnanswered is POST /desk/callbacks/{id}/unanswered: the agent making a callback
// could not reach the resident; it is due again, or after the last try the resident is texted.
func (d *desk) callbackUnanswered(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	note := strings.TrimSpace(r.PostForm.Get("note"))
	cb, err := d.svc.CallbackNotReached(r.Context(), rq.agent, c.cb.ID, note)
	if err != nil {
		d.refuse(w, r, rq, c, "recording the callback as not answered", err, callForm{Note: note})
		return
	}
	msg := callbackAgain
	if cb.Status == domain.CallbackFailed {
		msg = callbackFailed
	}
	d.setFlash(w, "ok", msg)
	http.Redirect(w, r, "/desk/callbacks", http.StatusSeeOther)
}

// maxCancelReason bounds the reason for cancelling a callback: a short one.
const maxCancelReason = 200

// cancelCallback is POST /desk/callbacks/{id}/cancel: a callback still to be made is
// dropped, with a short reason (audited). The resident may ask for a new one (R25).
func (d *desk) cancelCallback(w http.ResponseWriter, r *http.Request, rq *request) {
	id, ok := callbackID(r)
	if !ok {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case reason == "":
		d.showCallbacks(w, r, rq, http.StatusUnprocessableEntity, &flash{Kind: "error",
			Text: "Say briefly why the callback is cancelled. Nothing was changed."})
		return
	case len(reason) > maxCancelReason:
		d.showCallbacks(w, r, rq, http.StatusUnprocessableEntity, &flash{Kind: "error",
			Text: "Keep the reason to " + strconv.Itoa(maxCancelReason) + " characters. Nothing was changed."})
		return
	}
	_, err := d.svc.CancelCallback(r.Context(), rq.agent, id, reason)
	switch {
	case errors.Is(err, domain.ErrTaken):
		d.showCallbacks(w, r, rq, http.StatusConflict, &flash{Kind: "error",
			Text: "This callback can no longer be cancelled: it was made, or cancelled already."})
		return
	case domain.IsNotFound(err):
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return
	case err != nil:
		d.internal(w, r, rq, "cancelling the callback", err)
		return
	}
	d.log.Info("callback cancelled", "agent", rq.agent.Username, "callback", id)
	d.setFlash(w, "ok", "Callback cancelled. The resident can still ask for a new one.")
	http.Redirect(w, r, "/desk/callbacks", http.StatusSeeOther)
}
