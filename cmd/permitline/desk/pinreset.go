package desk

import (
	"context"
	"fmt"
	"net/http"

	"permitline/domain"
	"permitline/ivr"
)

// pinHelpView is the form that lifts a lockout or resets the PIN of the held call's
// caller, with what the account holds for the identity questions.
type pinHelpView struct {
	Address string   // the address and postcode the account holds
	Visits  []string // recent and upcoming visits: registration and date
	Waiting bool     // a reset was made on this call: handing back asks for a new PIN
	// Unidentified: the line did not identify the caller, and the agent has the account
	// they picked open: both questions are needed, even to lift a lockout.
	Unidentified bool
	NoReset      string // why a PIN can't be reset here (a callback), when it can't
}

// pinHelpFor fills the PIN form of the held call's caller: one the line identified, or
// one it did not whose account the agent has open (found by its number or a search).
func (d *desk) pinHelpFor(ctx context.Context, p *callView, t domain.Transfer) error {
	if !p.Mine || p.Account == nil {
		return nil
	}
	v := &pinHelpView{Address: p.Account.Address, Unidentified: t.ResidentID == 0}
	v.Visits = append(v.Visits, p.Account.Recent...)
	for _, vi := range p.Account.Upcoming {
		v.Visits = append(v.Visits, vi.VRM+" on "+vi.Date)
	}
	waiting, err := d.svc.PINResetWaiting(ctx, t.CallSid)
	if err != nil {
		return fmt.Errorf("the PIN reset of call %d: %w", t.ID, err)
	}
	v.Waiting = waiting
	p.PINHelp = v
	return nil
}

// pinHelp is POST /desk/calls/{id}/pin: the agent lifts the caller's lockout or resets
// their PIN, with the identity questions the caller answered ticked.
func (d *desk) pinHelp(w http.ResponseWriter, r *http.Request, rq *request, c heldCall) {
	if !d.needAccount(w, r, rq, c, callForm{}) {
		return
	}
	help := domain.PINHelp(r.PostForm.Get("action"))
	q := domain.IdentityAnswers{Address: r.PostForm.Get("q_address") == "yes", Visit: r.PostForm.Get("q_visit") == "yes"}
	if c.cb != nil {
		d.callbackPINHelp(w, r, rq, c, help, q)
		return
	}
	if err := d.svc.HelpWithPINOfAccount(r.Context(), rq.agent, c.t.ID, c.account, help, q); err != nil {
		d.refuse(w, r, rq, c, "helping with the PIN", err, callForm{})
		return
	}
	d.log.Info("pin help", "agent", rq.agent.Username, "transfer", c.t.ID, "action", string(help))
	msg := "The lockout is lifted: the caller can try their PIN again."
	if help == domain.PINReset {
		msg = "The PIN is reset and the resident is texted. Hand the call back: the line asks the caller to choose a new PIN on the keypad, then goes on to the main menu."
	}
	if c.t.ResidentID == 0 {
		msg += " " + pickedWords
	}
	d.setFlash(w, "ok", msg)
	// The call's caller is now the account's holder: its page needs no account in the link.
	http.Redirect(w, r, fmt.Sprintf("/desk/calls/%d", c.t.ID), http.StatusSeeOther)
}

// handBackTo is where handing the call back sends the caller: choosing a new PIN when
// the agent reset it on this call, else the main menu.
func (d *desk) handBackTo(ctx context.Context, t domain.Transfer) (ivr.Back, error) {
	waiting, err := d.svc.PINResetWaiting(ctx, t.CallSid)
	if err != nil {
		return "", fmt.Errorf("the PIN reset of call %d: %w", t.ID, err)
	}
	if waiting {
		return ivr.BackToNewPIN, nil
	}
	return ivr.BackToMenu, nil
}

// callbackPINHelp lifts the lockout of the resident an agent is calling back; a reset is
// refused with why.
func (d *desk) callbackPINHelp(w http.ResponseWriter, r *http.Request, rq *request, c heldCall, help domain.PINHelp, q domain.IdentityAnswers) {
	if help != domain.PINUnlock {
		d.showHeld(w, r, rq, c, http.StatusUnprocessableEntity, callbackNoReset+" Nothing was changed.", callForm{})
		return
	}
	if err := d.svc.HelpWithCallbackPIN(r.Context(), rq.agent, c.cb.ID, c.account, q); err != nil {
		d.refuse(w, r, rq, c, "helping with the PIN", err, callForm{})
		return
	}
	d.log.Info("pin help", "agent", rq.agent.Username, "callback", c.cb.ID, "action", string(help))
	d.setFlash(w, "ok", "The lockout is lifted: the resident can try their PIN again.")
	http.Redirect(w, r, c.url(), http.StatusSeeOther)
}
