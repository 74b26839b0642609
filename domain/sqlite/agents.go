package sqlite

import "permitline/domain"

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

func (r *q) TransferByID(id int64) (domain.Transfer, error) {
	return one(r, scanTransfer, `SELECT `+transferCols+` FROM transfers WHERE id = ?`, id)
}

func (r *q) TransfersWithStatus(s domain.TransferStatus, limit int) ([]domain.Transfer, error) {
	return many(r, scanTransfer, `SELECT `+transferCols+` FROM transfers WHERE status = ?
		ORDER BY created_at, id LIMIT ?`, string(s), limit)
}
