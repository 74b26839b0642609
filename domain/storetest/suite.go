package storetest

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/fixtures"
)

// Run runs the suite every engine passes, each test on a store from open.
func Run(t *testing.T, open func(testing.TB) domain.Store) {
	for name, test := range map[string]func(*testing.T, func(testing.TB) domain.Store){
		"UpdateCommitsOrRollsBack":      testUpdateCommitsOrRollsBack,
		"UpdateSurvivesPanic":           testUpdateSurvivesPanic,
		"SchemaRefusesWhatIsNeverRight": testSchemaRefusesWhatIsNeverRight,
		"ViewNotFound":                  testViewNotFound,
		"ViewReadsASnapshot":            testViewReadsASnapshot,
		"ViewAndCancellation":           testViewAndCancellation,
		"OnceOnlyKeys":                  testOnceOnlyKeys,
		"ConversationVersion":           testConversationVersion,
		"SaveVehicleKeepsSaved":         testSaveVehicleKeepsSaved,
		"FindResidentsByName":           testFindResidentsByName,
		"OutboxFigures":                 testOutboxFigures,
		"DeskSessions":                  testDeskSessions,
		"SetTransferCaller":             testSetTransferCaller,
	} {
		t.Run(name, func(t *testing.T) { test(t, open) })
	}
}

