package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"permitline/domain"
	"permitline/domain/sqlite"
)

// Expect is what the conversations of a run heard, for the end-of-run check.
type Expect struct {
	Visits   []ExpectedVisit   `json:"visits"`
	Payments []ExpectedPayment `json:"payments"`
	// VisitsBefore and PaymentsBefore are the highest ids in the store before the run:
	// every later visit made by phone or text, and every later payment, must be one a
	// conversation heard.
	VisitsBefore   int64 `json:"visits_before"`
	PaymentsBefore int64 `json:"payments_before"`
}

// CheckResult is what the end-of-run check looked at and what it found wrong.
type CheckResult struct {
	Visits     int      `json:"visits"`   // visits heard, each looked up
	Payments   int      `json:"payments"` // payments heard, each looked up
	Permits    int      `json:"permits"`  // permits in the store, each counted
	Mismatches []string `json:"mismatches"`
}

// OK reports whether the store holds exactly what the run heard.
func (c CheckResult) OK() bool { return len(c.Mismatches) == 0 }

// openReadOnly opens the database file read-only, as the store's read pool does.
func openReadOnly(path string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+
		"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(ON)")
}

// watermarks returns the highest visit and payment ids in the store.
func watermarks(ctx context.Context, path string) (visits, payments int64, err error) {
	db, err := openReadOnly(path)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM visits`).Scan(&visits); err != nil {
		return 0, 0, err
	}
	err = db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM payments`).Scan(&payments)
	return visits, payments, err
}

