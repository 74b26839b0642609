package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain/calendar"
	"permitline/domain/vrm"
)

// VisitRequest asks for a visit for a vehicle on a date.
type VisitRequest struct {
	VRM string // as typed, keyed or spoken; normalised here (R12)
	// Date is the day parking is needed; the zero Date means today, from now (R12, R13).
	Date calendar.Date
	// IdempotencyKey makes a retried activation return the first visit.
	IdempotencyKey string
}

// VisitPlan is what an activation would do, for the resident to confirm (R16).
type VisitPlan struct {
	Mark     vrm.Mark
	Date     calendar.Date
	StartsAt time.Time
	EndsAt   time.Time
	Scheme   Scheme
	Permit   Permit // the permit a visit would be taken from (R15)
	// VisitsLeft counts visits left on the account's permits valid that day, after this one.
	VisitsLeft int
}

// Activation is a visit that was activated.
type Activation struct {
	Visit      Visit
	Mark       vrm.Mark
	VisitsLeft int // on the account's valid permits, after this visit
	// Repeated is true when the idempotency key had been used: nothing new was recorded.
	Repeated bool
}

// PlanVisit checks a visit against every rule without using anything (R5, R8, R12-R15, R18).
func (o *Op) PlanVisit(actor Actor, account string, req VisitRequest) (VisitPlan, error) {
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return VisitPlan{}, err
	}
	return o.plan(actor, res, req)
}

func (o *Op) plan(actor Actor, res Resident, req VisitRequest) (VisitPlan, error) {
	if err := authorise(o.tx, actor, res.ID, PermActivate); err != nil {
		return VisitPlan{}, err
	}
	mark, err := parseVRM(req.VRM)
	if err != nil {
		return VisitPlan{}, err
	}
	today := calendar.DateOf(o.now)
	date := req.Date
	if date.IsZero() {
		date = today
	}
	if latest := today.AddDays(MaxDaysAhead); date.Before(today) || date.After(latest) {
		return VisitPlan{}, &DateOutOfRangeError{Date: date, Earliest: today, Latest: latest}
	}
	sc, _, err := schemeOf(o.tx, res)
	if err != nil {
		return VisitPlan{}, err
	}
	start, end, why := sc.Hours.Window(date, o.s.holidays)
	if why == calendar.PermitNeeded && date == today && !o.now.Before(end) {
		why = NoPermitHoursOver
	}
	if why != calendar.PermitNeeded {
		e := &NoPermitNeededError{Date: date, Reason: why}
		if h, ok := o.s.holidays.On(date); ok && why == calendar.NoPermitBankHoliday {
			e.Holiday = h.Title
		}
		from := date.AddDays(1).Midnight()
		if why == NoPermitHoursOver {
			from = o.now
		}
		e.NextStart, e.NextEnd = sc.Hours.NextNeeded(from, o.s.holidays)
		return VisitPlan{}, e
	}
	if start.Before(o.now) {
		start = o.now // R13: from the moment of activation, if later than the opening
	}
	switch existing, err := o.tx.ActiveVisit(res.ID, sc.ID, mark.Text, date); {
	case err == nil:
		return VisitPlan{}, &DuplicateVisitError{Existing: existing}
	case !errors.Is(err, ErrNotFound):
		return VisitPlan{}, err
	}
	permits, err := o.tx.PermitsExpiringAfter(res.ID, o.now)
	if err != nil {
		return VisitPlan{}, fmt.Errorf("loading permits of %s: %w", res.Account, err)
	}
	plan := VisitPlan{Mark: mark, Date: date, StartsAt: start, EndsAt: end, Scheme: sc}
	found, tooSoon := false, 0
	for _, p := range permits { // soonest expiry first (R15)
		switch {
		case p.SchemeID != sc.ID || p.PurchasedAt.After(o.now) || p.VisitsLeft() <= 0:
		case p.ExpiresAt.Before(end): // R8: a visit is never cut short by its permit's expiry
			tooSoon += p.VisitsLeft()
		case !found:
			found, plan.Permit = true, p
			plan.VisitsLeft += p.VisitsLeft() - 1
		default:
			plan.VisitsLeft += p.VisitsLeft()
		}
	}
	if !found {
		return VisitPlan{}, &NoPermitAvailableError{Date: date, VisitsLeft: tooSoon}
	}
	return plan, nil
}

