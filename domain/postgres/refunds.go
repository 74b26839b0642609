package postgres

import (
	"time"

	"permitline/domain"
)

// Refunds due (R24).

// refundCols are read from refunds f joined to its resident r.
const refundCols = `f.id, f.resident_id, f.amount_pence, f.quantity, f.payment_ref, f.rule, f.reason, f.channel,
	f.actor_kind, f.actor_id, f.actor_name, f.created_at, f.settled_at, f.settled_by, r.account, r.name`

const refundsFrom = ` FROM refunds f JOIN residents r ON r.id = f.resident_id`

func scanRefund(s scanner) (domain.Refund, error) {
	var r domain.Refund
	var channel, kind, created, settled string
	if err := s.Scan(&r.ID, &r.ResidentID, &r.AmountPence, &r.Quantity, &r.PaymentRef, &r.Rule, &r.Reason, &channel,
		&kind, &r.By.ID, &r.By.Name, &created, &settled, &r.SettledBy, &r.Account, &r.Name); err != nil {
		return r, err
	}
	r.Channel, r.By.Kind, r.By.Channel = domain.Channel(channel), domain.ActorKind(kind), domain.Channel(channel)
	var err error
	if r.CreatedAt, err = parseTS(created); err != nil {
		return r, err
	}
	r.SettledAt, err = parseTS(settled)
	return r, err
}

const sqlRefundByRef = `SELECT ` + refundCols + refundsFrom + ` WHERE f.payment_ref = ?`

func (r *q) RefundByRef(ref string) (domain.Refund, error) {
	return one(r, scanRefund, sqlRefundByRef, ref)
}

const (
	sqlRefundsDue = `SELECT ` + refundCols + refundsFrom + ` WHERE f.settled_at = '' ORDER BY f.created_at, f.id LIMIT ?`
	sqlRefundsAll = `SELECT ` + refundCols + refundsFrom + ` ORDER BY f.created_at, f.id LIMIT ?`
	sqlRefundsOf  = `SELECT ` + refundCols + refundsFrom + ` WHERE f.resident_id = ? ORDER BY f.created_at DESC, f.id DESC`
)

func (r *q) Refunds(settled bool, limit int) ([]domain.Refund, error) {
	if settled {
		return many(r, scanRefund, sqlRefundsAll, limit)
	}
	return many(r, scanRefund, sqlRefundsDue, limit)
}

func (r *q) RefundsOf(residentID int64) ([]domain.Refund, error) {
	return many(r, scanRefund, sqlRefundsOf, residentID)
}

func (t *wtx) InsertRefund(rf domain.Refund) (domain.Refund, error) {
	err := t.savepoint(func() (err error) {
		rf.ID, err = t.insert(`INSERT INTO refunds (resident_id, amount_pence, quantity, payment_ref, rule, reason, channel,
		actor_kind, actor_id, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rf.ResidentID, int64(rf.AmountPence), rf.Quantity, rf.PaymentRef, rf.Rule, rf.Reason, string(rf.Channel),
			string(rf.By.Kind), rf.By.ID, rf.By.Name, ts(rf.CreatedAt))
		return err
	})
	if err != nil && isUnique(err) {
		return rf, domain.ErrDuplicate
	}
	return rf, err
}

func (t *wtx) SettleRefund(ref string, at time.Time, by string) error {
	return t.exec(`UPDATE refunds SET settled_at = ?, settled_by = ? WHERE payment_ref = ? AND settled_at = ''`,
		ts(at), by, ref)
}
