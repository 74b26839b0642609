package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// Coleridge West (fixtures/schemes.csv) runs Mon-Fri 09:00-18:00; Monday 30 November 2026
// is the usual "today" below.
const cw = "Coleridge West"

func TestR7AllowanceAndItsRenewal(t *testing.T) {
	// 1 April 2027 is in BST: the permit year turns at 23:00 UTC on 31 March.
	w := newWorld(t, "2027-03-31 23:59:59")
	res := w.resident(cw, "07700900001")
	w.mustBuy(res.Account, 18)
	_, err := w.buy(res.Account, 3)
	e := wantRule[*domain.AllowanceError](t, err, "R7")
	if e.Remaining != 2 || e.RenewsOn != date(t, "2027-04-01") {
		t.Fatalf("R7 refusal says %d left, renewing %s; want 2 and 2027-04-01", e.Remaining, e.RenewsOn)
	}
	if b := w.balance(res.Account); b.BoughtThisYear != 18 {
		t.Fatalf("R7 refused purchase must be refused whole: %d bought, want 18", b.BoughtThisYear)
	}
	w.mustBuy(res.Account, 1) // the 19th
	if p := w.mustBuy(res.Account, 1); p.AllowanceLeft != 0 {
		t.Fatalf("the 20th permit leaves %d, want 0", p.AllowanceLeft)
	}
	_, err = w.buy(res.Account, 1) // the 21st
	if e := wantRule[*domain.AllowanceError](t, err, "R7"); e.Remaining != 0 {
		t.Fatalf("21st: %d left, want 0", e.Remaining)
	}
	w.set("2027-04-01 00:00:00")
	if got := w.clock.Now().UTC().Format(time.RFC3339); got != "2027-03-31T23:00:00Z" {
		t.Fatalf("London midnight on 1 April 2027 is %s, want 2027-03-31T23:00:00Z", got)
	}
	p := w.mustBuy(res.Account, 1)
	if p.AllowanceLeft != 19 || p.RenewsOn != date(t, "2028-04-01") {
		t.Fatalf("after renewal: %d left renewing %s, want 19 and 2028-04-01", p.AllowanceLeft, p.RenewsOn)
	}
}

func TestR8PermitLastsTwelveMonthsExactly(t *testing.T) {
	w := newWorld(t, "2026-01-05 10:00:00")
	res := w.resident(cw, "07700900002")
	p := w.mustBuy(res.Account, 1).Permits[0]
	if want := at(t, "2027-01-05 10:00:00"); !p.ExpiresAt.Equal(want) {
		t.Fatalf("R8 expiry %s, want %s", p.ExpiresAt, want)
	}
	if p.VisitsLeft() != domain.VisitsPerPermit {
		t.Fatalf("R8 a new permit carries %d visits, want 5", p.VisitsLeft())
	}
	w.set("2027-01-05 09:59:59")
	if b := w.balance(res.Account); len(b.Permits) != 1 || b.VisitsLeft != 5 {
		t.Fatalf("R8 a second before 12 months: %d permits, %d visits; want 1 and 5", len(b.Permits), b.VisitsLeft)
	}
	w.set("2027-01-05 10:00:00")
	if b := w.balance(res.Account); len(b.Permits) != 0 || b.VisitsLeft != 0 {
		t.Fatalf("R8 at exactly 12 months: %d permits, %d visits; want none", len(b.Permits), b.VisitsLeft)
	}

	// A visit must end before its permit expires: Monday 4 January ends 18:00, before
	// the expiry on Tuesday 5 January at 10:00; Tuesday's visit would not.
	w.set("2026-12-22 10:00:00")
	if _, err := w.activate(res.Account, "AB12CDE", date(t, "2027-01-04")); err != nil {
		t.Fatalf("R8 visit the day before expiry: %v", err)
	}
	_, err := w.activate(res.Account, "AB12CDE", date(t, "2027-01-05"))
	if e := wantRule[*domain.NoPermitAvailableError](t, err, "R8"); e.VisitsLeft != 4 {
		t.Fatalf("R8 refusal counts %d visits on permits expiring too soon, want 4", e.VisitsLeft)
	}
}

