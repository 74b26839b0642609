package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// timeLayout stores instants in UTC at fixed width, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// Instant is an instant as the store writes it, for SQL of its own that writes the file
// (the benchmarks' seeding): it keeps to the store's encoding without a copy of it.
func Instant(t time.Time) string { return ts(t) }

func parseTS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored instant %q: %w", s, err)
	}
	return t, nil
}

func ds(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func parseDS(s string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	return calendar.ParseDate(s)
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) scanner
}

// q implements domain.Reader on a transaction.
type q struct {
	ctx context.Context
	db  querier
}

// wtx implements domain.Tx.
type wtx struct{ q }

type scanner interface{ Scan(dest ...any) error }

// one runs a single-row query and scans it with scan; no row is domain.ErrNotFound.
func one[T any](r *q, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(r.db.QueryRowContext(r.ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, domain.ErrNotFound
	}
	return v, err
}

// many runs a query and scans every row with scan.
func many[T any](r *q, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := r.db.QueryContext(r.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// insert runs an INSERT of one row and returns its id.
func (r *q) insert(query string, args ...any) (int64, error) {
	var id int64
	err := r.db.QueryRowContext(r.ctx, query+` RETURNING id`, args...).Scan(&id)
	return id, err
}

func (r *q) exec(query string, args ...any) error {
	res, err := r.db.ExecContext(r.ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// Schemes.

const schemeCols = `id, name, days, opens, closes`

func scanScheme(s scanner) (domain.Scheme, error) {
	var sc domain.Scheme
	var days, opens, closes string
	if err := s.Scan(&sc.ID, &sc.Name, &days, &opens, &closes); err != nil {
		return sc, err
	}
	var err error
	if sc.Hours.Days, err = calendar.ParseDays(days); err != nil {
		return sc, fmt.Errorf("scheme %s: %w", sc.Name, err)
	}
	if sc.Hours.Span.Opens, err = calendar.ParseTimeOfDay(opens); err != nil {
		return sc, fmt.Errorf("scheme %s: %w", sc.Name, err)
	}
	if sc.Hours.Span.Closes, err = calendar.ParseTimeOfDay(closes); err != nil {
		return sc, fmt.Errorf("scheme %s: %w", sc.Name, err)
	}
	return sc, nil
}

func (r *q) Schemes() ([]domain.Scheme, error) {
	return many(r, scanScheme, `SELECT `+schemeCols+` FROM schemes ORDER BY name`)
}

func (r *q) SchemeByName(name string) (domain.Scheme, error) {
	return one(r, scanScheme, `SELECT `+schemeCols+` FROM schemes WHERE name = ?`, name)
}

func (r *q) SchemeByID(id int64) (domain.Scheme, error) {
	return one(r, scanScheme, `SELECT `+schemeCols+` FROM schemes WHERE id = ?`, id)
}

func (t *wtx) UpsertScheme(sc domain.Scheme) (domain.Scheme, error) {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO schemes (name, days, opens, closes) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET days = excluded.days, opens = excluded.opens, closes = excluded.closes`,
		sc.Name, sc.Hours.Days.String(), sc.Hours.Span.Opens.String(), sc.Hours.Span.Closes.String())
	if err != nil {
		return sc, err
	}
	return t.SchemeByName(sc.Name)
}

// Addresses.

const addressCols = `id, line, postcode, scheme_id, active`

func scanAddress(s scanner) (domain.Address, error) {
	var a domain.Address
	err := s.Scan(&a.ID, &a.Line, &a.Postcode, &a.SchemeID, &a.Active)
	return a, err
}

func (r *q) AddressByID(id int64) (domain.Address, error) {
	return one(r, scanAddress, `SELECT `+addressCols+` FROM addresses WHERE id = ?`, id)
}

// Addresses are matched on line_key, domain.AddressKey of the line (migration 0010);
// an inactive match sorts first, so a duplicate spelling cannot pass R4.
const sqlAddressesByKey = `SELECT ` + addressCols + ` FROM addresses WHERE line_key = ? AND postcode = ? ORDER BY active, id`

func (r *q) AddressByLine(line, postcode string) (domain.Address, error) {
	return one(r, scanAddress, sqlAddressesByKey+` LIMIT 1`, domain.AddressKey(line), postcode)
}

func (r *q) AddressesByLine(line, postcode string) ([]domain.Address, error) {
	return many(r, scanAddress, sqlAddressesByKey, domain.AddressKey(line), postcode)
}

func (t *wtx) InsertAddress(a domain.Address) (domain.Address, error) {
	var err error
	a.ID, err = t.insert(`INSERT INTO addresses (line, postcode, scheme_id, active, line_key) VALUES (?, ?, ?, ?, ?)`,
		a.Line, a.Postcode, a.SchemeID, a.Active, domain.AddressKey(a.Line))
	return a, err
}

func (t *wtx) SetAddressActive(id int64, active bool) error {
	return t.exec(`UPDATE addresses SET active = ? WHERE id = ?`, active, id)
}

// Residents and members.

const residentCols = `id, account, name, address_id, phone, pin_hash, pin_failures, pin_locked_until, created_at`

func scanResident(s scanner) (domain.Resident, error) {
	var r domain.Resident
	var locked, created string
	if err := s.Scan(&r.ID, &r.Account, &r.Name, &r.AddressID, &r.Phone, &r.PINHash, &r.PINFailures, &locked, &created); err != nil {
		return r, err
	}
	var err error
	if r.PINLockedUntil, err = parseTS(locked); err != nil {
		return r, err
	}
	r.CreatedAt, err = parseTS(created)
	return r, err
}

func (r *q) ResidentByID(id int64) (domain.Resident, error) {
	return one(r, scanResident, `SELECT `+residentCols+` FROM residents WHERE id = ?`, id)
}

const sqlResidentByAccount = `SELECT ` + residentCols + ` FROM residents WHERE account = ?`

func (r *q) ResidentByAccount(account string) (domain.Resident, error) {
	return one(r, scanResident, sqlResidentByAccount, account)
}

const sqlResidentsByPhone = `SELECT ` + residentCols + ` FROM residents WHERE phone = ? ORDER BY id`

func (r *q) ResidentsByPhone(e164 string) ([]domain.Resident, error) {
	return many(r, scanResident, sqlResidentsByPhone, e164)
}

const sqlResidentsAt = `SELECT ` + residentCols + ` FROM residents WHERE address_id = ? ORDER BY id`

func (r *q) ResidentsAt(addressID int64) ([]domain.Resident, error) {
	return many(r, scanResident, sqlResidentsAt, addressID)
}

func (r *q) Residents(afterID int64, limit int) ([]domain.Resident, error) {
	return many(r, scanResident, `SELECT `+residentCols+` FROM residents WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

func (t *wtx) InsertResident(res domain.Resident) (domain.Resident, error) {
	var err error
	res.ID, err = t.insert(`INSERT INTO residents (account, name, address_id, phone, pin_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, res.Account, res.Name, res.AddressID, res.Phone, res.PINHash, ts(res.CreatedAt))
	return res, err
}

func (t *wtx) SetResidentPIN(id int64, hash string) error {
	return t.exec(`UPDATE residents SET pin_hash = ?, pin_failures = 0, pin_locked_until = '' WHERE id = ?`, hash, id)
}

const memberCols = `id, resident_id, name, phone, permissions, pin_hash, pin_failures, pin_locked_until, created_at`

func scanMember(s scanner) (domain.Member, error) {
	var m domain.Member
	var perms, locked, created string
	if err := s.Scan(&m.ID, &m.ResidentID, &m.Name, &m.Phone, &perms, &m.PINHash, &m.PINFailures, &locked, &created); err != nil {
		return m, err
	}
	var err error
	if m.Permissions, err = domain.ParsePermissions(perms); err != nil {
		return m, err
	}
	if m.PINLockedUntil, err = parseTS(locked); err != nil {
		return m, err
	}
	m.CreatedAt, err = parseTS(created)
	return m, err
}

func (r *q) MemberByID(id int64) (domain.Member, error) {
	return one(r, scanMember, `SELECT `+memberCols+` FROM members WHERE id = ?`, id)
}

const sqlMembersByPhone = `SELECT ` + memberCols + ` FROM members WHERE phone = ? ORDER BY id`

func (r *q) MembersByPhone(e164 string) ([]domain.Member, error) {
	return many(r, scanMember, sqlMembersByPhone, e164)
}

const sqlMembers = `SELECT ` + memberCols + ` FROM members WHERE resident_id = ? ORDER BY id`

func (r *q) Members(residentID int64) ([]domain.Member, error) {
	return many(r, scanMember, sqlMembers, residentID)
}

func (t *wtx) InsertMember(m domain.Member) (domain.Member, error) {
	var err error
	m.ID, err = t.insert(`INSERT INTO members (resident_id, name, phone, permissions, pin_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, m.ResidentID, m.Name, m.Phone, m.Permissions.String(), m.PINHash, ts(m.CreatedAt))
	return m, err
}

func (t *wtx) SetPINState(kind domain.ActorKind, id int64, st domain.PINState) error {
	table := map[domain.ActorKind]string{domain.ActorResident: "residents", domain.ActorMember: "members"}[kind]
	if table == "" {
		return fmt.Errorf("a %s has no PIN", kind)
	}
	return t.exec(`UPDATE `+table+` SET pin_failures = ?, pin_locked_until = ? WHERE id = ?`,
		st.PINFailures, ts(st.PINLockedUntil), id)
}

// Registrations.

func scanRegistration(s scanner) (domain.Registration, error) {
	var g domain.Registration
	var doc, docDate, tenancy, approved, expires string
	if err := s.Scan(&g.ID, &g.ResidentID, &doc, &docDate, &tenancy, &approved, &expires); err != nil {
		return g, err
	}
	g.Document = domain.Document(doc)
	var err error
	if g.DocumentDate, err = parseDS(docDate); err != nil {
		return g, err
	}
	if g.TenancyEnd, err = parseDS(tenancy); err != nil {
		return g, err
	}
	if g.ApprovedAt, err = parseTS(approved); err != nil {
		return g, err
	}
	g.ExpiresAt, err = parseTS(expires)
	return g, err
}

const sqlLatestRegistration = `SELECT id, resident_id, document, document_date, tenancy_end, approved_at, expires_at
	FROM registrations WHERE resident_id = ? ORDER BY approved_at DESC, id DESC LIMIT 1`

func (r *q) LatestRegistration(residentID int64) (domain.Registration, error) {
	return one(r, scanRegistration, sqlLatestRegistration, residentID)
}

func (t *wtx) InsertRegistration(g domain.Registration) (domain.Registration, error) {
	var err error
	g.ID, err = t.insert(`INSERT INTO registrations (resident_id, document, document_date, tenancy_end, approved_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, g.ResidentID, string(g.Document), ds(g.DocumentDate), ds(g.TenancyEnd),
		ts(g.ApprovedAt), ts(g.ExpiresAt))
	return g, err
}

// Vehicles.

func scanVehicle(s scanner) (domain.Vehicle, error) {
	var v domain.Vehicle
	var used, created string
	if err := s.Scan(&v.ID, &v.ResidentID, &v.VRM, &v.Saved, &used, &created); err != nil {
		return v, err
	}
	var err error
	if v.LastUsedAt, err = parseTS(used); err != nil {
		return v, err
	}
	v.CreatedAt, err = parseTS(created)
	return v, err
}

// Vehicles lists saved vehicles first, in the order they were saved (using one does not
// move it), then the others, the most recently used first.
const sqlVehicles = `SELECT id, resident_id, vrm, saved, last_used_at, created_at FROM vehicles
	WHERE resident_id = ? ORDER BY saved DESC, CASE WHEN saved <> 0 THEN id END, last_used_at DESC, id`

func (r *q) Vehicles(residentID int64) ([]domain.Vehicle, error) {
	return many(r, scanVehicle, sqlVehicles, residentID)
}

func (t *wtx) SaveVehicle(v domain.Vehicle) (domain.Vehicle, error) {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO vehicles (resident_id, vrm, saved, last_used_at, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (resident_id, vrm) DO UPDATE SET saved = GREATEST(vehicles.saved, excluded.saved),
			last_used_at = GREATEST(vehicles.last_used_at, excluded.last_used_at)`,
		v.ResidentID, v.VRM, v.Saved, ts(v.LastUsedAt), ts(v.CreatedAt))
	if err != nil {
		return v, err
	}
	return one(&t.q, scanVehicle, `SELECT id, resident_id, vrm, saved, last_used_at, created_at FROM vehicles
		WHERE resident_id = ? AND vrm = ?`, v.ResidentID, v.VRM)
}

// Payments and permits.

func scanPayment(s scanner) (domain.Payment, error) {
	var p domain.Payment
	var channel, created string
	if err := s.Scan(&p.ID, &p.ResidentID, &p.AmountPence, &p.Quantity, &p.ProviderRef, &p.IdempotencyKey, &channel, &created); err != nil {
		return p, err
	}
	p.Channel = domain.Channel(channel)
	var err error
	p.CreatedAt, err = parseTS(created)
	return p, err
}

const sqlPaymentByKey = `SELECT id, resident_id, amount_pence, quantity, provider_ref, idempotency_key, channel, created_at
	FROM payments WHERE idempotency_key = ?`

func (r *q) PaymentByKey(key string) (domain.Payment, error) {
	return one(r, scanPayment, sqlPaymentByKey, key)
}

func (t *wtx) InsertPayment(p domain.Payment) (domain.Payment, error) {
	var err error
	p.ID, err = t.insert(`INSERT INTO payments (resident_id, amount_pence, quantity, provider_ref, idempotency_key, channel, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, p.ResidentID, int64(p.AmountPence), p.Quantity, p.ProviderRef, p.IdempotencyKey,
		string(p.Channel), ts(p.CreatedAt))
	return p, err
}

const permitCols = `id, resident_id, scheme_id, payment_id, purchased_at, expires_at, visits_used`

func scanPermit(s scanner) (domain.Permit, error) {
	var p domain.Permit
	var bought, expires string
	if err := s.Scan(&p.ID, &p.ResidentID, &p.SchemeID, &p.PaymentID, &bought, &expires, &p.VisitsUsed); err != nil {
		return p, err
	}
	var err error
	if p.PurchasedAt, err = parseTS(bought); err != nil {
		return p, err
	}
	p.ExpiresAt, err = parseTS(expires)
	return p, err
}

const sqlPermitsBought = `SELECT COUNT(*) FROM permits
	WHERE resident_id = ? AND purchased_at >= ? AND purchased_at < ?`

func (r *q) PermitsBought(residentID int64, from, to time.Time) (int, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, sqlPermitsBought, residentID, ts(from), ts(to)).Scan(&n)
	return n, err
}

const sqlPermitsExpiringAfter = `SELECT ` + permitCols + ` FROM permits WHERE resident_id = ? AND expires_at > ?
	ORDER BY expires_at, id`

func (r *q) PermitsExpiringAfter(residentID int64, t time.Time) ([]domain.Permit, error) {
	return many(r, scanPermit, sqlPermitsExpiringAfter, residentID, ts(t))
}

const sqlPermitsForPayment = `SELECT ` + permitCols + ` FROM permits WHERE payment_id = ? ORDER BY id`

func (r *q) PermitsForPayment(paymentID int64) ([]domain.Permit, error) {
	return many(r, scanPermit, sqlPermitsForPayment, paymentID)
}

func (t *wtx) InsertPermit(p domain.Permit) (domain.Permit, error) {
	var err error
	p.ID, err = t.insert(`INSERT INTO permits (resident_id, scheme_id, payment_id, purchased_at, expires_at, visits_used)
		VALUES (?, ?, ?, ?, ?, ?)`, p.ResidentID, p.SchemeID, p.PaymentID, ts(p.PurchasedAt), ts(p.ExpiresAt), p.VisitsUsed)
	return p, err
}

func (t *wtx) SetPermitVisitsUsed(id int64, used int) error {
	return t.exec(`UPDATE permits SET visits_used = ? WHERE id = ?`, used, id)
}

// Visits.

const visitCols = `id, ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at, status, created_at,
	cancelled_at, actor_kind, actor_id, actor_name, channel, COALESCE(idempotency_key, '')`

func scanVisit(s scanner) (domain.Visit, error) {
	var v domain.Visit
	var date, starts, ends, status, created, cancelled, kind, channel string
	if err := s.Scan(&v.ID, &v.Ref, &v.ResidentID, &v.PermitID, &v.SchemeID, &v.VRM, &date, &starts, &ends, &status,
		&created, &cancelled, &kind, &v.By.ID, &v.By.Name, &channel, &v.IdempotencyKey); err != nil {
		return v, err
	}
	v.Status, v.By.Kind, v.By.Channel = domain.VisitStatus(status), domain.ActorKind(kind), domain.Channel(channel)
	var err error
	if v.Date, err = parseDS(date); err != nil {
		return v, err
	}
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&v.StartsAt, starts}, {&v.EndsAt, ends}, {&v.CreatedAt, created}, {&v.CancelledAt, cancelled}} {
		if *f.dst, err = parseTS(f.src); err != nil {
			return v, err
		}
	}
	return v, nil
}

const sqlVisitByRef = `SELECT ` + visitCols + ` FROM visits WHERE ref = ?`

func (r *q) VisitByRef(ref string) (domain.Visit, error) {
	return one(r, scanVisit, sqlVisitByRef, ref)
}

const sqlVisitByKey = `SELECT ` + visitCols + ` FROM visits WHERE idempotency_key = ?`

func (r *q) VisitByKey(key string) (domain.Visit, error) {
	return one(r, scanVisit, sqlVisitByKey, key)
}

const sqlActiveVisit = `SELECT ` + visitCols + ` FROM visits
	WHERE resident_id = ? AND scheme_id = ? AND vrm = ? AND date = ? AND status = 'active'`

func (r *q) ActiveVisit(residentID, schemeID int64, vrm string, date calendar.Date) (domain.Visit, error) {
	return one(r, scanVisit, sqlActiveVisit,
		residentID, schemeID, vrm, ds(date))
}

const sqlVisitsFrom = `SELECT ` + visitCols + ` FROM visits WHERE resident_id = ? AND date >= ?
	ORDER BY date, starts_at, id LIMIT ?`

func (r *q) VisitsFrom(residentID int64, date calendar.Date, limit int) ([]domain.Visit, error) {
	return many(r, scanVisit, sqlVisitsFrom, residentID, ds(date), limit)
}

const sqlVisitsCovering = `SELECT ` + visitCols + ` FROM visits WHERE vrm = ? AND scheme_id = ? AND date = ?
	AND status = 'active' AND starts_at <= ? AND ends_at > ? ORDER BY id`

func (r *q) VisitsCovering(vrm string, schemeID int64, t time.Time) ([]domain.Visit, error) {
	return many(r, scanVisit, sqlVisitsCovering,
		vrm, schemeID, ds(calendar.DateOf(t)), ts(t), ts(t))
}

func (t *wtx) InsertVisit(v domain.Visit) (domain.Visit, error) {
	var key any
	if v.IdempotencyKey != "" {
		key = v.IdempotencyKey
	}
	var err error
	v.ID, err = t.insert(`INSERT INTO visits (ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at,
		status, created_at, actor_kind, actor_id, actor_name, channel, idempotency_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Ref, v.ResidentID, v.PermitID, v.SchemeID, v.VRM, ds(v.Date), ts(v.StartsAt), ts(v.EndsAt),
		string(v.Status), ts(v.CreatedAt), string(v.By.Kind), v.By.ID, v.By.Name, string(v.By.Channel), key)
	return v, err
}

func (t *wtx) SetVisitCancelled(id int64, at time.Time) error {
	return t.exec(`UPDATE visits SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status = 'active'`, ts(at), id)
}

// Audit.

func scanAudit(s scanner) (domain.AuditEntry, error) {
	var e domain.AuditEntry
	var at, kind, channel string
	var resident sql.NullInt64
	if err := s.Scan(&e.ID, &at, &resident, &kind, &e.Actor.ID, &e.Actor.Name, &channel, &e.Action, &e.Detail); err != nil {
		return e, err
	}
	e.ResidentID, e.Actor.Kind, e.Actor.Channel = resident.Int64, domain.ActorKind(kind), domain.Channel(channel)
	var err error
	e.At, err = parseTS(at)
	return e, err
}

const sqlAudit = `SELECT id, at, resident_id, actor_kind, actor_id, actor_name, channel, action, detail
	FROM audit WHERE resident_id = ? ORDER BY id DESC LIMIT ?`

func (r *q) Audit(residentID int64, limit int) ([]domain.AuditEntry, error) {
	return many(r, scanAudit, sqlAudit, residentID, limit)
}

func (t *wtx) AppendAudit(e domain.AuditEntry) error {
	var resident any
	if e.ResidentID != 0 {
		resident = e.ResidentID
	}
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO audit (at, resident_id, actor_kind, actor_id, actor_name, channel, action, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ts(e.At), resident, string(e.Actor.Kind), e.Actor.ID, e.Actor.Name,
		string(e.Actor.Channel), e.Action, e.Detail)
	return err
}
