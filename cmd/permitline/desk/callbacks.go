package desk

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"permitline/domain"
)

// CallBacker calls a resident back for a callback an agent has taken and puts them
// through to the agent; *ivr.CallControl is one.
type CallBacker interface {
	CallBack(ctx context.Context, cb domain.Callback, a domain.Agent) (outboundSid string, err error)
}

// callbackView is a callback as the desk lists it.
type callbackView struct {
	ID                          int64
	Number, Account, Why, DueAt string
	Attempts, Of                int
	Due, Mine                   bool
	Status                      string
}

type callbacksView struct {
	page
	Rows []callbackView
	Held []callbackView // the agent's own, being made or connected
	Of   int            // the tries a callback gets (domain.CallbackAttempts)
}

// callbackRow writes a callback for the list.
func (d *desk) callbackRow(ctx context.Context, cb domain.Callback, rq *request) callbackView {
	now := d.svc.Now()
	v := callbackView{ID: cb.ID, Number: maskedNumber(cb.Number), Account: "not identified",
		Why:      reasonInFull(domain.Transfer{Reason: cb.Reason, Context: cb.Context}),
		DueAt:    dateTime(cb.DueAt, now),
		Attempts: cb.Attempts, Of: domain.CallbackAttempts, Due: !cb.DueAt.After(now),
		Mine: cb.AgentID == rq.agent.ID, Status: string(cb.Status)}
	if cb.ResidentID != 0 {
		var res domain.Resident
		if err := d.svc.View(ctx, func(r domain.Reader) (err error) { res, err = r.ResidentByID(cb.ResidentID); return err }); err == nil {
			v.Account = res.Account + " (" + res.Name + ")"
		}
	}
	return v
}

// callbacksPage is GET /desk/callbacks: the callbacks waiting for an agent, due ones first
// and oldest first, and the agent's own callback being made.
func (d *desk) callbacksPage(w http.ResponseWriter, r *http.Request, rq *request) {
	d.showCallbacks(w, r, rq, http.StatusOK, nil)
}

func (d *desk) showCallbacks(w http.ResponseWriter, r *http.Request, rq *request, status int, f *flash) {
	cbs, err := d.svc.Callbacks(r.Context())
	if err != nil {
		d.internal(w, r, rq, "loading the callbacks", err)
		return
	}
	p := &callbacksView{page: d.page(r, rq, "Callbacks"), Of: domain.CallbackAttempts}
	p.Nav, p.Helpdesk = "callbacks", d.helpdesk()
	p.Flash = f
	if p.Flash == nil {
		p.Flash = d.takeFlash(w, r)
	}
	var due, later []callbackView
	for _, cb := range cbs {
		v := d.callbackRow(r.Context(), cb, rq)
		if v.Due {
			due = append(due, v)
		} else {
			later = append(later, v)
		}
	}
	p.Rows = append(due, later...)
	for _, st := range []domain.CallbackStatus{domain.CallbackCalling, domain.CallbackConnected} {
		var held []domain.Callback
		err := d.svc.View(r.Context(), func(rd domain.Reader) (err error) {
			held, err = rd.CallbacksWithStatus(st, 200)
			return err
		})
		if err != nil {
			d.internal(w, r, rq, "loading the callbacks", err)
			return
		}
		for _, cb := range held {
			if cb.AgentID == rq.agent.ID {
				p.Held = append(p.Held, d.callbackRow(r.Context(), cb, rq))
			}
		}
	}
	d.render(w, status, "callbacks.html", p)
}

// callbackID reads {id}.
func callbackID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// takeCallback is POST /desk/callbacks/{id}/take: the agent takes a due callback, and the
// line calls the resident, who is put through to the agent once they answer. The agent
// lands on the callback's page, worked like a call (callbackPage).
func (d *desk) takeCallback(w http.ResponseWriter, r *http.Request, rq *request) {
	id, ok := callbackID(r)
	if !ok {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return
	}
	cb, err := d.svc.TakeCallback(r.Context(), rq.agent, id)
	var notDue *domain.CallbackNotDueError
	switch {
	case errors.As(err, &notDue):
		d.showCallbacks(w, r, rq, http.StatusConflict, &flash{Kind: "error",
			Text: "This callback is not due yet: it is due " + dateTime(notDue.Due, d.svc.Now()) + "."})
		return
	case errors.Is(err, domain.ErrTaken):
		d.showCallbacks(w, r, rq, http.StatusConflict, &flash{Kind: "error",
			Text: "Too late: another agent took this callback."})
		return
	case domain.IsNotFound(err):
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return
	case err != nil:
		d.internal(w, r, rq, "taking the callback", err)
		return
	}
	d.log.Info("callback taken", "agent", rq.agent.Username, "callback", cb.ID, "attempt", cb.Attempts)
	cc, ok := d.calls.(CallBacker)
	if !ok || d.calls == nil {
		d.setFlash(w, "error", "The desk cannot reach Twilio to make the call. Call the resident on "+
			maskedNumber(cb.Number)+" yourself, then finish the callback with a note.")
		http.Redirect(w, r, callbackURL(cb, ""), http.StatusSeeOther)
		return
	}
	sid, err := cc.CallBack(r.Context(), cb, rq.agent)
	if err != nil {
		d.log.Error("calling a resident back", "callback", cb.ID, "error", err)
		d.setFlash(w, "error", "The call to the resident could not be made. Try the number yourself, "+
			"then finish the callback with a note.")
		http.Redirect(w, r, callbackURL(cb, ""), http.StatusSeeOther)
		return
	}
	if err := d.svc.CallbackDialled(r.Context(), cb.ID, sid); err != nil && !errors.Is(err, domain.ErrTaken) {
		d.log.Error("recording a callback's call", "callback", cb.ID, "error", err)
	}
	d.setFlash(w, "ok", "Calling "+maskedNumber(cb.Number)+" now: your phone rings when they answer.")
	http.Redirect(w, r, callbackURL(cb, ""), http.StatusSeeOther)
}

// finishCallback is POST /desk/callbacks/{id}/finish: the agent who made a callback ends
// it with a note.
func (d *desk) finishCallback(w http.ResponseWriter, r *http.Request, rq *request) {
	id, ok := callbackID(r)
	if !ok {
		d.errorPage(w, r, rq, http.StatusNotFound, "There is no such callback.")
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if note == "" {
		d.showCallbacks(w, r, rq, http.StatusUnprocessableEntity, &flash{Kind: "error", Text: "Write a note of what was done first."})
		return
	}
	if _, err := d.svc.FinishCallback(r.Context(), rq.agent, id, note); err != nil {
		if errors.Is(err, domain.ErrNotYourCall) || domain.IsNotFound(err) {
			d.showCallbacks(w, r, rq, http.StatusConflict, &flash{Kind: "error", Text: "This callback is not yours to finish."})
			return
		}
		d.internal(w, r, rq, "finishing the callback", err)
		return
	}
	d.setFlash(w, "ok", "Callback finished.")
	http.Redirect(w, r, "/desk/callbacks", http.StatusSeeOther)
}
