package postgres

import (
	"time"

	"permitline/domain"
)

func scanSignInAttempt(s scanner) (domain.SignInAttempt, error) {
	var a domain.SignInAttempt
	var at string
	err := s.Scan(&a.ID, &a.Username, &a.Address, &at, &a.Known)
	if err == nil {
		a.At, err = parseTS(at)
	}
	return a, err
}

func (r *q) SignInAttempts(username, address string, since time.Time) ([]domain.SignInAttempt, error) {
	// Two indexed halves rather than one OR, so each uses its index.
	return many(r, scanSignInAttempt, `SELECT id, username, address, at, known FROM desk_sign_ins
		WHERE username = ? AND at > ?
		UNION
		SELECT id, username, address, at, known FROM desk_sign_ins
		WHERE address = ? AND at > ?
		ORDER BY 4, 1`, username, ts(since), address, ts(since))
}

func (r *q) KnownSignInAddress(username, address string, since time.Time) (bool, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, `SELECT count(*) FROM desk_known_addresses
		WHERE username = ? AND address = ? AND last_at > ?`, username, address, ts(since)).Scan(&n)
	return n > 0, err
}

func (t *wtx) InsertSignInAttempt(a domain.SignInAttempt) (domain.SignInAttempt, error) {
	var err error
	a.ID, err = t.insert(`INSERT INTO desk_sign_ins (username, address, at, known) VALUES (?, ?, ?, ?)`,
		a.Username, a.Address, ts(a.At), a.Known)
	return a, err
}

func (t *wtx) DeleteSignInAttempts(username, address string) error {
	_, err := t.db.ExecContext(t.ctx, `DELETE FROM desk_sign_ins WHERE username = ? AND address = ?`, username, address)
	return err
}

func (t *wtx) DeleteSignInAttemptsBefore(at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `DELETE FROM desk_sign_ins WHERE at <= ?`, ts(at))
	return err
}

func (t *wtx) SaveKnownSignInAddress(username, address string, at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO desk_known_addresses (username, address, last_at) VALUES (?, ?, ?)
		ON CONFLICT (username, address) DO UPDATE SET last_at = excluded.last_at`, username, address, ts(at))
	return err
}

func (t *wtx) DeleteKnownSignInAddressesBefore(at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `DELETE FROM desk_known_addresses WHERE last_at <= ?`, ts(at))
	return err
}

func (t *wtx) ReplaceAgentPasswordHash(id int64, old, hash string) error {
	_, err := t.db.ExecContext(t.ctx, `UPDATE agents SET password_hash = ? WHERE id = ? AND password_hash = ?`, hash, id, old)
	return err
}
