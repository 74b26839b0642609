package domain_test

import (
	"fmt"
	"sync"
	"testing"

	"permitline/domain"
	"permitline/domain/storetest"
)

// TestConcurrentChannelsNeverBeatTheRules races 60 buyers and 60 activators for one
// resident, half through each of two nodes (two stores on one database): R7 (20 permits a
// year) and R8 (5 visits a permit) must hold, and every accepted request must be in the
// store exactly once. On each engine.
func TestConcurrentChannelsNeverBeatTheRules(t *testing.T) {
	storetest.Engines(t, testConcurrentChannelsNeverBeatTheRules)
}

func testConcurrentChannelsNeverBeatTheRules(t *testing.T, e storetest.Engine) {
	w := newWorldOn(t, "2026-11-30 08:00:00", e)
	nodes := []*domain.Service{w.svc, w.node()}
	res := w.resident(cw, "07700900030")
	w.mustBuy(res.Account, 2) // 10 visits to race for from the start

	const n = 60
	var wg sync.WaitGroup
	var mu sync.Mutex
	bought, refusedBuys := 0, 0
	activated := map[string]string{} // ref -> vrm
	refusedVisits := 0
	vrms := []string{"AB12CDE", "AB12CDF", "AB12CDG", "AB12CDH", "AB12CDJ", "AB12CDK", "AB12CDL", "AB12CDM"}
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := nodes[i%2].BuyPermits(w.ctx, domain.Actor{Kind: domain.ActorResident, ID: res.ID, Channel: domain.ChannelVoice},
				res.Account, 1, domain.PaymentIn{Amount: 1800, ProviderRef: "P", IdempotencyKey: fmt.Sprintf("race-%d", i)})
			mu.Lock()
			defer mu.Unlock()
			switch domain.RuleOf(err) {
			case "":
				if err != nil {
					t.Errorf("buy %d: %v", i, err)
				}
				bought++
			case "R7":
				refusedBuys++
			default:
				t.Errorf("buy %d: unexpected %v", i, err)
			}
		}()
		go func() {
			defer wg.Done()
			// Each vehicle on each of 8 days: plenty of distinct requests, some clashing (R18).
			d := date(t, "2026-12-01").AddDays(i % 8)
			a, err := nodes[(i+1)%2].ActivateVisit(w.ctx, domain.Actor{Kind: domain.ActorResident, ID: res.ID, Channel: domain.ChannelSMS},
				res.Account, domain.VisitRequest{VRM: vrms[(i/8)%len(vrms)], Date: d})
			mu.Lock()
			defer mu.Unlock()
			switch domain.RuleOf(err) {
			case "":
				if err != nil {
					t.Errorf("activate %d: %v", i, err)
					return
				}
				activated[a.Visit.Ref] = a.Visit.VRM
			case "R15", "R18", "R14":
				refusedVisits++
			default:
				t.Errorf("activate %d: unexpected %v", i, err)
			}
		}()
	}
	wg.Wait()

	if bought+2 > domain.PermitsPerYear || bought+refusedBuys != n {
		t.Fatalf("R7: %d bought (+2 before), %d refused, of %d", bought, refusedBuys, n)
	}
	if bought+2 != domain.PermitsPerYear {
		t.Fatalf("R7: every buyer up to the allowance should succeed: %d bought (+2)", bought)
	}
	b := w.balance(res.Account)
	if b.BoughtThisYear != domain.PermitsPerYear {
		t.Fatalf("store holds %d permits this year, want %d", b.BoughtThisYear, domain.PermitsPerYear)
	}
	used := 0
	for _, p := range b.Permits {
		if p.VisitsUsed < 0 || p.VisitsUsed > domain.VisitsPerPermit {
			t.Fatalf("R8: permit %d has %d visits used", p.ID, p.VisitsUsed)
		}
		used += p.VisitsUsed
	}
	stored, err := w.svc.UpcomingVisits(w.ctx, w.admin, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(activated) || used != len(activated) {
		t.Fatalf("%d visits accepted, %d stored, %d visits used on permits", len(activated), len(stored), used)
	}
	seen := map[string]bool{}
	for _, v := range stored {
		key := v.VRM + v.Date.String()
		if seen[key] {
			t.Fatalf("R18: %s twice on %s", v.VRM, v.Date)
		}
		seen[key] = true
		if activated[v.Ref] != v.VRM {
			t.Fatalf("stored visit %s was never reported as accepted", v.Ref)
		}
	}
	if len(activated)+refusedVisits != n {
		t.Fatalf("%d accepted + %d refused != %d", len(activated), refusedVisits, n)
	}
}

// TestLastVisitOfAPermitOnce races 60 activations, across two nodes, for the one visit
// left on a resident's permits: exactly one wins (R8), on each engine.
func TestLastVisitOfAPermitOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, e storetest.Engine) {
		w := newWorldOn(t, "2026-11-30 08:00:00", e)
		nodes := []*domain.Service{w.svc, w.node()}
		res := w.resident(cw, "07700900031")
		w.mustBuy(res.Account, 1)
		actor := domain.Actor{Kind: domain.ActorResident, ID: res.ID, Channel: domain.ChannelSMS}
		for i := range domain.VisitsPerPermit - 1 {
			if _, err := w.svc.ActivateVisit(w.ctx, actor, res.Account,
				domain.VisitRequest{VRM: "AB12CDE", Date: date(t, "2026-12-01").AddDays(i)}); err != nil {
				t.Fatal(err)
			}
		}
		const n = 60
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := nodes[i%2].ActivateVisit(w.ctx, actor, res.Account,
					domain.VisitRequest{VRM: fmt.Sprintf("X%c%02dABC", 'L'+i/24, 51+i%24), Date: date(t, "2026-12-08")})
				mu.Lock()
				defer mu.Unlock()
				switch rule := domain.RuleOf(err); {
				case err == nil:
					won++
				case rule == "R15" || rule == "R8":
				default:
					t.Errorf("activation %d: unexpected %v", i, err)
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d activations won the last visit, want exactly 1", won)
		}
		b := w.balance(res.Account)
		if len(b.Permits) != 1 || b.Permits[0].VisitsUsed != domain.VisitsPerPermit {
			t.Fatalf("permits: %+v, want one with all %d visits used", b.Permits, domain.VisitsPerPermit)
		}
	})
}