// ActivateVisit uses one visit of the permit that expires soonest (R15) for the vehicle on
// the date, after every check of PlanVisit, decided in the transaction that writes.
func (o *Op) ActivateVisit(actor Actor, account string, req VisitRequest) (Activation, error) {
	if req.IdempotencyKey != "" {
		if v, err := o.tx.VisitByKey(req.IdempotencyKey); err == nil {
			return o.activationOf(v, true)
		} else if !errors.Is(err, ErrNotFound) {
			return Activation{}, err
		}
	}
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return Activation{}, err
	}
	plan, err := o.plan(actor, res, req)
	if err != nil {
		return Activation{}, err
	}
	ref, err := o.freshRef()
	if err != nil {
		return Activation{}, err
	}
	v, err := o.tx.InsertVisit(Visit{Ref: ref, ResidentID: res.ID, PermitID: plan.Permit.ID, SchemeID: plan.Scheme.ID,
		VRM: plan.Mark.Text, Date: plan.Date, StartsAt: plan.StartsAt, EndsAt: plan.EndsAt, Status: VisitActive,
		CreatedAt: o.now, By: actor, IdempotencyKey: req.IdempotencyKey})
	if err != nil {
		return Activation{}, fmt.Errorf("saving visit: %w", err)
	}
	if err := o.tx.SetPermitVisitsUsed(plan.Permit.ID, plan.Permit.VisitsUsed+1); err != nil {
		return Activation{}, fmt.Errorf("using a visit of permit %d: %w", plan.Permit.ID, err)
	}
	if _, err := o.tx.SaveVehicle(Vehicle{ResidentID: res.ID, VRM: plan.Mark.Text, LastUsedAt: o.now, CreatedAt: o.now}); err != nil {
		return Activation{}, fmt.Errorf("noting vehicle %s: %w", plan.Mark.Text, err)
	}
	if err := o.afterActivation(v); err != nil {
		return Activation{}, err
	}
	err = o.audit(res.ID, actor, "visit.activate", "%s %s on %s (%s), permit %d", ref, plan.Mark.Text,
		plan.Date, plan.Scheme.Name, plan.Permit.ID)
	return Activation{Visit: v, Mark: plan.Mark, VisitsLeft: plan.VisitsLeft}, err
}

func (o *Op) activationOf(v Visit, repeated bool) (Activation, error) {
	res, err := o.tx.ResidentByID(v.ResidentID)
	if err != nil {
		return Activation{}, err
	}
	b, err := BalanceOf(o.tx, res, o.now)
	if err != nil {
		return Activation{}, err
	}
	mark, _ := vrm.Parse(v.VRM)
	return Activation{Visit: v, Mark: mark, VisitsLeft: b.VisitsLeft, Repeated: repeated}, nil
}

func (o *Op) freshRef() (string, error) {
	return fresh("visit reference", o.ids.VisitRef, func(ref string) error {
		_, err := o.tx.VisitByRef(ref)
		return err
	})
}

// CancelVisit cancels a visit until 5 minutes before it starts, giving the visit back to
// its permit (R17).
func (o *Op) CancelVisit(actor Actor, ref string) (Visit, error) {
	v, err := o.tx.VisitByRef(NormaliseRef(ref))
	if err != nil {
		return Visit{}, fmt.Errorf("visit %s: %w", ref, err)
	}
	if err := authorise(o.tx, actor, v.ResidentID, PermActivate); err != nil {
		return Visit{}, err
	}
	if v.Status == VisitCancelled {
		return v, &AlreadyCancelledError{Visit: v}
	}
	if deadline := v.CancelDeadline(); o.now.After(deadline) {
		return v, &CancelTooLateError{Visit: v, Deadline: deadline, Started: !o.now.Before(v.StartsAt)}
	}
	if err := o.tx.SetVisitCancelled(v.ID, o.now); err != nil {
		return Visit{}, err
	}
	permit, err := permitByID(o.tx, v)
	if err != nil {
		return Visit{}, err
	}
	if err := o.tx.SetPermitVisitsUsed(permit.ID, permit.VisitsUsed-1); err != nil {
		return Visit{}, err
	}
	v.Status, v.CancelledAt = VisitCancelled, o.now
	if err := o.afterCancellation(v, actor); err != nil {
		return Visit{}, err
	}
	return v, o.audit(v.ResidentID, actor, "visit.cancel", "%s %s on %s", v.Ref, v.VRM, v.Date)
}