func TestR12VisitDates(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900003")
	w.mustBuy(res.Account, 1)
	tests := []struct {
		name, vrm, date, rule string
	}{
		{"R12 today", "AB12CDE", "2026-11-30", ""},
		{"R12 14 days ahead", "AB12CDF", "2026-12-14", ""},
		{"R12 15 days ahead", "AB12CDG", "2026-12-15", "R12"},
		{"R12 yesterday", "AB12CDH", "2026-11-29", "R12"},
		{"R12 implausible registration", "AI12CDE", "2026-12-01", "R12"},
		{"R12 registration normalised", "ab12 cdj", "2026-12-01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := w.balance(res.Account).VisitsLeft
			_, err := w.activate(res.Account, tc.vrm, date(t, tc.date))
			after := w.balance(res.Account).VisitsLeft
			if tc.rule == "" {
				if err != nil || after != before-1 {
					t.Fatalf("want a visit used, got %v (%d -> %d visits)", err, before, after)
				}
				return
			}
			if got := domain.RuleOf(err); got != tc.rule || after != before {
				t.Fatalf("want refusal %s and nothing used, got %v (%d -> %d visits)", tc.rule, err, before, after)
			}
		})
	}
	_, err := w.activate(res.Account, "AB12 CDE", date(t, "2026-12-15"))
	e := wantRule[*domain.DateOutOfRangeError](t, err, "R12")
	if e.Latest != date(t, "2026-12-14") || e.Earliest != date(t, "2026-11-30") {
		t.Fatalf("R12 range %s..%s, want 2026-11-30..2026-12-14", e.Earliest, e.Latest)
	}
	_, err = w.activate(res.Account, "AI12CDE", calendar.Date{})
	if e := wantRule[*domain.InvalidVRMError](t, err, "R12"); e.Reason == "" {
		t.Fatal("R12 an invalid registration must say why")
	}
}

func TestR13VisitWindow(t *testing.T) {
	w := newWorld(t, "2026-11-30 07:30:00")
	res := w.resident(cw, "07700900004")
	w.mustBuy(res.Account, 1)
	early, err := w.activate(res.Account, "AB12CDF", calendar.Date{}) // a text with no date: today
	if err != nil {
		t.Fatal(err)
	}
	if !early.Visit.StartsAt.Equal(at(t, "2026-11-30 09:00:00")) {
		t.Fatalf("R13 activated before opening starts %s, want 09:00", early.Visit.StartsAt)
	}
	w.set("2026-11-30 10:15:00")
	today := w.mustActivate(res.Account, "AB12CDE", calendar.Date{})
	if !today.Visit.StartsAt.Equal(w.clock.Now()) || !today.Visit.EndsAt.Equal(at(t, "2026-11-30 18:00:00")) {
		t.Fatalf("R13 today's visit runs %s-%s, want from now to 18:00", today.Visit.StartsAt, today.Visit.EndsAt)
	}
	ahead := w.mustActivate(res.Account, "AB12CDE", date(t, "2026-12-02"))
	if !ahead.Visit.StartsAt.Equal(at(t, "2026-12-02 09:00:00")) || ahead.Visit.Date != date(t, "2026-12-02") {
		t.Fatalf("R13 visit ahead starts %s, want 2 Dec 09:00", ahead.Visit.StartsAt)
	}
}