// Check compares the store at path with what a run heard, reading it read-only:
//   - every visit whose reference a conversation heard is stored once, for that
//     resident, registration and day, and active, or cancelled if the conversation
//     cancelled it; no other visit was made by phone or text during the run, and no
//     other visit exists for that resident, registration and day;
//   - no permit has more than 5 active visits, and its visits_used counts them;
//   - no resident has more than 20 permits in a permit year;
//   - every payment has exactly one purchase: as many permits as its quantity, and
//     £18 a permit; every successful <Pay> heard has exactly one payment with its
//     confirmation code as provider_ref, and no other payment was made during the run.
func Check(ctx context.Context, path string, exp Expect) (CheckResult, error) {
	res := CheckResult{Visits: len(exp.Visits), Payments: len(exp.Payments), Mismatches: []string{}}
	db, err := openReadOnly(path)
	if err != nil {
		return res, err
	}
	defer db.Close()
	bad := func(format string, args ...any) {
		res.Mismatches = append(res.Mismatches, fmt.Sprintf(format, args...))
	}

	// Visits heard.
	heard := map[string]bool{}
	for _, v := range exp.Visits {
		heard[v.Ref] = true
		var resident int64
		var vrm, date, status string
		err := db.QueryRowContext(ctx, `SELECT resident_id, vrm, date, status FROM visits WHERE ref = ?`, v.Ref).
			Scan(&resident, &vrm, &date, &status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			bad("visit %s (%s on %s) was heard by a %s conversation but is not stored", v.Ref, v.VRM, v.Date, v.Kind)
			continue
		case err != nil:
			return res, err
		}
		if resident != v.ResidentID || vrm != v.VRM || date != v.Date {
			bad("visit %s is stored for resident %d, %s on %s; the %s conversation heard resident %d, %s on %s",
				v.Ref, resident, vrm, date, v.Kind, v.ResidentID, v.VRM, v.Date)
		}
		want := string(domain.VisitActive)
		if v.Cancelled {
			want = string(domain.VisitCancelled)
		}
		if status != want {
			bad("visit %s is %s; the %s conversation heard it %s", v.Ref, status, v.Kind, want)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits WHERE resident_id = ? AND vrm = ? AND date = ?`,
			v.ResidentID, v.VRM, v.Date).Scan(&n); err != nil {
			return res, err
		}
		if n != 1 {
			bad("resident %d has %d visits for %s on %s; the %s conversation made one (%s)", v.ResidentID, n, v.VRM, v.Date, v.Kind, v.Ref)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT ref, vrm, date FROM visits WHERE id > ? AND channel IN ('voice', 'sms')`, exp.VisitsBefore)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var ref, vrm, date string
		if err := rows.Scan(&ref, &vrm, &date); err != nil {
			rows.Close()
			return res, err
		}
		if !heard[ref] {
			bad("visit %s (%s on %s) was stored during the run, but no conversation heard it", ref, vrm, date)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}

	// Permits: visits used, and the allowance.
	active := map[int64]int{}
	if err := eachRow(ctx, db, `SELECT permit_id, COUNT(*) FROM visits WHERE status = 'active' GROUP BY permit_id`,
		func(s scanner) error {
			var id int64
			var n int
			err := s.Scan(&id, &n)
			active[id] = n
			return err
		}); err != nil {
		return res, err
	}
	type residentYear struct {
		resident int64
		year     time.Time
	}
	perYear := map[residentYear]int{}
	permits := map[int64]bool{}
	if err := eachRow(ctx, db, `SELECT id, resident_id, purchased_at, visits_used FROM permits`, func(s scanner) error {
		var id, resident int64
		var bought string
		var used int
		if err := s.Scan(&id, &resident, &bought, &used); err != nil {
			return err
		}
		res.Permits++
		permits[id] = true
		switch n := active[id]; {
		case n > domain.VisitsPerPermit:
			bad("permit %d has %d active visits; a permit carries %d", id, n, domain.VisitsPerPermit)
			fallthrough
		case n != used:
			bad("permit %d has visits_used %d but %d active visits", id, used, n)
		}
		t, err := sqlite.ParseInstant(bought)
		if err != nil {
			return fmt.Errorf("permit %d: purchased_at %q: %w", id, bought, err)
		}
		start, _ := domain.PermitYear(t)
		perYear[residentYear{resident, start}]++
		return nil
	}); err != nil {
		return res, err
	}
	for id, n := range active {
		if !permits[id] {
			bad("%d active visits are on permit %d, which is not stored", n, id)
		}
	}
	for k, n := range perYear {
		if n > domain.PermitsPerYear {
			bad("resident %d has %d permits in the permit year from %s; the allowance is %d", k.resident, n,
				k.year.Format("2 Jan 2006"), domain.PermitsPerYear)
		}
	}

	// Payments: each a whole purchase.
	if err := eachRow(ctx, db, `SELECT p.id, p.quantity, p.amount_pence, p.provider_ref,
		(SELECT COUNT(*) FROM permits WHERE payment_id = p.id) FROM payments p`, func(s scanner) error {
		var id int64
		var qty, n int
		var amount domain.Pence
		var ref string
		if err := s.Scan(&id, &qty, &amount, &ref, &n); err != nil {
			return err
		}
		if n != qty {
			bad("payment %d (%s) is for %d permits but %d are stored", id, ref, qty, n)
		}
		if amount != domain.PermitPrice*domain.Pence(qty) {
			bad("payment %d (%s) is %s for %d permits; %d permits cost %s", id, ref, amount, qty, qty,
				domain.PermitPrice*domain.Pence(qty))
		}
		return nil
	}); err != nil {
		return res, err
	}
	paid := map[string]bool{}
	for _, p := range exp.Payments {
		paid[p.Code] = true
		var n int
		var resident int64
		var qty int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(resident_id), 0), COALESCE(MAX(quantity), 0)
			FROM payments WHERE provider_ref = ?`, p.Code).Scan(&n, &resident, &qty); err != nil {
			return res, err
		}
		switch {
		case n != 1:
			bad("payment %s was heard taken; %d payments carry its confirmation code", p.Code, n)
		case resident != p.ResidentID || qty != p.Quantity:
			bad("payment %s is stored for resident %d, %d permits; the call heard resident %d, %d permits",
				p.Code, resident, qty, p.ResidentID, p.Quantity)
		}
	}
	if err := eachRow(ctx, db, `SELECT id, provider_ref FROM payments WHERE id > ?`, func(s scanner) error {
		var id int64
		var ref string
		if err := s.Scan(&id, &ref); err != nil {
			return err
		}
		if !paid[ref] {
			bad("payment %d (%s) was stored during the run, but no call heard it taken", id, ref)
		}
		return nil
	}, exp.PaymentsBefore); err != nil {
		return res, err
	}
	sort.Strings(res.Mismatches)
	return res, nil
}

type scanner interface{ Scan(dest ...any) error }

// eachRow runs fn on every row of the query.
func eachRow(ctx context.Context, db *sql.DB, query string, fn func(scanner) error, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
