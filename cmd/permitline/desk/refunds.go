package desk

import (
	"net/http"
	"time"

	"permitline/domain"
)

// refundView is a refund due (R24) as the desk shows it.
type refundView struct {
	Ref, Account, Name, Amount, Why, Channel, Taken, Settled string
	Due                                                      bool
}

// refundRow writes a refund for the desk.
func refundRow(rf domain.Refund, now time.Time) refundView {
	v := refundView{Ref: rf.PaymentRef, Account: rf.Account, Name: rf.Name, Amount: rf.AmountPence.String(),
		Why: rf.Rule + ": " + rf.Reason, Channel: channelName(rf.Channel), Taken: dateTime(rf.CreatedAt, now), Due: rf.Due()}
	if !v.Due {
		v.Settled = dateTime(rf.SettledAt, now) + " by " + rf.SettledBy
	}
	return v
}

type refundsView struct {
	page
	Rows []refundView
}

// refundsPage is GET /desk/refunds: the payments taken whose permits could not be issued,
// still to be refunded, oldest first. An operator settles them in the back office
// (permitline refunds settle REF).
func (d *desk) refundsPage(w http.ResponseWriter, r *http.Request, rq *request) {
	rs, err := d.svc.RefundsDue(r.Context(), rq.agent.Actor())
	if err != nil {
		d.internal(w, r, rq, "loading the refunds due", err)
		return
	}
	p := &refundsView{page: d.page(r, rq, "Refunds due")}
	p.Nav, p.Helpdesk = "refunds", d.helpdesk()
	p.Flash = d.takeFlash(w, r)
	now := d.svc.Now()
	for _, rf := range rs {
		p.Rows = append(p.Rows, refundRow(rf, now))
	}
	d.render(w, http.StatusOK, "refunds.html", p)
}
