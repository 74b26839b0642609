package postgres

import (
	"time"

	"permitline/domain"
)

const agentCols = `id, username, name, phone, client_identity, password_hash, created_at`

func scanAgent(s scanner) (domain.Agent, error) {
	var a domain.Agent
	var created string
	err := s.Scan(&a.ID, &a.Username, &a.Name, &a.Phone, &a.ClientIdentity, &a.PasswordHash, &created)
	if err == nil {
		a.CreatedAt, err = parseTS(created)
	}
	return a, err
}

func (r *q) AgentByID(id int64) (domain.Agent, error) {
	return one(r, scanAgent, `SELECT `+agentCols+` FROM agents WHERE id = ?`, id)
}

func (r *q) AgentByUsername(username string) (domain.Agent, error) {
	return one(r, scanAgent, `SELECT `+agentCols+` FROM agents WHERE username = ?`, username)
}

func (t *wtx) InsertAgent(a domain.Agent) (domain.Agent, error) {
	var err error
	a.ID, err = t.insert(`INSERT INTO agents (username, name, phone, client_identity, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.Username, a.Name, a.Phone, a.ClientIdentity, a.PasswordHash, ts(a.CreatedAt))
	return a, err
}

const sqlSignedOut = `SELECT count(*) FROM desk_sign_outs WHERE session = ?`

// SignedOut is asked at every request of a signed-in agent.
func (r *q) SignedOut(session string) (bool, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, sqlSignedOut, session).Scan(&n)
	return n > 0, err
}

func (t *wtx) InsertSignOut(s domain.SignOut) error {
	// Whether a row was added or one was there already, the session is signed out.
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO desk_sign_outs (session, agent_id, until) VALUES (?, ?, ?)
		ON CONFLICT (session) DO NOTHING`, s.Session, s.AgentID, ts(s.Until))
	return err
}

func (t *wtx) DeleteSignOutsBefore(at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `DELETE FROM desk_sign_outs WHERE until < ?`, ts(at)) // none is fine
	return err
}

func (r *q) TransferByID(id int64) (domain.Transfer, error) {
	return one(r, scanTransfer, `SELECT `+transferCols+` FROM transfers WHERE id = ?`, id)
}

func (r *q) TransfersWithStatus(s domain.TransferStatus, limit int) ([]domain.Transfer, error) {
	return many(r, scanTransfer, `SELECT `+transferCols+` FROM transfers WHERE status = ?
		ORDER BY created_at, id LIMIT ?`, string(s), limit)
}