func update(t *testing.T, s domain.Store, fn func(domain.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, s domain.Store, fn func(domain.Reader) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

var (
	now   = time.Date(2026, time.April, 13, 9, 30, 0, 0, calendar.London) // a Monday
	today = calendar.DateOf(now)
)

// records are the rows a visit hangs from.
type records struct {
	scheme   domain.Scheme
	resident domain.Resident
	payment  domain.Payment
	permit   domain.Permit
}

// seed writes a scheme, an address, a resident, a payment and a permit.
func seed(t *testing.T, s domain.Store) records {
	t.Helper()
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	var r records
	update(t, s, func(tx domain.Tx) error {
		if r.scheme, err = tx.UpsertScheme(schemes[0]); err != nil {
			return err
		}
		addr, err := tx.InsertAddress(domain.Address{Line: "1 Test Road", Postcode: "CB1 3AA", SchemeID: r.scheme.ID, Active: true})
		if err != nil {
			return err
		}
		if r.resident, err = tx.InsertResident(domain.Resident{Account: "12345678", Name: "Test Resident",
			AddressID: addr.ID, Phone: "+447700900123", CreatedAt: now}); err != nil {
			return err
		}
		if r.payment, err = tx.InsertPayment(domain.Payment{ResidentID: r.resident.ID, AmountPence: domain.PermitPrice,
			Quantity: 1, ProviderRef: "TEST", IdempotencyKey: "pay-1", Channel: domain.ChannelAdmin, CreatedAt: now}); err != nil {
			return err
		}
		r.permit, err = tx.InsertPermit(domain.Permit{ResidentID: r.resident.ID, SchemeID: r.scheme.ID,
			PaymentID: r.payment.ID, PurchasedAt: now, ExpiresAt: calendar.AddMonths(now, domain.PermitValidityMonths)})
		return err
	})
	return r
}

// namedScheme is a demo scheme renamed.
func namedScheme(t *testing.T, name string) domain.Scheme {
	t.Helper()
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	sc := schemes[0]
	sc.Name = name
	return sc
}

func (r records) visit(ref, vrm string) domain.Visit {
	start, end := r.scheme.Hours.Span.On(today)
	return domain.Visit{Ref: ref, ResidentID: r.resident.ID, PermitID: r.permit.ID, SchemeID: r.scheme.ID,
		VRM: vrm, Date: today, StartsAt: start, EndsAt: end, Status: domain.VisitActive, CreatedAt: now,
		By: domain.Admin("test")}
}

func testUpdateCommitsOrRollsBack(t *testing.T, open func(testing.TB) domain.Store) {
	ctx := context.Background()
	s := open(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx domain.Tx) error {
		if _, err := tx.UpsertScheme(namedScheme(t, "Rolled Back")); err != nil {
			return err
		}
		// A transaction reads its own writes.
		if _, err := tx.SchemeByName("Rolled Back"); err != nil {
			t.Errorf("own write not visible in the transaction: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	update(t, s, func(tx domain.Tx) error {
		_, err := tx.UpsertScheme(namedScheme(t, "Committed"))
		return err
	})
	view(t, s, func(r domain.Reader) error {
		if _, err := r.SchemeByName("Rolled Back"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("write of a failed Update: got %v, want ErrNotFound", err)
		}
		if _, err := r.SchemeByName("Committed"); err != nil {
			t.Errorf("write of a committed Update: %v", err)
		}
		return nil
	})
}

// A panic inside fn must not leave the one write connection in an open transaction.
func testUpdateSurvivesPanic(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		s.Update(context.Background(), func(tx domain.Tx) error { //nolint:errcheck // panics
			if _, err := tx.UpsertScheme(namedScheme(t, "Panicked")); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Update(ctx, func(tx domain.Tx) error {
		_, err := tx.SchemeByName("Panicked")
		if !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("write of a panicked Update: got %v, want ErrNotFound", err)
		}
		return nil
	}); err != nil {
		t.Fatalf("Update after a panicked one: %v", err)
	}
}

// wantConstraint fails unless the Update failed on a constraint naming what.
// wantConstraint fails the test unless err is the schema refusing a row, in one engine's
// words or another's.
func wantConstraint(t *testing.T, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the database accepted what %s forbids", words[0])
	}
	for _, w := range words {
		if strings.Contains(err.Error(), w) {
			return
		}
	}
	t.Fatalf("got %v, want a failure of %q", err, words)
}

func testSchemaRefusesWhatIsNeverRight(t *testing.T, open func(testing.TB) domain.Store) {
	ctx := context.Background()
	s := open(t)
	r := seed(t, s)
	update(t, s, func(tx domain.Tx) error {
		_, err := tx.InsertVisit(r.visit("ABC234", "AB12CDE"))
		return err
	})

	t.Run("second active visit", func(t *testing.T) {
		err := s.Update(ctx, func(tx domain.Tx) error {
			_, err := tx.InsertVisit(r.visit("ABC235", "AB12CDE"))
			return err
		})
		wantConstraint(t, err, "UNIQUE constraint failed: visits.resident_id, visits.scheme_id, visits.vrm, visits.date",
			`unique constraint "visits_one_a_day"`)
		// Another vehicle, or the same vehicle once its visit is cancelled, is fine.
		update(t, s, func(tx domain.Tx) error {
			if _, err := tx.InsertVisit(r.visit("ABC236", "XY34ZZZ")); err != nil {
				return err
			}
			v, err := tx.VisitByRef("ABC234")
			if err != nil {
				return err
			}
			if err := tx.SetVisitCancelled(v.ID, now); err != nil {
				return err
			}
			_, err = tx.InsertVisit(r.visit("ABC237", "AB12CDE"))
			return err
		})
	})
	t.Run("visits_used out of range", func(t *testing.T) {
		for _, used := range []int{-1, domain.VisitsPerPermit + 1} {
			err := s.Update(ctx, func(tx domain.Tx) error { return tx.SetPermitVisitsUsed(r.permit.ID, used) })
			wantConstraint(t, err, "CHECK constraint failed", `check constraint "permits_visits_used_check"`)
		}
		update(t, s, func(tx domain.Tx) error { return tx.SetPermitVisitsUsed(r.permit.ID, domain.VisitsPerPermit) })
	})
	t.Run("duplicate payment key", func(t *testing.T) {
		err := s.Update(ctx, func(tx domain.Tx) error {
			p := r.payment
			p.ID, p.ProviderRef = 0, "AGAIN"
			_, err := tx.InsertPayment(p)
			return err
		})
		wantConstraint(t, err, "UNIQUE constraint failed: payments.idempotency_key",
			`unique constraint "payments_idempotency_key_key"`)
	})
	t.Run("duplicate visit key", func(t *testing.T) {
		v := r.visit("ABC238", "CD56EFG")
		v.IdempotencyKey = "visit-1"
		update(t, s, func(tx domain.Tx) error { _, err := tx.InsertVisit(v); return err })
		err := s.Update(ctx, func(tx domain.Tx) error {
			v.Ref, v.VRM = "ABC239", "CD56EFH"
			_, err := tx.InsertVisit(v)
			return err
		})
		wantConstraint(t, err, "UNIQUE constraint failed: visits.idempotency_key",
			`unique constraint "visits_idempotency_key_key"`)
	})
	t.Run("permit of no payment", func(t *testing.T) {
		err := s.Update(ctx, func(tx domain.Tx) error {
			p := r.permit
			p.ID, p.PaymentID = 0, r.payment.ID+1000
			_, err := tx.InsertPermit(p)
			return err
		})
		wantConstraint(t, err, "FOREIGN KEY constraint failed", `foreign key constraint "permits_payment_id_fkey"`)
	})
	t.Run("nothing of the refused writes was kept", func(t *testing.T) {
		view(t, s, func(rd domain.Reader) error {
			ps, err := rd.PermitsExpiringAfter(r.resident.ID, time.Time{})
			if err != nil {
				return err
			}
			if len(ps) != 1 || ps[0].VisitsUsed != domain.VisitsPerPermit {
				t.Errorf("permits: %+v, want the one permit with %d visits used", ps, domain.VisitsPerPermit)
			}
			vs, err := rd.VisitsFrom(r.resident.ID, today, 100)
			if err != nil {
				return err
			}
			var refs []string
			for _, v := range vs {
				refs = append(refs, v.Ref+":"+string(v.Status))
			}
			sort.Strings(refs)
			want := "ABC234:cancelled ABC236:active ABC237:active ABC238:active"
			if got := strings.Join(refs, " "); got != want {
				t.Errorf("visits: %s, want %s", got, want)
			}
			return nil
		})
	})
}

func testViewNotFound(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	view(t, s, func(r domain.Reader) error {
		for name, lookup := range map[string]func() error{
			"ResidentByAccount":  func() error { _, err := r.ResidentByAccount("99999999"); return err },
			"ResidentByID":       func() error { _, err := r.ResidentByID(42); return err },
			"VisitByRef":         func() error { _, err := r.VisitByRef("ZZZZZZ"); return err },
			"VisitByKey":         func() error { _, err := r.VisitByKey("nope"); return err },
			"PaymentByKey":       func() error { _, err := r.PaymentByKey("nope"); return err },
			"LatestRegistration": func() error { _, err := r.LatestRegistration(42); return err },
			"ActiveVisit":        func() error { _, err := r.ActiveVisit(42, 1, "AB12CDE", today); return err },
			"SchemeByName":       func() error { _, err := r.SchemeByName("Nowhere"); return err },
		} {
			if err := lookup(); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("%s of a missing record: %v, want ErrNotFound", name, err)
			}
		}
		return nil
	})
}

// A View reads one snapshot: a write committed while it runs is not seen by it.
func testViewReadsASnapshot(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	r := seed(t, s)
	view(t, s, func(rd domain.Reader) error {
		before, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err != nil {
			return err
		}
		update(t, s, func(tx domain.Tx) error { return tx.SetPermitVisitsUsed(r.permit.ID, 3) })
		after, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err != nil {
			return err
		}
		if len(after) != 1 || after[0].VisitsUsed != before[0].VisitsUsed {
			t.Errorf("a View saw a write committed after it began: %+v then %+v", before, after)
		}
		return nil
	})
	view(t, s, func(rd domain.Reader) error {
		ps, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err == nil && (len(ps) != 1 || ps[0].VisitsUsed != 3) {
			t.Errorf("a later View: %+v, want 3 visits used", ps)
		}
		return err
	})
}

// TestViewAndCancellation: a View asked for on a context already ended reads nothing; one
// whose context ends while it reads runs its reads to their end (each is short, and a
// snapshot never waits for a lock).
func testViewAndCancellation(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := s.View(ended, func(domain.Reader) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("View on an ended context: err %v, ran %v; want context.Canceled, not run", err, ran)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := s.View(ctx, func(r domain.Reader) error {
		cancel()
		for range 3 {
			if _, err := r.Schemes(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reads after the context ended mid-View: %v", err)
	}
}

// The once-only keys are unique: a second text with a known MessageSid or a second refund
// of a payment reference is ErrDuplicate, a second outgoing text of a key is ignored, a
// second step reply is refused, and the transaction goes on after each as before.
func testOnceOnlyKeys(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	r := seed(t, s)
	text := domain.SentText{MessageSid: "SM1", From: "+447700900123", Body: "BAL", Reply: "ok", CreatedAt: now}
	refund := domain.Refund{ResidentID: r.resident.ID, AmountPence: domain.PermitPrice, Quantity: 1, PaymentRef: "PAY1",
		Rule: "R7", Reason: "too many", Channel: domain.ChannelVoice, By: domain.Admin("test"), CreatedAt: now}
	out := domain.Outgoing{Key: "visit_activated:ABC234", Kind: "visit_activated", To: "+447700900123",
		ResidentID: r.resident.ID, NotBefore: now, Status: "pending", NextTry: now, CreatedAt: now, UpdatedAt: now}
	var first domain.Outgoing
	update(t, s, func(tx domain.Tx) (err error) {
		if err := tx.InsertText(text); err != nil {
			return err
		}
		if _, err := tx.InsertRefund(refund); err != nil {
			return err
		}
		first, err = tx.InsertOutgoing(out)
		return err
	})
	update(t, s, func(tx domain.Tx) error {
		if err := tx.InsertText(text); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("a text again: %v, want ErrDuplicate", err)
		}
		if _, err := tx.InsertRefund(refund); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("a refund again: %v, want ErrDuplicate", err)
		}
		again := out
		again.To = "+447700900999"
		got, err := tx.InsertOutgoing(again)
		if err != nil || got.ID != first.ID || got.To != out.To {
			t.Errorf("an outgoing text again: %+v, %v; want the first, %+v", got, err, first)
		}
		if got, err := tx.OutgoingByKey(out.Key); err != nil || got.ID != first.ID {
			t.Errorf("the outgoing text by its key: %+v, %v; want the first, %+v", got, err, first)
		}
		if _, err := tx.OutgoingByKey(out.Key + ":other"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("an outgoing text by a key never queued: %v, want ErrNotFound", err)
		}
		// The transaction is still usable after the refusals.
		_, err = tx.UpsertScheme(namedScheme(t, "After Duplicates"))
		return err
	})
	view(t, s, func(rd domain.Reader) error {
		if _, err := rd.SchemeByName("after duplicates"); err != nil {
			t.Errorf("the write after the duplicates (scheme names match in any case): %v", err)
		}
		if st, err := rd.TextByMessageSid("SM1"); err != nil || st.Reply != "ok" {
			t.Errorf("the text: %+v, %v", st, err)
		}
		if rf, err := rd.RefundByRef("PAY1"); err != nil || rf.AmountPence != domain.PermitPrice {
			t.Errorf("the refund: %+v, %v", rf, err)
		}
		return nil
	})
}

// UpdateConversation saves only over the version it read; a second conversation of one
// key is refused.
func testConversationVersion(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	var c domain.Conversation
	update(t, s, func(tx domain.Tx) (err error) {
		c, err = tx.InsertConversation(domain.Conversation{Channel: domain.ChannelVoice, Key: "CA1", Flow: "main",
			State: "start", Data: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			return err
		}
		return tx.InsertStepReply(domain.StepReply{ConversationID: c.ID, Step: 1, InputHash: "h", Reply: []byte("r"), CreatedAt: now})
	})
	update(t, s, func(tx domain.Tx) error {
		c.State, c.Ended = "done", true
		saved, err := tx.UpdateConversation(c)
		if err != nil || saved.Version != 2 {
			t.Errorf("saving over version 1: %+v, %v", saved, err)
		}
		if _, err := tx.UpdateConversation(c); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("saving over a stale version: %v, want ErrConflict", err)
		}
		return nil
	})
	err := s.Update(context.Background(), func(tx domain.Tx) error {
		_, err := tx.InsertConversation(domain.Conversation{Channel: domain.ChannelVoice, Key: "CA1", Flow: "main",
			State: "start", Data: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now})
		return err
	})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("a second conversation of one call: %v, want ErrConflict", err)
	}
	view(t, s, func(rd domain.Reader) error {
		got, err := rd.ConversationByKey(domain.ChannelVoice, "CA1")
		if err != nil || got.State != "done" || !got.Ended || got.Version != 2 || string(got.Data) != `{}` {
			t.Errorf("conversation: %+v, %v", got, err)
		}
		if sr, err := rd.StepReply(c.ID, 1); err != nil || string(sr.Reply) != "r" {
			t.Errorf("step reply: %+v, %v", sr, err)
		}
		return nil
	})
}

// A vehicle saved once stays saved when it is only used again, and keeps its latest use.
func testSaveVehicleKeepsSaved(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	r := seed(t, s)
	later := now.Add(time.Hour)
	update(t, s, func(tx domain.Tx) error {
		if _, err := tx.SaveVehicle(domain.Vehicle{ResidentID: r.resident.ID, VRM: "AB12CDE", Saved: true, LastUsedAt: later, CreatedAt: now}); err != nil {
			return err
		}
		v, err := tx.SaveVehicle(domain.Vehicle{ResidentID: r.resident.ID, VRM: "AB12CDE", LastUsedAt: now, CreatedAt: now})
		if err == nil && (!v.Saved || !v.LastUsedAt.Equal(later)) {
			t.Errorf("vehicle used again: %+v, want saved, last used %v", v, later)
		}
		return err
	})
}

// A search by name matches any part in any case.
func testFindResidentsByName(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	r := seed(t, s)
	view(t, s, func(rd domain.Reader) error {
		for value, want := range map[string]int{"test res": 1, "SIDENT": 1, "nobody": 0, "%": 0} {
			got, err := rd.FindResidents(domain.SearchName, value, 10)
			if err != nil {
				return err
			}
			if len(got) != want || (want == 1 && got[0].ID != r.resident.ID) {
				t.Errorf("residents named like %q: %+v, want %d", value, got, want)
			}
		}
		return nil
	})
}

// The outbox's figures count what waits, what is scheduled and what failed.
func testOutboxFigures(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	r := seed(t, s)
	update(t, s, func(tx domain.Tx) error {
		for i, nb := range []time.Time{now.Add(-time.Hour), now.Add(-2 * time.Hour), now.Add(time.Hour)} {
			if _, err := tx.InsertOutgoing(domain.Outgoing{Key: "k" + string(rune('a'+i)), Kind: "visit_activated",
				To: "+447700900123", ResidentID: r.resident.ID, NotBefore: nb, Status: "pending", NextTry: nb,
				CreatedAt: now.Add(-3 * time.Hour), UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(rd domain.Reader) error {
		f, err := rd.OutboxFigures(now)
		if err != nil {
			return err
		}
		if f.Waiting != 2 || f.Scheduled != 1 || f.Failed != 0 || !f.OldestWaiting.Equal(now.Add(-2*time.Hour)) {
			t.Errorf("figures: %+v", f)
		}
		return nil
	})
}
