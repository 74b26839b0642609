package postgres_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/storetest"
	"permitline/fixtures"
)

// TestSuite runs the suite every engine passes on PostgreSQL.
func TestSuite(t *testing.T) { storetest.Run(t, storetest.Postgres.Open) }

// Updates on two nodes, each reading what the others wrote and writing on it, run one at a
// time: sixty at once, each numbering its audit entry by the entries it counts, leave the
// numbers 0 to 59 once each (no Update read past another's commit), and none was refused
// and run again.
func TestUpdatesOnTwoNodesRunOneAtATime(t *testing.T) {
	addr := storetest.PostgresDatabase(t)
	nodes := []*postgres.Store{storetest.OpenPostgres(t, addr), storetest.OpenPostgres(t, addr)}
	ctx := context.Background()
	now := time.Date(2026, time.December, 7, 9, 30, 0, 0, time.UTC)
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	var resident domain.Resident
	if err := nodes[0].Update(ctx, func(tx domain.Tx) error {
		scheme, err := tx.UpsertScheme(schemes[0])
		if err != nil {
			return err
		}
		addr, err := tx.InsertAddress(domain.Address{Line: "1 Test Road", Postcode: "CB1 3AA", SchemeID: scheme.ID, Active: true})
		if err != nil {
			return err
		}
		resident, err = tx.InsertResident(domain.Resident{Account: "12345678", Name: "Test Resident",
			AddressID: addr.ID, Phone: "+447700900123", CreatedAt: now})
		return err
	}); err != nil {
		t.Fatal(err)
	}

	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- nodes[i%2].Update(ctx, func(tx domain.Tx) error {
				seen, err := tx.Audit(resident.ID, 1000)
				if err != nil {
					return err
				}
				return tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: resident.ID, Actor: domain.Admin("test"),
					Action: "test.count", Detail: strconv.Itoa(len(seen))})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var entries []domain.AuditEntry
	if err := nodes[0].View(ctx, func(r domain.Reader) (err error) {
		entries, err = r.Audit(resident.ID, 1000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	counted := map[string]int{}
	for _, e := range entries {
		counted[e.Detail]++
	}
	for i := range n {
		if counted[strconv.Itoa(i)] != 1 {
			t.Errorf("%d Updates counted %d entries before theirs, want 1 (all counts: %v)", counted[strconv.Itoa(i)], i, counted)
			break
		}
	}
	if r := nodes[0].Retried() + nodes[1].Retried(); r != 0 {
		t.Errorf("Updates were run again %d times; want none: the lock orders them", r)
	}
}