func TestR14NoPermitNeededUsesNoVisit(t *testing.T) {
	w := newWorld(t, "2026-12-21 10:00:00") // Monday
	res := w.resident(cw, "07700900005")
	w.mustBuy(res.Account, 1)
	tests := []struct {
		name, now, date string
		reason          calendar.NoPermitReason
		nextStart       string
	}{
		{"R14 substitute Boxing Day 2026", "2026-12-21 10:00:00", "2026-12-28", calendar.NoPermitBankHoliday, "2026-12-29 09:00:00"},
		{"R14 Christmas Day 2026", "2026-12-21 10:00:00", "2026-12-25", calendar.NoPermitBankHoliday, "2026-12-29 09:00:00"},
		{"R14 Sunday in a Mon-Fri scheme", "2026-12-21 10:00:00", "2026-12-27", calendar.NoPermitNonOperationalDay, "2026-12-29 09:00:00"},
		{"R14 today after hours", "2026-12-21 18:00:00", "2026-12-21", domain.NoPermitHoursOver, "2026-12-22 09:00:00"},
		{"R14 today after hours, late", "2026-12-21 23:59:00", "2026-12-21", domain.NoPermitHoursOver, "2026-12-22 09:00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.set(tc.now)
			before := w.balance(res.Account).VisitsLeft
			_, err := w.activate(res.Account, "AB12CDE", date(t, tc.date))
			e := wantRule[*domain.NoPermitNeededError](t, err, "R14")
			if e.Reason != tc.reason || !e.NextStart.Equal(at(t, tc.nextStart)) {
				t.Fatalf("reason %s next %s, want %s next %s", e.Reason, e.NextStart, tc.reason, tc.nextStart)
			}
			if after := w.balance(res.Account).VisitsLeft; after != before {
				t.Fatalf("R14 used a visit: %d -> %d", before, after)
			}
		})
	}
	w.set("2026-12-21 10:00:00")
	_, err := w.activate(res.Account, "AB12CDE", date(t, "2026-12-28"))
	if e := wantRule[*domain.NoPermitNeededError](t, err, "R14"); e.Holiday != "Boxing Day" {
		t.Fatalf("R14 names the holiday %q, want Boxing Day", e.Holiday)
	}
	w.set("2026-12-21 17:59:59")
	if _, err := w.activate(res.Account, "AB12CDE", date(t, "2026-12-21")); err != nil {
		t.Fatalf("R13 a second before closing still needs a permit: %v", err)
	}
}

