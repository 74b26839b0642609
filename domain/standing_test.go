package domain_test

import (
	"testing"

	"permitline/domain"
)

// CallerStanding tells an agent the PIN tries left, a lockout, an expired registration
// (R3) and a refund due (R24), as the store holds them.
func TestCallerStanding(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900042")
	caller := domain.ResidentCaller(res)
	actor := caller.Actor(domain.ChannelVoice)
	standing := func() domain.Standing {
		t.Helper()
		st, err := w.svc.CallerStanding(w.ctx, actor, res.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := standing(); !st.HasPIN || st.TriesLeft != domain.PINAttempts || !st.Registered || st.RefundsDue != 0 ||
		!st.LockedUntil.IsZero() {
		t.Fatalf("a fresh account: %+v", st)
	}
	for i := 1; i <= domain.PINAttempts; i++ {
		_ = w.svc.VerifyPIN(w.ctx, caller, "1111")
		st := standing()
		if i < domain.PINAttempts && (st.TriesLeft != domain.PINAttempts-i || !st.LockedUntil.IsZero()) {
			t.Fatalf("after %d wrong PINs: %+v", i, st)
		}
		if i == domain.PINAttempts && (st.TriesLeft != 0 || !st.LockedUntil.Equal(w.clock.Now().Add(domain.PINLockout))) {
			t.Fatalf("locked out: %+v", st)
		}
	}
	w.set("2027-03-01 10:00:00") // the registration (3 months) has expired, and the lockout is over
	st := standing()
	if st.Registered || st.ExpiredAt.IsZero() || !st.LockedUntil.IsZero() {
		t.Fatalf("expired: %+v", st)
	}
	actor, pay := phonePay(res, "ch_standing", 1)
	if _, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 1, pay); err == nil {
		t.Fatal("bought on an expired registration")
	}
	if st := standing(); st.RefundsDue != 1 {
		t.Fatalf("a refund due: %+v", st)
	}
	if _, err := w.svc.SettleRefund(w.ctx, w.admin, "ch_standing"); err != nil {
		t.Fatal(err)
	}
	if st := standing(); st.RefundsDue != 0 {
		t.Fatalf("a settled refund: %+v", st)
	}
}
