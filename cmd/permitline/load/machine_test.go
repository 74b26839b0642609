package load

import (
	"os"
	"testing"
	"time"
)

// The machine's CPU figures come from the kernel's counts, as shares of the time passed.
func TestMachineCPUIsReadAsShares(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat here: the report leaves the machine's CPU out")
	}
	start := readMachineTicks()
	if !start.ok {
		t.Fatal("/proc/stat is there but its cpu line was not read")
	}
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	m := machineSince(start)
	if m == nil {
		t.Fatal("no figures after 50 ms of work")
	}
	if m.BusyPct <= 0 || m.BusyPct > 100 || m.StolenPct < 0 || m.BusyPct+m.StolenPct > 100.0001 {
		t.Fatalf("figures out of range: %+v", m)
	}
	if machineSince(machineTicks{}) != nil {
		t.Fatal("figures from a start never read")
	}
}
