package domain

import (
	"context"
	"errors"

	"permitline/domain/calendar"
)

// RecentVisitDays is how far back an account's recent visits go (AccountView.Recent).
const RecentVisitDays = 28

// AccountView is an account at a glance: what the back office and agents see.
type AccountView struct {
	Resident Resident
	Address  Address
	Scheme   Scheme
	Balance  Balance
	Members  []Member
	Vehicles []Vehicle
	Upcoming []Visit // from today on, earliest first
	// Recent are the visits not cancelled in the RecentVisitDays before today, newest
	// first: what an agent asks a caller about to check who they are.
	Recent   []Visit
	Activity []AuditEntry
	Refunds  []Refund // payments owed back (R24), newest first, settled ones included
}

// Account returns the account at a glance.
func (s *Service) Account(ctx context.Context, actor Actor, account string) (AccountView, error) {
	var v AccountView
	err := s.viewAccount(ctx, actor, account, func(r Reader, res Resident) (err error) {
		now := s.clock.Now()
		v.Resident = res
		if v.Scheme, v.Address, err = schemeOf(r, res); err != nil {
			return err
		}
		if v.Balance, err = BalanceOf(r, res, now); err != nil {
			return err
		}
		if v.Members, err = r.Members(res.ID); err != nil {
			return err
		}
		if v.Vehicles, err = r.Vehicles(res.ID); err != nil {
			return err
		}
		today := calendar.DateOf(now)
		if v.Upcoming, err = r.VisitsFrom(res.ID, today, 50); err != nil {
			return err
		}
		past, err := r.VisitsFrom(res.ID, today.AddDays(-RecentVisitDays), 200)
		if err != nil {
			return err
		}
		for i := len(past) - 1; i >= 0; i-- {
			if vi := past[i]; vi.Date.Before(today) && vi.Status != VisitCancelled {
				v.Recent = append(v.Recent, vi)
			}
		}
		if v.Refunds, err = r.RefundsOf(res.ID); err != nil {
			return err
		}
		v.Activity, err = r.Audit(res.ID, 20)
		return err
	})
	return v, err
}

// viewAccount runs fn on a snapshot with the account, once actor may view it (R5).
func (s *Service) viewAccount(ctx context.Context, actor Actor, account string, fn func(Reader, Resident) error) error {
	return s.View(ctx, func(r Reader) error {
		res, err := residentByAccount(r, account)
		if err != nil {
			return err
		}
		if err := authorise(r, actor, res.ID, PermView); err != nil {
			return err
		}
		return fn(r, res)
	})
}

// Residents lists accounts in account-opening order, a page at a time.
func (s *Service) Residents(ctx context.Context, afterID int64, limit int) ([]Resident, error) {
	var out []Resident
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.Residents(afterID, limit); return err })
	return out, err
}

// Schemes lists the scheme areas.
func (s *Service) Schemes(ctx context.Context) ([]Scheme, error) {
	var out []Scheme
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.Schemes(); return err })
	return out, err
}

// IsNotFound reports whether err says a record does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Authorise loads an account and checks that actor may act on it with p; the refusal
// (R5) says what the actor may not do. Channels ask it rather than reading permissions.
func (o *Op) Authorise(actor Actor, account string, p Permission) (Resident, error) {
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return Resident{}, err
	}
	return res, authorise(o.tx, actor, res.ID, p)
}

// Balance returns an account's balance, for an actor who may view it.
func (o *Op) Balance(actor Actor, account string) (Balance, error) {
	res, err := o.Authorise(actor, account, PermView)
	if err != nil {
		return Balance{}, err
	}
	return BalanceOf(o.tx, res, o.now)
}

// UpcomingVisits lists an account's visits from today on, earliest first, for an actor who
// may view it.
func (o *Op) UpcomingVisits(actor Actor, account string, limit int) ([]Visit, error) {
	res, err := o.Authorise(actor, account, PermView)
	if err != nil {
		return nil, err
	}
	return o.tx.VisitsFrom(res.ID, calendar.DateOf(o.now), limit)
}
