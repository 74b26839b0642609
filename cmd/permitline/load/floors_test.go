package load

import (
	"context"
	"math"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"permitline/domain/sqlite"
)

func TestFloors(t *testing.T) {
	const n, concurrency = 300, 10
	client := newClient(baseTransport(concurrency), new(atomic.Int64), nil)
	runRate, runCPU := 1000.0, Millis(2*time.Millisecond)
	dir := t.TempDir()
	f, err := measureFloors(context.Background(), client, dir, "floor-token", n, concurrency, runRate, runCPU)
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
	if err := sqlite.ReadLedger(context.Background(), filepath.Join(dir, "floor.db"), func(l *sqlite.Ledger) error {
		writes, err = l.AuditCounts()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if writes["load.floor"] != n || len(writes) != 1 {
		t.Errorf("the storage floor's store holds the writes %v, want %d of load.floor", writes, n)
	}
}
