package postgres

import (
	"database/sql"
	"time"

	"permitline/domain"
)

// Callbacks and voicemails (R25).

const callbackCols = `id, call_sid, number, resident_id, actor_kind, actor_id, actor_name, verified, kind, reason,
	context, transfer_id, status, due_at, attempts, agent_id, outbound_sid, note, created_at, updated_at`

func scanCallback(s scanner) (domain.Callback, error) {
	var c domain.Callback
	var resident sql.NullInt64
	var kind, ckind, status, due, created, updated string
	if err := s.Scan(&c.ID, &c.CallSid, &c.Number, &resident, &kind, &c.Caller.ID, &c.Caller.Name, &c.Verified, &ckind,
		&c.Reason, &c.Context, &c.TransferID, &status, &due, &c.Attempts, &c.AgentID, &c.OutboundSid, &c.Note,
		&created, &updated); err != nil {
		return c, err
	}
	c.ResidentID, c.Caller.Kind, c.Caller.Channel = resident.Int64, domain.ActorKind(kind), domain.ChannelVoice
	c.Kind, c.Status = domain.CallbackKind(ckind), domain.CallbackStatus(status)
	return c, parseTimes(&c.DueAt, due, &c.CreatedAt, created, &c.UpdatedAt, updated)
}

// parseTimes parses pairs of a destination and a stored instant.
func parseTimes(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		t, err := parseTS(pairs[i+1].(string))
		if err != nil {
			return err
		}
		*pairs[i].(*time.Time) = t
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (r *q) CallbackByID(id int64) (domain.Callback, error) {
	return one(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks WHERE id = ?`, id)
}

func (r *q) CallbackByCall(callSid string) (domain.Callback, error) {
	return one(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks WHERE call_sid = ?`, callSid)
}

func (r *q) CallbackByOutboundSid(sid string) (domain.Callback, error) {
	if sid == "" {
		return domain.Callback{}, domain.ErrNotFound
	}
	return one(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks WHERE outbound_sid = ?`, sid)
}

func (r *q) OpenCallbackOf(residentID int64, number string) (domain.Callback, error) {
	if residentID != 0 {
		return one(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks
			WHERE resident_id = ? AND status IN ('pending', 'calling') ORDER BY id LIMIT 1`, residentID)
	}
	return one(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks
		WHERE resident_id IS NULL AND number = ? AND status IN ('pending', 'calling') ORDER BY id LIMIT 1`, number)
}

func (r *q) CallbacksWithStatus(s domain.CallbackStatus, limit int) ([]domain.Callback, error) {
	return many(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks WHERE status = ?
		ORDER BY due_at, id LIMIT ?`, string(s), limit)
}

func (r *q) CallbacksSince(since time.Time, limit int) ([]domain.Callback, error) {
	return many(r, scanCallback, `SELECT `+callbackCols+` FROM callbacks WHERE updated_at >= ?
		ORDER BY updated_at DESC, id DESC LIMIT ?`, ts(since), limit)
}

func (r *q) CountCallbacks(s domain.CallbackStatus) (int, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, `SELECT COUNT(*) FROM callbacks WHERE status = ?`, string(s)).Scan(&n)
	return n, err
}

