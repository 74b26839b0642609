package load

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
)

// The seeded accounts would pass the back office's checks: UK postcodes, and one
// address (by its matching key) for each resident.
func TestSeedAddressesAreValid(t *testing.T) {
	keys := map[string]int{}
	for i := range 1000 {
		line, postcode := seedAddress(i)
		if got, err := domain.ParsePostcode(postcode); err != nil || got != postcode {
			t.Fatalf("resident %d: postcode %q gives %q, %v", i, postcode, got, err)
		}
		k := domain.AddressKey(line) + "|" + postcode
		if j, ok := keys[k]; ok {
			t.Fatalf("residents %d and %d share the address %s, %s", j, i, line, postcode)
		}
		keys[k] = i
	}
}

// A second seeding of the same database finds the residents of the first, and buys
// them nothing more; only the residents it adds are new.
func TestSeedingAgainFindsTheResidentsOfTheFirst(t *testing.T) {
	ctx := context.Background()
	s := seeding{path: filepath.Join(t.TempDir(), "line.db"), now: DefaultNow.Add(-time.Hour), pins: pin.TestKeyed()}
	first, err := seedResidents(ctx, s, 5)
	if err != nil {
		t.Fatal(err)
	}
	again, err := seedResidents(ctx, s, 7)
	if err != nil {
		t.Fatal(err)
	}
	accounts := map[string]bool{}
	for i, r := range again {
		if i < len(first) && !reflect.DeepEqual(r, first[i]) {
			t.Errorf("resident %d seeded again as %+v; first %+v", i, r, first[i])
		}
		if accounts[r.account] {
			t.Errorf("resident %d has the account %s of another", i, r.account)
		}
		accounts[r.account] = true
	}
	payments := 0
	if err := sqlite.ReadLedger(ctx, s.path, func(l *sqlite.Ledger) error {
		return l.EachPayment(func(domain.Payment, int) error { payments++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if payments != len(again) {
		t.Errorf("%d payments after seeding %d residents twice over; want one each", payments, len(again))
	}
}
