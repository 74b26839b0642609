package domain

import (
	"fmt"

	"permitline/domain/calendar"
)

// The reads a conversation makes while it runs, in the operation's transaction, so that
// flows ask the domain rather than the store.

// ResidentByAccount loads an account; a missing one is ErrNotFound.
func (o *Op) ResidentByAccount(account string) (Resident, error) {
	return residentByAccount(o.tx, account)
}

// CallersByPhone returns the residents and members registered with the number, residents
// first.
func (o *Op) CallersByPhone(e164 string) ([]Caller, error) { return CallersByPhone(o.tx, e164) }

// Vehicles lists the vehicles saved on or used by an account already loaded (and
// authorised) in this operation.
func (o *Op) Vehicles(res Resident) ([]Vehicle, error) {
	vs, err := o.tx.Vehicles(res.ID)
	if err != nil {
		return nil, fmt.Errorf("vehicles of account %s: %w", res.Account, err)
	}
	return vs, nil
}

// VisitsFrom lists an account's visits on or after date, earliest first, at most limit.
func (o *Op) VisitsFrom(res Resident, date calendar.Date, limit int) ([]Visit, error) {
	vs, err := o.tx.VisitsFrom(res.ID, date, limit)
	if err != nil {
		return nil, fmt.Errorf("visits of account %s: %w", res.Account, err)
	}
	return vs, nil
}

// BalanceOf returns the balance of an account already loaded (and authorised).
func (o *Op) BalanceOf(res Resident) (Balance, error) { return BalanceOf(o.tx, res, o.now) }

// Visit returns the visit with the reference, for an actor with any access to its
// account (R5). A visit on an account the actor has no access to is, to them, not there:
// ErrNotFound, the same answer as for a reference no visit has, so a reference guessed or
// mistyped tells nothing of another account. What the actor may then do with the visit
// is the operation's own question (CancelVisit asks for PermActivate).
func (o *Op) Visit(actor Actor, ref string) (Visit, error) {
	v, err := o.tx.VisitByRef(NormaliseRef(ref))
	if err != nil {
		return Visit{}, fmt.Errorf("visit %s: %w", ref, err)
	}
	for _, p := range []Permission{PermView, PermActivate, PermBuy} {
		err = authorise(o.tx, actor, v.ResidentID, p)
		if RuleOf(err) == "" {
			break
		}
	}
	switch {
	case RuleOf(err) != "":
		return Visit{}, fmt.Errorf("visit %s: %w", ref, ErrNotFound)
	case err != nil:
		return Visit{}, err
	}
	return v, nil
}
