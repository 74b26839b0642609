package load

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"time"
)

// MachineCPU is how the machine's CPUs were spent over a run, from the kernel's counts
// (Linux's /proc/stat): every process on it, the line's nodes and its database too when
// they share it. Stolen is the time a virtual machine's CPUs were ready to run but the
// host ran something else: a shared machine's latencies move with it. DiskWaitPct is the
// share of the run in which some process waited on the disk (Linux's pressure stall
// counts, /proc/pressure/io; absent where the kernel does not keep them): a database
// that waits for the disk at every commit, as PostgreSQL does by default, holds its
// writers while a shared machine's disk stalls.
type MachineCPU struct {
	BusyPct     float64  `json:"busy_pct"`
	StolenPct   float64  `json:"stolen_pct"`
	DiskWaitPct *float64 `json:"disk_wait_pct,omitempty"`
}

// machineTicks is the kernel's CPU time counts: busy, idle (with I/O wait) and stolen;
// and the microseconds in which some process waited on the disk, when read (diskOK), at.
type machineTicks struct {
	busy, idle, steal uint64
	ok                bool
	diskWait          uint64
	diskOK            bool
	at                time.Time
}

// readDiskWait reads the total of /proc/pressure/io's "some" line, in microseconds.
func readDiskWait() (uint64, bool) {
	b, err := os.ReadFile("/proc/pressure/io")
	if err != nil {
		return 0, false
	}
	return parseDiskWait(string(b))
}

func parseDiskWait(pressure string) (uint64, bool) {
	for _, line := range strings.Split(pressure, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "some" {
			continue
		}
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(f, "total="); ok {
				n, err := strconv.ParseUint(v, 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}

func readMachineTicks() machineTicks {
	t := readCPUTicks()
	t.diskWait, t.diskOK = readDiskWait()
	t.at = time.Now()
	return t
}

func readCPUTicks() machineTicks {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return machineTicks{}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return machineTicks{}
	}
	// cpu  user nice system idle iowait irq softirq steal guest guest_nice
	fields := strings.Fields(sc.Text())
	if len(fields) < 9 || fields[0] != "cpu" {
		return machineTicks{}
	}
	var v [8]uint64
	for i := range v {
		n, err := strconv.ParseUint(fields[i+1], 10, 64)
		if err != nil {
			return machineTicks{}
		}
		v[i] = n
	}
	return machineTicks{busy: v[0] + v[1] + v[2] + v[5] + v[6], idle: v[3] + v[4], steal: v[7], ok: true}
}

// machineSince is how the CPUs were spent from start to now; nil where it cannot be read.
func machineSince(start machineTicks) *MachineCPU {
	end := readMachineTicks()
	if !start.ok || !end.ok {
		return nil
	}
	busy, idle, steal := end.busy-start.busy, end.idle-start.idle, end.steal-start.steal
	total := float64(busy + idle + steal)
	if total == 0 {
		return nil
	}
	m := &MachineCPU{BusyPct: 100 * float64(busy) / total, StolenPct: 100 * float64(steal) / total}
	if elapsed := end.at.Sub(start.at); start.diskOK && end.diskOK && elapsed > 0 {
		pct := min(100, 100*float64(end.diskWait-start.diskWait)/float64(elapsed.Microseconds()))
		m.DiskWaitPct = &pct
	}
	return m
}
