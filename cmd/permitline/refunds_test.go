package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/sqlite"
)

// phonePaidButRefused records, as the phone line would, a payment of qty permits taken on
// a call and refused by the rules: a refund due (R24).
func (c *cli) phonePaidButRefused(account, code string, qty int) {
	c.t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	defer st.Close()
	now, _ := time.Parse(time.RFC3339, c.now)
	svc := domain.New(domain.Config{Store: st, Clock: domain.NewManualClock(now)})
	var res domain.Resident
	if err := svc.View(ctx, func(r domain.Reader) (err error) { res, err = r.ResidentByAccount(account); return err }); err != nil {
		c.t.Fatal(err)
	}
	_, err = svc.BuyPermits(ctx, domain.Actor{Kind: domain.ActorResident, ID: res.ID, Name: res.Name, Channel: domain.ChannelVoice},
		account, qty, domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty), ProviderRef: code, IdempotencyKey: code, Taken: true})
	if domain.RuleOf(err) != "R24" {
		c.t.Fatalf("want a refund due, got %v", err)
	}
}

func TestRefunds(t *testing.T) {
	c := newCLI(t)
	a := c.registeredWithPermits()
	if got := c.ok("refunds", "list"); got != "no refunds due\n" {
		t.Fatalf("refunds list with none: %q", got)
	}
	c.ok("permits", "buy", a, "--quantity", "18", "--payment-ref", "REF9")
	c.phonePaidButRefused(a, "ch_cli0001", 2)

	out := c.ok("refunds", "list")
	for _, want := range []string{"PAYMENT REF", "ch_cli0001", a, "£36.00", "R7: 2 permits asked for but only 0 may be bought", "voice", "due"} {
		if !strings.Contains(out, want) {
			t.Errorf("refunds list printed %q, want %q in it", out, want)
		}
	}
	var listed []refundJSON
	if err := json.Unmarshal([]byte(c.ok("refunds", "list", "--json")), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].PaymentRef != "ch_cli0001" || listed[0].AmountPence != 3600 || listed[0].Account != a ||
		listed[0].Rule != "R7" || listed[0].SettledAt != "" || listed[0].CreatedAt != "2026-11-30T10:00:00Z" {
		t.Fatalf("refunds list --json: %+v", listed)
	}

	if got := c.ok("refunds", "settle", "ch_cli0001"); got != "refund of £36.00 for payment ch_cli0001 settled by tester\n" {
		t.Fatalf("refunds settle printed %q", got)
	}
	if got := c.ok("refunds", "list"); got != "no refunds due\n" {
		t.Fatalf("a settled refund is still listed as due: %q", got)
	}
	if out := c.ok("refunds", "list", "--all"); !strings.Contains(out, "ch_cli0001") || !strings.Contains(out, "by tester") {
		t.Fatalf("refunds list --all: %q", out)
	}
	c.refused([]string{"refunds", "settle", "ch_cli0001"}, "already settled", "by tester")
	c.refused([]string{"refunds", "settle", "ch_nope"}, "no refund is recorded for payment \"ch_nope\"")
	for _, args := range [][]string{{"refunds", "settle"}, {"refunds", "settle", "A", "B"}, {"refunds", "list", "X"},
		{"refunds", "list", "--bogus"}} {
		if r := c.run(args...); r.code != 2 || !strings.Contains(r.stderr, "usage: permitline "+strings.Join(args[:2], " ")) {
			t.Errorf("%v: got %+v, want exit 2 with usage", args, r)
		}
	}
	var audit struct {
		Activity []struct{ Action, Detail string } `json:"recent_activity"`
	}
	if err := json.Unmarshal([]byte(c.ok("resident", "show", a, "--json")), &audit); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit.Activity {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "refund.settle") || !strings.Contains(got, "refund.due") {
		t.Fatalf("audit: %s", got)
	}
}
