package load

import (
	"context"
	"math"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"permitline/domain/storetest"
)

func TestFloors(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		testFloors(t, dir, "", filepath.Join(dir, "floor.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		db := storetest.PostgresDatabase(t) // skips, saying so, without PERMITLINE_TEST_POSTGRES
		testFloors(t, t.TempDir(), db, db)
	})
}

// testFloors measures the floors for a line on db (a PostgreSQL address, or "" for
// SQLite) and checks the storage floor's writes landed in written, on that engine.
func testFloors(t *testing.T, dir, db, written string) {
	const n, concurrency = 300, 10
	client := newClient(baseTransport(concurrency), new(atomic.Int64), nil)
	runRate, runCPU := 1000.0, Millis(2*time.Millisecond)
	f, err := measureFloors(context.Background(), client, dir, db, "floor-token", n, concurrency, runRate, runCPU)
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range []Floor{f.HTTP, f.Storage} {
		if fl.Requests != n || fl.Errors != 0 || fl.RPS <= 0 || fl.Latency.Count != n || fl.Latency.Max < fl.Latency.P50 {
			t.Errorf("%s: %+v", fl.Name, fl)
		}
		if _, ok := processCPU(); ok && fl.CPUPerRequest <= 0 {
			t.Errorf("%s: CPU a request %s, want it measured", fl.Name, fl.CPUPerRequest)
		}
	}
	lower := f.HTTP
	if f.Storage.RPS < lower.RPS {
		lower = f.Storage
	}
	if f.Lower != lower.Name || math.Abs(f.Ratio-runRate/lower.RPS) > 1e-9 {
		t.Errorf("lower %q ratio %v, want %q and %v", f.Lower, f.Ratio, lower.Name, runRate/lower.RPS)
	}
	if want := float64(lower.CPUPerRequest) / float64(runCPU); math.Abs(f.CPURatio-want) > 1e-9 {
		t.Errorf("CPU ratio %v, want %v", f.CPURatio, want)
	}

	// The storage floor committed one write a request: every request's is in its store.
	var writes map[string]int
	if err := readLedger(context.Background(), written, func(l ledger) error {
		writes, err = l.AuditCounts()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if writes["load.floor"] != n || len(writes) != 1 {
		t.Errorf("the storage floor's store holds the writes %v, want %d of load.floor", writes, n)
	}
}
