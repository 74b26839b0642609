package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"permitline/domain"
)

// refundJSON is a refund due as the back office reads it (R24).
type refundJSON struct {
	PaymentRef  string `json:"payment_ref"`
	Account     string `json:"account"`
	Resident    string `json:"resident"`
	AmountPence int64  `json:"amount_pence"`
	Amount      string `json:"amount"`
	Quantity    int    `json:"quantity"`
	Rule        string `json:"rule"`
	Reason      string `json:"reason"`
	Channel     string `json:"channel"`
	CreatedAt   string `json:"created_at"`
	SettledAt   string `json:"settled_at,omitempty"`
	SettledBy   string `json:"settled_by,omitempty"`
}

func runRefundsList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("refunds list")
	asJSON := fs.Bool("json", false, "print JSON")
	all := fs.Bool("all", false, "include the refunds already settled")
	if _, err := e.parseAndOpen(ctx, fs, args, 0); err != nil {
		return err
	}
	rs, err := e.svc.Refunds(ctx, admin(), *all)
	if err != nil {
		return err
	}
	out := []refundJSON{}
	for _, rf := range rs {
		j := refundJSON{PaymentRef: rf.PaymentRef, Account: rf.Account, Resident: rf.Name,
			AmountPence: int64(rf.AmountPence), Amount: rf.AmountPence.String(), Quantity: rf.Quantity, Rule: rf.Rule,
			Reason: rf.Reason, Channel: string(rf.Channel), CreatedAt: rf.CreatedAt.UTC().Format(timeJSON),
			SettledBy: rf.SettledBy}
		if !rf.Due() {
			j.SettledAt = rf.SettledAt.UTC().Format(timeJSON)
		}
		out = append(out, j)
	}
	if *asJSON {
		return writeJSON(e, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, map[bool]string{false: "no refunds due", true: "no refunds"}[*all])
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PAYMENT REF\tACCOUNT\tNAME\tAMOUNT\tWHY\tCHANNEL\tTAKEN\tSETTLED")
	for _, rf := range rs {
		settled := "due"
		if !rf.Due() {
			settled = londonShort(rf.SettledAt) + " by " + rf.SettledBy
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s: %s\t%s\t%s\t%s\n", rf.PaymentRef, rf.Account, rf.Name,
			rf.AmountPence, rf.Rule, rf.Reason, rf.Channel, londonShort(rf.CreatedAt), settled)
	}
	return tw.Flush()
}

// timeJSON is how the back office's JSON writes an instant.
const timeJSON = "2006-01-02T15:04:05Z07:00"

func runRefundsSettle(ctx context.Context, e *env, args []string) error {
	pos, err := e.parseAndOpen(ctx, e.flags("refunds settle"), args, 1)
	if err != nil {
		return err
	}
	rf, err := e.svc.SettleRefund(ctx, admin(), pos[0])
	var settled *domain.RefundSettledError
	switch {
	case errors.As(err, &settled):
		return fmt.Errorf("the refund of payment %s (%s) was already settled on %s by %s", settled.Refund.PaymentRef,
			settled.Refund.AmountPence, london(settled.Refund.SettledAt), settled.Refund.SettledBy)
	case domain.IsNotFound(err):
		return fmt.Errorf("no refund is recorded for payment %q", pos[0])
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "refund of %s for payment %s settled by %s\n", rf.AmountPence, rf.PaymentRef, rf.SettledBy)
	return nil
}