func permitByID(r Reader, v Visit) (Permit, error) {
	// A cancelled visit's permit may have expired since; search all the resident's permits.
	permits, err := r.PermitsExpiringAfter(v.ResidentID, time.Time{})
	if err != nil {
		return Permit{}, err
	}
	for _, p := range permits {
		if p.ID == v.PermitID {
			return p, nil
		}
	}
	return Permit{}, fmt.Errorf("permit %d of visit %s: %w", v.PermitID, v.Ref, ErrNotFound)
}

// NormaliseRef upper-cases a visit reference and drops spaces.
func NormaliseRef(ref string) string { return strings.ToUpper(strings.Join(strings.Fields(ref), "")) }

// PlanVisit checks a visit in its own transaction, using nothing.
func (s *Service) PlanVisit(ctx context.Context, actor Actor, account string, req VisitRequest) (VisitPlan, error) {
	var p VisitPlan
	err := s.Update(ctx, func(o *Op) (err error) { p, err = o.PlanVisit(actor, account, req); return err })
	return p, err
}

// ActivateVisit activates a visit in its own transaction.
func (s *Service) ActivateVisit(ctx context.Context, actor Actor, account string, req VisitRequest) (Activation, error) {
	var a Activation
	err := s.Update(ctx, func(o *Op) (err error) { a, err = o.ActivateVisit(actor, account, req); return err })
	return a, err
}

// CancelVisit cancels a visit in its own transaction.
func (s *Service) CancelVisit(ctx context.Context, actor Actor, ref string) (Visit, error) {
	var v Visit
	err := s.Update(ctx, func(o *Op) (err error) { v, err = o.CancelVisit(actor, ref); return err })
	return v, err
}

// UpcomingVisits lists an account's visits from today on, earliest first.
func (s *Service) UpcomingVisits(ctx context.Context, actor Actor, account string) ([]Visit, error) {
	var vs []Visit
	err := s.viewAccount(ctx, actor, account, func(r Reader, res Resident) (err error) {
		vs, err = r.VisitsFrom(res.ID, calendar.DateOf(s.clock.Now()), 100)
		return err
	})
	return vs, err
}

// Cancellable keeps the active visits that can still be cancelled at now (R17).
func Cancellable(vs []Visit, now time.Time) []Visit {
	var out []Visit
	for _, v := range vs {
		if v.Status == VisitActive && !now.After(v.CancelDeadline()) {
			out = append(out, v)
		}
	}
	return out
}

// Verdict answers a Civil Enforcement Officer's question (R23).
type Verdict struct {
	Permitted bool
	Reason    string
	Visit     Visit // the visit that permits it, when there is one
}

// Check says whether a vehicle is permitted in a scheme's resident bays at t (R23, R14).
func (s *Service) Check(ctx context.Context, rawVRM, scheme string, at time.Time) (Verdict, error) {
	mark, err := parseVRM(rawVRM)
	if err != nil {
		return Verdict{}, err
	}
	var out Verdict
	err = s.View(ctx, func(r Reader) error {
		sc, err := r.SchemeByName(strings.TrimSpace(scheme))
		if err != nil {
			return fmt.Errorf("scheme %q: %w", scheme, err)
		}
		date := calendar.DateOf(at)
		start, end, why := sc.Hours.Window(date, s.holidays)
		switch {
		case why == calendar.NoPermitBankHoliday:
			out = Verdict{Permitted: true, Reason: "no permit is needed on a bank holiday"}
			return nil
		case why != calendar.PermitNeeded:
			out = Verdict{Permitted: true, Reason: fmt.Sprintf("no permit is needed on a %s in %s", date.Weekday(), sc.Name)}
			return nil
		case at.Before(start) || !at.Before(end):
			out = Verdict{Permitted: true, Reason: "no permit is needed outside " + sc.Name + "'s operational hours"}
			return nil
		}
		vs, err := r.VisitsCovering(mark.Text, sc.ID, at)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			out = Verdict{Reason: fmt.Sprintf("%s holds no active visit in %s at %s", mark.Spaced(), sc.Name,
				at.In(calendar.London).Format("15:04 on Mon 2 Jan 2006"))}
			return nil
		}
		out = Verdict{Permitted: true, Reason: "active visit " + vs[0].Ref, Visit: vs[0]}
		return nil
	})
	return out, err
}
