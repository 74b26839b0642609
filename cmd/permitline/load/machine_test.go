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
	if _, err := os.Stat("/proc/pressure/io"); err == nil {
		if m.DiskWaitPct == nil || *m.DiskWaitPct < 0 || *m.DiskWaitPct > 100 {
			t.Fatalf("the disk's wait: %v, want a share of the run", m.DiskWaitPct)
		}
	} else if m.DiskWaitPct != nil {
		t.Fatalf("a disk wait of %v without the kernel's counts", *m.DiskWaitPct)
	}
	if machineSince(machineTicks{}) != nil {
		t.Fatal("figures from a start never read")
	}
}

// The disk's wait is the "some" line's total, in microseconds (Linux's pressure stall format).
func TestDiskWaitIsTheSomeLinesTotal(t *testing.T) {
	got, ok := parseDiskWait("some avg10=1.33 avg60=7.73 avg300=7.74 total=65268105\n" +
		"full avg10=0.89 avg60=6.24 avg300=6.36 total=45129465\n")
	if !ok || got != 65268105 {
		t.Fatalf("%d %v, want 65268105", got, ok)
	}
	if _, ok := parseDiskWait("full avg10=0.89 total=45129465\n"); ok {
		t.Fatal("a wait read without a some line")
	}
	if _, ok := parseDiskWait("some avg10=1.33 total=x\n"); ok {
		t.Fatal("a wait read from a total that is not a number")
	}
}