func TestR15SoonestExpiringPermitFirst(t *testing.T) {
	w := newWorld(t, "2026-11-02 10:00:00")
	res := w.resident(cw, "07700900006")
	first := w.mustBuy(res.Account, 1).Permits[0]
	w.set("2026-11-03 10:00:00")
	second := w.mustBuy(res.Account, 1).Permits[0]
	w.set("2026-11-30 08:00:00")
	vrms := []string{"AB12CDA", "AB12CDC", "AB12CDD", "AB12CDE", "AB12CDF", "AB12CDG"}
	for i, v := range vrms {
		a := w.mustActivate(res.Account, v, date(t, "2026-12-01"))
		want := first.ID
		if i == 5 {
			want = second.ID
		}
		if a.Visit.PermitID != want {
			t.Fatalf("R15 visit %d used permit %d, want %d", i+1, a.Visit.PermitID, want)
		}
		if a.VisitsLeft != 10-(i+1) {
			t.Fatalf("R15 after visit %d: %d left, want %d", i+1, a.VisitsLeft, 10-(i+1))
		}
	}
	for _, v := range vrms[:4] {
		if _, err := w.activate(res.Account, v, date(t, "2026-12-02")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := w.activate(res.Account, "AB12XYZ", date(t, "2026-12-03"))
	wantRule[*domain.NoPermitAvailableError](t, err, "R15")
}

func TestR17CancelUntilFiveMinutesBefore(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900007")
	w.mustBuy(res.Account, 1)
	a1, _ := w.activate(res.Account, "AB12CDE", date(t, "2026-12-01"))
	a2, _ := w.activate(res.Account, "AB12CDF", date(t, "2026-12-01"))
	if a1.Visit.Ref == "" || a2.Visit.Ref == "" {
		t.Fatal("activations failed")
	}
	if got := a1.Visit.CancelDeadline(); !got.Equal(at(t, "2026-12-01 08:55:00")) {
		t.Fatalf("R17 deadline %s, want 08:55", got)
	}
	w.set("2026-12-01 08:55:00")
	v, err := w.svc.CancelVisit(w.ctx, w.admin, a1.Visit.Ref)
	if err != nil || v.Status != domain.VisitCancelled {
		t.Fatalf("R17 exactly 5 minutes before: %v (%s)", err, v.Status)
	}
	if b := w.balance(res.Account); b.VisitsLeft != 4 {
		t.Fatalf("R17 cancelling gives the visit back: %d left, want 4", b.VisitsLeft)
	}
	w.set("2026-12-01 08:55:01")
	_, err = w.svc.CancelVisit(w.ctx, w.admin, a2.Visit.Ref)
	if e := wantRule[*domain.CancelTooLateError](t, err, "R17"); e.Started || !e.Deadline.Equal(at(t, "2026-12-01 08:55:00")) {
		t.Fatalf("R17 refusal: started %t deadline %s", e.Started, e.Deadline)
	}
	w.set("2026-12-01 09:00:00")
	_, err = w.svc.CancelVisit(w.ctx, w.admin, a2.Visit.Ref)
	if e := wantRule[*domain.CancelTooLateError](t, err, "R17"); !e.Started {
		t.Fatal("R17 a visit at its start has started")
	}
	_, err = w.svc.CancelVisit(w.ctx, w.admin, a1.Visit.Ref)
	wantRule[*domain.AlreadyCancelledError](t, err, "R17")
	if b := w.balance(res.Account); b.VisitsLeft != 4 {
		t.Fatalf("refused cancellations changed the balance: %d left, want 4", b.VisitsLeft)
	}
	// An instant (text) visit starts now, so it is past its cancellation deadline at once.
	inst := w.mustActivate(res.Account, "AB12CDG", calendar.Date{})
	_, err = w.svc.CancelVisit(w.ctx, w.admin, inst.Visit.Ref)
	wantRule[*domain.CancelTooLateError](t, err, "R17")
}

func TestR18SameVehicleSameDayOnce(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900008")
	w.mustBuy(res.Account, 1)
	first := w.mustActivate(res.Account, "AB12CDE", date(t, "2026-12-01"))
	_, err := w.activate(res.Account, "ab12 cde", date(t, "2026-12-01"))
	if e := wantRule[*domain.DuplicateVisitError](t, err, "R18"); e.Existing.Ref != first.Visit.Ref {
		t.Fatalf("R18 names visit %s, want %s", e.Existing.Ref, first.Visit.Ref)
	}
	if b := w.balance(res.Account); b.VisitsLeft != 4 {
		t.Fatalf("R18 used a visit: %d left, want 4", b.VisitsLeft)
	}
	if _, err := w.activate(res.Account, "AB12CDE", date(t, "2026-12-02")); err != nil {
		t.Fatalf("R18 another day is fine: %v", err)
	}
	if _, err := w.svc.CancelVisit(w.ctx, w.admin, first.Visit.Ref); err != nil {
		t.Fatal(err)
	}
	if _, err := w.activate(res.Account, "AB12CDE", date(t, "2026-12-01")); err != nil {
		t.Fatalf("R18 after cancelling, the day is free again: %v", err)
	}
}

func TestR3RegistrationNeededToBuyNotToUse(t *testing.T) {
	w := newWorld(t, "2026-08-31 12:00:00")
	res := w.resident(cw, "07700900009")
	w.mustBuy(res.Account, 1)
	w.set("2026-11-30 11:59:59")
	w.mustBuy(res.Account, 1)
	w.set("2026-11-30 12:00:00") // 3 months after approval
	_, err := w.buy(res.Account, 1)
	if e := wantRule[*domain.RegistrationNeededError](t, err, "R3"); !e.ExpiredAt.Equal(at(t, "2026-11-30 12:00:00")) {
		t.Fatalf("R3 says expired %s", e.ExpiredAt)
	}
	if _, err := w.activate(res.Account, "AB12CDE", date(t, "2026-12-01")); err != nil {
		t.Fatalf("R3 activating needs no registration: %v", err)
	}
	other := w.mustAdd(domain.NewResident{Name: "N", Address: "2 Road", Postcode: "cb11aa",
		Scheme: cw, Phone: "07700900010"})
	_, err = w.buy(other.Account, 1)
	if e := wantRule[*domain.RegistrationNeededError](t, err, "R3"); !e.ExpiredAt.IsZero() {
		t.Fatal("R3 never registered has no expiry")
	}
}

func TestR2ProofOfAddress(t *testing.T) {
	today := date(t, "2026-11-30")
	tests := []struct {
		name string
		p    domain.Proof
		ok   bool
	}{
		{"R2 driving licence", domain.Proof{Document: domain.DocDrivingLicence}, true},
		{"R2 tenancy with 6 months left", domain.Proof{Document: domain.DocTenancyAgreement, TenancyEnd: date(t, "2027-05-30")}, true},
		{"R2 tenancy a day short", domain.Proof{Document: domain.DocTenancyAgreement, TenancyEnd: date(t, "2027-05-29")}, false},
		{"R2 expired tenancy", domain.Proof{Document: domain.DocTenancyAgreement, TenancyEnd: date(t, "2026-01-01")}, false},
		{"R2 tenancy without end", domain.Proof{Document: domain.DocTenancyAgreement}, false},
		{"R2 bill 3 months old", domain.Proof{Document: domain.DocUtilityBill, DocumentDate: date(t, "2026-08-30")}, true},
		{"R2 bill a day older", domain.Proof{Document: domain.DocUtilityBill, DocumentDate: date(t, "2026-08-29")}, false},
		{"R2 bill from the future", domain.Proof{Document: domain.DocUtilityBill, DocumentDate: date(t, "2026-12-01")}, false},
		{"R2 bill without date", domain.Proof{Document: domain.DocUtilityBill}, false},
		{"R2 passport not accepted", domain.Proof{Document: "passport"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.CheckProof(tc.p, today)
			if tc.ok != (err == nil) {
				t.Fatalf("ok=%t, got %v", tc.ok, err)
			}
			if !tc.ok {
				if e := wantRule[*domain.ProofRefusedError](t, err, "R2"); e.Reason == "" {
					t.Fatal("R2 refusal must give the reason")
				}
			}
		})
	}
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900011")
	_, err := w.svc.ApproveRegistration(w.ctx, w.admin, res.Account, domain.Proof{Document: domain.DocUtilityBill,
		DocumentDate: date(t, "2026-01-01")})
	wantRule[*domain.ProofRefusedError](t, err, "R2")
}

func TestR4InactiveAddress(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900012")
	if err := w.svc.SetAddressActive(w.ctx, w.admin, "1 Test Road 07700900012", "cb1 1aa", false); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.ApproveRegistration(w.ctx, w.admin, res.Account, domain.Proof{Document: domain.DocDrivingLicence})
	if e := wantRule[*domain.AddressInactiveError](t, err, "R4"); e.Email != "parking.permits@cambridgeshire.gov.uk" {
		t.Fatalf("R4 email %q", e.Email)
	}
	_, err = w.svc.AddResident(w.ctx, w.admin, domain.NewResident{Name: "Other", Address: "1 test road 07700900012",
		Postcode: "CB11AA", Scheme: cw, Phone: "07700900013"})
	wantRule[*domain.AddressInactiveError](t, err, "R4")
}

func TestR5MembersActWithTheirPermissions(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900014")
	other := w.resident(cw, "07700900015")
	w.mustBuy(res.Account, 1)
	w.mustBuy(other.Account, 1)
	m, err := w.svc.AddMember(w.ctx, w.admin, res.Account, domain.NewMember{Name: "Helper", Phone: "07700900016",
		Permissions: domain.Permissions{domain.PermView, domain.PermActivate}, PIN: "1470"})
	if err != nil {
		t.Fatal(err)
	}
	actor := domain.Actor{Kind: domain.ActorMember, ID: m.ID, Name: m.Name, Channel: domain.ChannelSMS}
	a, err := w.svc.ActivateVisit(w.ctx, actor, res.Account, domain.VisitRequest{VRM: "AB12CDE", Date: date(t, "2026-12-01")})
	if err != nil {
		t.Fatalf("R5 a member with activate may activate: %v", err)
	}
	if a.Visit.By != actor {
		t.Fatalf("R5 the visit records %+v, want %+v", a.Visit.By, actor)
	}
	_, err = w.svc.BuyPermits(w.ctx, actor, res.Account, 1, domain.PaymentIn{Amount: 1800, IdempotencyKey: "m1"})
	if e := wantRule[*domain.NotPermittedError](t, err, "R5"); e.Need != domain.PermBuy {
		t.Fatalf("R5 refusal needs %s", e.Need)
	}
	_, err = w.svc.ActivateVisit(w.ctx, actor, other.Account, domain.VisitRequest{VRM: "AB12CDE", Date: date(t, "2026-12-01")})
	wantRule[*domain.NotPermittedError](t, err, "R5")
	resident := domain.Actor{Kind: domain.ActorResident, ID: res.ID, Channel: domain.ChannelVoice}
	_, err = w.svc.CancelVisit(w.ctx, domain.Actor{Kind: domain.ActorResident, ID: other.ID, Channel: domain.ChannelSMS}, a.Visit.Ref)
	wantRule[*domain.NotPermittedError](t, err, "R5")
	if _, err := w.svc.CancelVisit(w.ctx, resident, a.Visit.Ref); err != nil {
		t.Fatal(err)
	}
	view, err := w.svc.Account(w.ctx, w.admin, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]domain.Actor{}
	for _, e := range view.Activity {
		got[e.Action] = e.Actor
	}
	if got["visit.activate"] != actor || got["visit.cancel"].Channel != domain.ChannelVoice || got["member.add"].Kind != domain.ActorAdmin {
		t.Fatalf("R5 audit trail: %+v", got)
	}
}

func TestR6PaymentsArePenceAndIdempotent(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900017")
	_, err := w.svc.BuyPermits(w.ctx, w.admin, res.Account, 2, domain.PaymentIn{Amount: 1800, IdempotencyKey: "k"})
	if e := wantRule[*domain.PaymentMismatchError](t, err, "R6"); e.Due != 3600 {
		t.Fatalf("R6 due %s", e.Due)
	}
	if got := domain.Pence(3600).String(); got != "£36.00" {
		t.Fatalf("pence format %q", got)
	}
	pay := domain.PaymentIn{Amount: 3600, ProviderRef: "PAY1", IdempotencyKey: "call-1:PAY1"}
	p1, err := w.svc.BuyPermits(w.ctx, w.admin, res.Account, 2, pay)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := w.svc.BuyPermits(w.ctx, w.admin, res.Account, 2, pay)
	if err != nil || !p2.Repeated || p2.Payment.ID != p1.Payment.ID || len(p2.Permits) != 2 {
		t.Fatalf("a repeated payment must return the first purchase: %v %+v", err, p2)
	}
	if b := w.balance(res.Account); b.BoughtThisYear != 2 {
		t.Fatalf("bought %d, want 2", b.BoughtThisYear)
	}
	req := domain.VisitRequest{VRM: "AB12CDE", Date: date(t, "2026-12-01"), IdempotencyKey: "CA123:confirm"}
	v1, err := w.svc.ActivateVisit(w.ctx, w.admin, res.Account, req)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := w.svc.ActivateVisit(w.ctx, w.admin, res.Account, req)
	if err != nil || !v2.Repeated || v2.Visit.Ref != v1.Visit.Ref {
		t.Fatalf("a repeated activation must return the first visit: %v %+v", err, v2)
	}
	if b := w.balance(res.Account); b.VisitsLeft != 9 {
		t.Fatalf("visits left %d, want 9", b.VisitsLeft)
	}
}

func TestPINLockoutHoldsAcrossRestarts(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900018")
	callers, err := w.svc.CallersByPhone(w.ctx, "+447700900018")
	if err != nil || len(callers) != 1 || callers[0].Account != res.Account {
		t.Fatalf("callers by phone: %v %+v", err, callers)
	}
	c := callers[0]
	if err := w.svc.VerifyPIN(w.ctx, c, "2580"); err != nil {
		t.Fatalf("right PIN: %v", err)
	}
	for i, left := range []int{2, 1} {
		err := w.svc.VerifyPIN(w.ctx, c, "9999")
		if e := wantRule[*domain.WrongPINError](t, err, "PIN"); e.AttemptsLeft != left {
			t.Fatalf("attempt %d: %d left, want %d", i+1, e.AttemptsLeft, left)
		}
	}
	err = w.svc.VerifyPIN(w.ctx, c, "0000")
	if e := wantRule[*domain.LockedOutError](t, err, "PIN"); !e.Until.Equal(at(t, "2026-11-30 10:30:00")) {
		t.Fatalf("locked until %s", e.Until)
	}
	w.open() // a restart
	w.set("2026-11-30 10:29:59")
	wantRule[*domain.LockedOutError](t, w.svc.VerifyPIN(w.ctx, c, "2580"), "PIN")
	w.set("2026-11-30 10:30:00")
	if err := w.svc.VerifyPIN(w.ctx, c, "2580"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if e := wantRule[*domain.WrongPINError](t, w.svc.VerifyPIN(w.ctx, c, "1111"), "PIN"); e.AttemptsLeft != 2 {
		t.Fatal("a right PIN resets the count")
	}
	if err := w.svc.VerifyPIN(w.ctx, c, "2580"); err != nil {
		t.Fatal(err)
	}
}

func TestR23Enforcement(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900019")
	w.mustBuy(res.Account, 1)
	a := w.mustActivate(res.Account, "AB12CDE", date(t, "2026-12-01"))
	tests := []struct {
		name, vrm, scheme, at string
		permitted             bool
	}{
		{"R23 during the visit", "ab12 cde", cw, "2026-12-01 12:00:00", true},
		{"R23 another vehicle", "AB12CDF", cw, "2026-12-01 12:00:00", false},
		{"R23 another scheme", "AB12CDE", "Morley", "2026-12-01 12:00:00", false},
		{"R23 another day", "AB12CDE", cw, "2026-12-02 12:00:00", false},
		{"R23 outside hours needs no permit", "AB12CDF", cw, "2026-12-01 18:00:00", true},
		{"R14 Sunday needs no permit", "AB12CDF", cw, "2026-12-06 12:00:00", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := w.svc.Check(w.ctx, tc.vrm, tc.scheme, at(t, tc.at))
			if err != nil || v.Permitted != tc.permitted || v.Reason == "" {
				t.Fatalf("got %+v %v, want permitted=%t with a reason", v, err, tc.permitted)
			}
		})
	}
	w.set("2026-11-30 10:00:00")
	if _, err := w.svc.CancelVisit(w.ctx, w.admin, a.Visit.Ref); err != nil {
		t.Fatal(err)
	}
	if v, _ := w.svc.Check(w.ctx, "AB12CDE", cw, at(t, "2026-12-01 12:00:00")); v.Permitted {
		t.Fatal("R23 a cancelled visit permits nothing")
	}
}

// TestPINNeverCheckedOnASnapshot: on a read-only trial a PIN is neither compared nor
// counted, right or wrong: the step must run in the write transaction.
func TestPINNeverCheckedOnASnapshot(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	w.resident(cw, "07700900018")
	callers, err := w.svc.CallersByPhone(w.ctx, "+447700900018")
	if err != nil || len(callers) != 1 {
		t.Fatalf("callers by phone: %v %+v", err, callers)
	}
	for _, given := range []string{"2580", "9999"} {
		var inner error
		err := w.svc.TryReadOnly(w.ctx, func(o *domain.Op) error {
			inner = o.VerifyPIN(domain.PINCheck{Caller: callers[0], Given: given})
			return inner
		})
		if !errors.Is(err, domain.ErrNeedsWrite) || !errors.Is(inner, domain.ErrNeedsWrite) {
			t.Fatalf("PIN %s on a snapshot: %v (inside: %v), want ErrNeedsWrite", given, err, inner)
		}
	}
	if e := wantRule[*domain.WrongPINError](t, w.svc.VerifyPIN(w.ctx, callers[0], "1111"), "PIN"); e.AttemptsLeft != 2 {
		t.Fatalf("a snapshot's wrong PIN was counted: %d left", e.AttemptsLeft)
	}
}

// A purchase is audited in words: "1 permit", "2 permits".
func TestAPurchaseIsAuditedInWords(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900018")
	for _, qty := range []int{1, 2} {
		if _, err := w.buy(res.Account, qty); err != nil {
			t.Fatal(err)
		}
	}
	view, err := w.svc.Account(w.ctx, w.admin, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range view.Activity {
		if e.Action == "permits.buy" {
			n, _, _ := strings.Cut(e.Detail, " for ")
			got = append(got, n)
		}
	}
	if strings.Join(got, ", ") != "2 permits, 1 permit" {
		t.Fatalf("purchases audited as %q (newest first)", got)
	}
}
