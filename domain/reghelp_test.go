package domain_test

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/storetest"
)

func (w *world) textRegisterHelp(callSid, from string) (domain.RegisterHelpText, error) {
	w.t.Helper()
	var got domain.RegisterHelpText
	err := w.svc.Update(w.ctx, func(o *domain.Op) (err error) { got, err = o.TextRegisterHelp(callSid, from); return err })
	return got, err
}

// registerHelpAudits returns the details of the audit's entries for registration help
// texted, read from the database itself: they name no account, which the store's Audit
// lists by.
func (w *world) registerHelpAudits() []string {
	w.t.Helper()
	driver := "sqlite"
	if postgres.IsAddress(w.path) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(w.ctx, `SELECT channel || ' ' || detail FROM audit
		WHERE action = 'text.register_help' AND resident_id IS NULL ORDER BY id`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// TestRegistrationHelpIsTextedOncePerCall: a caller not registered yet, calling from a UK
// mobile, is texted how to register once per call, whatever repeats; the text has no
// resident, and queueing it is audited with the number masked. On each engine.
func TestRegistrationHelpIsTextedOncePerCall(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, e storetest.Engine) {
		w := newWorldOn(t, "2026-11-30 19:30:00", e)
		got, err := w.textRegisterHelp("CA1", "+447700900555")
		if err != nil || !got.Queued || got.Kind != domain.NoticeRegisterHelp || got.To != "+447700900555" ||
			got.ResidentID != 0 || got.Status != domain.OutboxPending {
			t.Fatalf("first: %+v %v", got, err)
		}
		// A repeated webhook, or the caller asking again later on the same call.
		for _, later := range []time.Duration{0, time.Second, time.Minute} {
			w.clock.Set(w.clock.Now().Add(later))
			again, err := w.textRegisterHelp("CA1", "07700 900555")
			if err != nil || again.Queued || again.ID != got.ID {
				t.Fatalf("again after %s: %+v %v", later, again, err)
			}
		}
		texts := w.outbox()
		if len(texts) != 1 || texts[0].ID != got.ID || texts[0].Key != "register_help:CA1" {
			t.Fatalf("outbox %+v", texts)
		}
		audits := w.registerHelpAudits()
		if len(audits) != 1 || audits[0] != "voice how to register texted to +********0555, asked on call CA1" {
			t.Fatalf("audit %q", audits)
		}
		// Another call from the same mobile is texted again: it is another call's request.
		if other, err := w.textRegisterHelp("CA2", "+447700900555"); err != nil || !other.Queued || other.ID == got.ID {
			t.Fatalf("another call: %+v %v", other, err)
		}
		if n := len(w.registerHelpAudits()); n != 2 {
			t.Fatalf("%d audit entries after another call, want 2", n)
		}
	})
}

// TestRegistrationHelpIsOnlyTextedToAUKMobile: a withheld number, a landline, a foreign
// mobile and a mobile that opted out are never offered the text, and asking queues
// nothing.
func TestRegistrationHelpIsOnlyTextedToAUKMobile(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	if err := w.svc.Update(w.ctx, func(o *domain.Op) error { return o.SetOptOut("+447700900666", true) }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from string
		ok   bool
	}{
		{"+447700900555", true}, {"07700 900555", true},
		{"anonymous", false}, {"", false}, {"client:alice", false},
		{"+441632960123", false}, {"01223 457000", false}, // landlines
		{"+33612345678", false},  // a French mobile
		{"+447700900666", false}, // opted out
	} {
		var to string
		var ok bool
		err := w.svc.Update(w.ctx, func(o *domain.Op) (err error) { to, ok, err = o.RegisterHelpTo(tc.from); return err })
		if err != nil || ok != tc.ok || ok && to != "+447700900555" {
			t.Errorf("%q: offered %t to %q, %v", tc.from, ok, to, err)
		}
		if tc.ok {
			continue
		}
		if _, err := w.textRegisterHelp("CA-"+tc.from, tc.from); !errors.Is(err, domain.ErrCannotText) {
			t.Errorf("%q: texted: %v", tc.from, err)
		}
	}
	if texts := w.outbox(); len(texts) != 0 {
		t.Fatalf("queued %+v", texts)
	}
	if _, err := w.textRegisterHelp("", "+447700900555"); err == nil {
		t.Fatal("queued for a call without a CallSid")
	}
}
