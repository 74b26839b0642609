package postgres

import (
	"database/sql"
	"time"

	"permitline/domain"
)

const conversationCols = `id, channel, key, flow, state, data, ended, version, created_at, updated_at, expires_at`

func scanConversation(s scanner) (domain.Conversation, error) {
	var c domain.Conversation
	var channel, created, updated, expires string
	if err := s.Scan(&c.ID, &channel, &c.Key, &c.Flow, &c.State, &c.Data, &c.Ended, &c.Version,
		&created, &updated, &expires); err != nil {
		return c, err
	}
	c.Channel = domain.Channel(channel)
	var err error
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&c.CreatedAt, created}, {&c.UpdatedAt, updated}, {&c.ExpiresAt, expires}} {
		if *f.dst, err = parseTS(f.src); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (r *q) ConversationByKey(ch domain.Channel, key string) (domain.Conversation, error) {
	return one(r, scanConversation, `SELECT `+conversationCols+` FROM conversations WHERE channel = ? AND key = ?`,
		string(ch), key)
}

func (t *wtx) InsertConversation(c domain.Conversation) (domain.Conversation, error) {
	c.Version = 1
	var err error
	c.ID, err = t.insert(`INSERT INTO conversations (channel, key, flow, state, data, ended, version, created_at, updated_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(c.Channel), c.Key, c.Flow, c.State, c.Data, c.Ended, c.Version,
		ts(c.CreatedAt), ts(c.UpdatedAt), ts(c.ExpiresAt))
	if err != nil && isUnique(err) {
		return c, domain.ErrConflict // the same conversation begun at the same moment elsewhere
	}
	return c, err
}

func (t *wtx) UpdateConversation(c domain.Conversation) (domain.Conversation, error) {
	err := t.exec(`UPDATE conversations SET flow = ?, state = ?, data = ?, ended = ?, version = version + 1,
		updated_at = ?, expires_at = ? WHERE id = ? AND version = ?`,
		c.Flow, c.State, c.Data, c.Ended, ts(c.UpdatedAt), ts(c.ExpiresAt), c.ID, c.Version)
	if err == domain.ErrNotFound {
		return c, domain.ErrConflict
	}
	if err != nil {
		return c, err
	}
	c.Version++
	return c, nil
}

// sqlExpiredConversations finds the conversations to prune through their expiry's index.
const sqlExpiredConversations = `SELECT id FROM conversations WHERE expires_at < ? ORDER BY expires_at LIMIT ?`

func (t *wtx) DeleteConversationsExpiredBefore(before time.Time, limit int) (int, error) {
	// The replies go with their conversation (ON DELETE CASCADE).
	res, err := t.db.ExecContext(t.ctx, `DELETE FROM conversations WHERE id IN (`+sqlExpiredConversations+`)`,
		ts(before), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (r *q) StepReply(conversationID int64, step int) (domain.StepReply, error) {
	return one(r, func(s scanner) (domain.StepReply, error) {
		var sr domain.StepReply
		var created string
		err := s.Scan(&sr.ConversationID, &sr.Step, &sr.InputHash, &sr.Reply, &created)
		if err == nil {
			sr.CreatedAt, err = parseTS(created)
		}
		return sr, err
	}, `SELECT conversation_id, step, input_hash, reply, created_at FROM conversation_steps
		WHERE conversation_id = ? AND step = ?`, conversationID, step)
}

func (t *wtx) InsertStepReply(sr domain.StepReply) error {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO conversation_steps (conversation_id, step, input_hash, reply, created_at)
		VALUES (?, ?, ?, ?, ?)`, sr.ConversationID, sr.Step, sr.InputHash, sr.Reply, ts(sr.CreatedAt))
	return err
}

const transferCols = `id, call_sid, caller_from, resident_id, actor_kind, actor_id, actor_name, verified, flow, state,
	reason, context, status, agent_id, note, created_at, updated_at, taken_at`

func scanTransfer(s scanner) (domain.Transfer, error) {
	var t domain.Transfer
	var resident sql.NullInt64
	var kind, status, created, updated, taken string
	if err := s.Scan(&t.ID, &t.CallSid, &t.From, &resident, &kind, &t.Caller.ID, &t.Caller.Name, &t.Verified,
		&t.Flow, &t.State, &t.Reason, &t.Context, &status, &t.AgentID, &t.Note, &created, &updated, &taken); err != nil {
		return t, err
	}
	t.ResidentID, t.Caller.Kind, t.Caller.Channel, t.Status = resident.Int64, domain.ActorKind(kind), domain.ChannelVoice, domain.TransferStatus(status)
	var err error
	if t.CreatedAt, err = parseTS(created); err != nil {
		return t, err
	}
	if t.UpdatedAt, err = parseTS(updated); err != nil {
		return t, err
	}
	t.TakenAt, err = parseTS(taken)
	return t, err
}

func (r *q) TransferByCall(callSid string) (domain.Transfer, error) {
	return one(r, scanTransfer, `SELECT `+transferCols+` FROM transfers WHERE call_sid = ?`, callSid)
}

func (r *q) Transfers(since time.Time, limit int) ([]domain.Transfer, error) {
	return many(r, scanTransfer, `SELECT `+transferCols+` FROM transfers WHERE created_at >= ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, ts(since), limit)
}

func (t *wtx) InsertTransfer(tr domain.Transfer) (domain.Transfer, error) {
	var resident any
	if tr.ResidentID != 0 {
		resident = tr.ResidentID
	}
	var err error
	tr.ID, err = t.insert(`INSERT INTO transfers (call_sid, caller_from, resident_id, actor_kind, actor_id, actor_name,
		verified, flow, state, reason, context, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_sid) DO UPDATE SET resident_id = excluded.resident_id, actor_kind = excluded.actor_kind,
			actor_id = excluded.actor_id, actor_name = excluded.actor_name, verified = excluded.verified,
			flow = excluded.flow, state = excluded.state, reason = excluded.reason, context = excluded.context,
			status = excluded.status, updated_at = excluded.updated_at`,
		tr.CallSid, tr.From, resident, string(tr.Caller.Kind), tr.Caller.ID, tr.Caller.Name, tr.Verified,
		tr.Flow, tr.State, tr.Reason, tr.Context, string(tr.Status), ts(tr.CreatedAt), ts(tr.UpdatedAt))
	if err != nil {
		return tr, err
	}
	return t.TransferByCall(tr.CallSid)
}

func (t *wtx) UpdateTransfer(tr domain.Transfer) error {
	return t.exec(`UPDATE transfers SET status = ?, agent_id = ?, note = ?, updated_at = ?, taken_at = ? WHERE id = ?`,
		string(tr.Status), tr.AgentID, tr.Note, ts(tr.UpdatedAt), ts(tr.TakenAt), tr.ID)
}

func (t *wtx) SetTransferCaller(id, residentID int64, caller domain.Actor, at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `UPDATE transfers SET resident_id = ?, actor_kind = ?, actor_id = ?, actor_name = ?,
		updated_at = ? WHERE id = ?`, residentID, string(caller.Kind), caller.ID, caller.Name, ts(at), id)
	return err
}
