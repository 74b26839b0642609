package postgres

import (
	"time"

	"permitline/domain"
)

func scanDeskSession(s scanner) (domain.DeskSession, error) {
	var d domain.DeskSession
	var in, seen, out string
	err := s.Scan(&d.Session, &d.AgentID, &in, &seen, &out)
	if err == nil {
		d.SignedInAt, err = parseTS(in)
	}
	if err == nil {
		d.LastSeen, err = parseTS(seen)
	}
	if err == nil {
		d.SignedOutAt, err = parseTS(out)
	}
	return d, err
}

func (r *q) DeskSession(session string) (domain.DeskSession, error) {
	return one(r, scanDeskSession, `SELECT session, agent_id, signed_in_at, last_seen, signed_out_at
		FROM desk_sessions WHERE session = ?`, session)
}

func (r *q) CountAgentsSignedIn(since time.Time) (int, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, `SELECT count(DISTINCT agent_id) FROM desk_sessions
		WHERE last_seen > ? AND signed_out_at = ''`, ts(since)).Scan(&n)
	return n, err
}

func (t *wtx) InsertDeskSession(s domain.DeskSession) error {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO desk_sessions (session, agent_id, signed_in_at, last_seen, signed_out_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (session) DO NOTHING`,
		s.Session, s.AgentID, ts(s.SignedInAt), ts(s.LastSeen), ts(s.SignedOutAt))
	return err
}

func (t *wtx) TouchDeskSession(session string, at time.Time) error {
	// Never backwards: two nodes touching at once keep the later time.
	_, err := t.db.ExecContext(t.ctx, `UPDATE desk_sessions SET last_seen = ?
		WHERE session = ? AND signed_out_at = '' AND last_seen < ?`, ts(at), session, ts(at))
	return err
}

func (t *wtx) EndDeskSession(session string, at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `UPDATE desk_sessions SET signed_out_at = ?
		WHERE session = ? AND signed_out_at = ''`, ts(at), session)
	return err
}

func (t *wtx) DeleteDeskSessionsBefore(at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `DELETE FROM desk_sessions WHERE last_seen < ?`, ts(at))
	return err
}
