package sqlite

import (
	"strings"
	"time"

	"permitline/domain"
)

func (r *q) OptedOut(e164 string) (bool, error) {
	var out bool
	err := r.db.QueryRowContext(r.ctx, `SELECT COALESCE(MAX(opted_out), 0) FROM opt_outs WHERE phone = ?`, e164).Scan(&out)
	return out, err
}

func (t *wtx) SetOptedOut(e164 string, out bool, at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO opt_outs (phone, opted_out, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (phone) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
		e164, out, ts(at))
	return err
}

func (r *q) TextByMessageSid(sid string) (domain.SentText, error) {
	return one(r, func(s scanner) (domain.SentText, error) {
		var st domain.SentText
		var created string
		err := s.Scan(&st.MessageSid, &st.From, &st.Body, &st.Reply, &created)
		if err == nil {
			st.CreatedAt, err = parseTS(created)
		}
		return st, err
	}, `SELECT message_sid, sender, body, reply, created_at FROM texts_received WHERE message_sid = ?`, sid)
}

func (t *wtx) InsertText(st domain.SentText) error {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO texts_received (message_sid, sender, body, reply, created_at)
		VALUES (?, ?, ?, ?, ?)`, st.MessageSid, st.From, st.Body, st.Reply, ts(st.CreatedAt))
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return domain.ErrDuplicate
	}
	return err
}

const outgoingCols = `id, key, kind, recipient, COALESCE(resident_id, 0), visit_id, not_before, status, attempts, next_try,
	last_error, provider_sid, delivery_status, body, created_at, updated_at`

func scanOutgoing(s scanner) (domain.Outgoing, error) {
	var m domain.Outgoing
	var kind, status, notBefore, next, created, updated string
	if err := s.Scan(&m.ID, &m.Key, &kind, &m.To, &m.ResidentID, &m.VisitID, &notBefore, &status, &m.Attempts, &next,
		&m.LastError, &m.ProviderSid, &m.DeliveryStatus, &m.Body, &created, &updated); err != nil {
		return m, err
	}
	m.Kind, m.Status = domain.NoticeKind(kind), domain.OutboxStatus(status)
	var err error
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&m.NotBefore, notBefore}, {&m.NextTry, next}, {&m.CreatedAt, created}, {&m.UpdatedAt, updated}} {
		if *f.dst, err = parseTS(f.src); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (r *q) OutgoingByID(id int64) (domain.Outgoing, error) {
	return one(r, scanOutgoing, `SELECT `+outgoingCols+` FROM outbox WHERE id = ?`, id)
}

func (r *q) OutgoingByKey(key string) (domain.Outgoing, error) {
	return one(r, scanOutgoing, `SELECT `+outgoingCols+` FROM outbox WHERE key = ?`, key)
}

func (r *q) OutgoingByProviderSid(sid string) (domain.Outgoing, error) {
	return one(r, scanOutgoing, `SELECT `+outgoingCols+` FROM outbox WHERE provider_sid = ? AND provider_sid != ''`, sid)
}

func (r *q) DueOutgoing(t, stale time.Time, limit int) ([]domain.Outgoing, error) {
	return many(r, scanOutgoing, `SELECT `+outgoingCols+` FROM outbox
		WHERE (status = 'pending' AND next_try <= ?) OR (status = 'sending' AND updated_at < ?)
		ORDER BY next_try, id LIMIT ?`, ts(t), ts(stale), limit)
}

func (t *wtx) InsertOutgoing(m domain.Outgoing) (domain.Outgoing, error) {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO outbox (key, kind, recipient, resident_id, visit_id, not_before,
		status, attempts, next_try, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, m.Key, string(m.Kind), m.To, nullID(m.ResidentID), m.VisitID, ts(m.NotBefore),
		string(m.Status), ts(m.NextTry), ts(m.CreatedAt), ts(m.UpdatedAt))
	if err != nil {
		return m, err
	}
	return t.OutgoingByKey(m.Key)
}

func (t *wtx) UpdateOutgoing(m domain.Outgoing) error {
	return t.exec(`UPDATE outbox SET status = ?, attempts = ?, next_try = ?, last_error = ?, provider_sid = ?,
		delivery_status = ?, body = ?, updated_at = ? WHERE id = ?`, string(m.Status), m.Attempts, ts(m.NextTry),
		m.LastError, m.ProviderSid, m.DeliveryStatus, m.Body, ts(m.UpdatedAt), m.ID)
}

func (t *wtx) SkipOutgoingTo(e164 string, at time.Time) error {
	_, err := t.db.ExecContext(t.ctx, `UPDATE outbox SET status = 'skipped', last_error = 'opted out', updated_at = ?
		WHERE recipient = ? AND status = 'pending'`, ts(at), e164)
	return err
}

func (r *q) VisitByID(id int64) (domain.Visit, error) {
	return one(r, scanVisit, `SELECT `+visitCols+` FROM visits WHERE id = ?`, id)
}