func (t *wtx) InsertCallback(c domain.Callback) (domain.Callback, error) {
	err := t.savepoint(func() (err error) {
		c.ID, err = t.insert(`INSERT INTO callbacks (call_sid, number, resident_id, actor_kind, actor_id, actor_name, verified,
		kind, reason, context, transfer_id, status, due_at, attempts, agent_id, outbound_sid, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.CallSid, c.Number, nullID(c.ResidentID), string(c.Caller.Kind), c.Caller.ID, c.Caller.Name, c.Verified,
			string(c.Kind), c.Reason, c.Context, c.TransferID, string(c.Status), ts(c.DueAt), c.Attempts, c.AgentID,
			c.OutboundSid, c.Note, ts(c.CreatedAt), ts(c.UpdatedAt))
		return err
	})
	if err != nil && isUnique(err) {
		return c, domain.ErrDuplicate
	}
	return c, err
}

func (t *wtx) UpdateCallback(c domain.Callback) error {
	err := t.savepoint(func() error {
		return t.exec(`UPDATE callbacks SET status = ?, due_at = ?, attempts = ?, agent_id = ?, outbound_sid = ?, note = ?,
		updated_at = ? WHERE id = ?`, string(c.Status), ts(c.DueAt), c.Attempts, c.AgentID, c.OutboundSid, c.Note,
			ts(c.UpdatedAt), c.ID)
	})
	if err != nil && isUnique(err) {
		return domain.ErrDuplicate
	}
	return err
}

const voicemailCols = `id, call_sid, caller_from, resident_id, actor_kind, actor_id, actor_name, reason, context,
	recording_sid, recording_url, duration, status, agent_id, note, created_at, updated_at`

func scanVoicemail(s scanner) (domain.Voicemail, error) {
	var v domain.Voicemail
	var resident sql.NullInt64
	var kind, status, created, updated string
	if err := s.Scan(&v.ID, &v.CallSid, &v.From, &resident, &kind, &v.Caller.ID, &v.Caller.Name, &v.Reason, &v.Context,
		&v.RecordingSid, &v.RecordingURL, &v.Duration, &status, &v.AgentID, &v.Note, &created, &updated); err != nil {
		return v, err
	}
	v.ResidentID, v.Caller.Kind, v.Caller.Channel = resident.Int64, domain.ActorKind(kind), domain.ChannelVoice
	v.Status = domain.VoicemailStatus(status)
	return v, parseTimes(&v.CreatedAt, created, &v.UpdatedAt, updated)
}

func (r *q) VoicemailByID(id int64) (domain.Voicemail, error) {
	return one(r, scanVoicemail, `SELECT `+voicemailCols+` FROM voicemails WHERE id = ?`, id)
}

func (r *q) VoicemailByCall(callSid string) (domain.Voicemail, error) {
	return one(r, scanVoicemail, `SELECT `+voicemailCols+` FROM voicemails WHERE call_sid = ?`, callSid)
}

func (r *q) VoicemailsWithStatus(s domain.VoicemailStatus, limit int) ([]domain.Voicemail, error) {
	return many(r, scanVoicemail, `SELECT `+voicemailCols+` FROM voicemails WHERE status = ?
		ORDER BY created_at, id LIMIT ?`, string(s), limit)
}

func (r *q) CountVoicemails(s domain.VoicemailStatus) (int, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, `SELECT COUNT(*) FROM voicemails WHERE status = ?`, string(s)).Scan(&n)
	return n, err
}

func (t *wtx) UpsertVoicemail(v domain.Voicemail) (domain.Voicemail, error) {
	_, err := t.insert(`INSERT INTO voicemails (call_sid, caller_from, resident_id, actor_kind, actor_id, actor_name, reason,
		context, recording_sid, recording_url, duration, status, agent_id, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_sid) DO UPDATE SET caller_from = excluded.caller_from, resident_id = excluded.resident_id,
			actor_kind = excluded.actor_kind, actor_id = excluded.actor_id, actor_name = excluded.actor_name,
			reason = excluded.reason, context = excluded.context, recording_sid = excluded.recording_sid,
			recording_url = excluded.recording_url, duration = excluded.duration, status = excluded.status,
			agent_id = excluded.agent_id, note = excluded.note, updated_at = excluded.updated_at`,
		v.CallSid, v.From, nullID(v.ResidentID), string(v.Caller.Kind), v.Caller.ID, v.Caller.Name, v.Reason, v.Context,
		v.RecordingSid, v.RecordingURL, v.Duration, string(v.Status), v.AgentID, v.Note, ts(v.CreatedAt), ts(v.UpdatedAt))
	if err != nil {
		return v, err
	}
	return t.VoicemailByCall(v.CallSid)
}
