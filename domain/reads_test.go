package domain_test

import (
	"errors"
	"testing"

	"permitline/domain"
)

// R5: Op.Visit finds a visit for its resident, a member of the account whatever their
// permissions, and an agent; to anyone else it is not there, exactly as a reference no
// visit has.
func TestVisitByReferenceTellsNothingOfAnotherAccount(t *testing.T) {
	w := newWorld(t, "2026-11-30 08:00:00")
	owner, other := w.resident("Coleridge West", "07700 900501"), w.resident("Coleridge West", "07700 900502")
	w.mustBuy(owner.Account, 1)
	a := w.mustActivate(owner.Account, "AB12CDE", date(t, "2026-12-01"))
	m, err := w.svc.AddMember(w.ctx, w.admin, owner.Account, domain.NewMember{Name: "Buyer", Phone: "07700 900503",
		Permissions: domain.Permissions{domain.PermBuy}})
	if err != nil {
		t.Fatal(err)
	}
	visit := func(actor domain.Actor, ref string) (v domain.Visit, err error) {
		err = w.svc.Update(w.ctx, func(op *domain.Op) error { v, err = op.Visit(actor, ref); return err })
		return v, err
	}
	for name, actor := range map[string]domain.Actor{
		"resident": {Kind: domain.ActorResident, ID: owner.ID, Channel: domain.ChannelSMS},
		"member":   {Kind: domain.ActorMember, ID: m.ID, Channel: domain.ChannelSMS},
		"agent":    w.admin,
	} {
		if v, err := visit(actor, " "+a.Visit.Ref[:3]+" "+a.Visit.Ref[3:]); err != nil || v.ID != a.Visit.ID {
			t.Errorf("%s: %+v, %v; want visit %s", name, v, err, a.Visit.Ref)
		}
	}
	stranger := domain.Actor{Kind: domain.ActorResident, ID: other.ID, Channel: domain.ChannelSMS}
	_, theirs := visit(stranger, a.Visit.Ref)
	_, none := visit(stranger, "ZZZZZZ")
	if !errors.Is(theirs, domain.ErrNotFound) || !errors.Is(none, domain.ErrNotFound) || domain.RuleOf(theirs) != "" {
		t.Fatalf("another account's visit: %v; a reference no visit has: %v; want both not found", theirs, none)
	}
}
