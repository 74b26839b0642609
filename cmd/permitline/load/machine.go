package load

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// MachineCPU is how the machine's CPUs were spent over a run, from the kernel's counts
// (Linux's /proc/stat): every process on it, the line's nodes and its database too when
// they share it. Stolen is the time a virtual machine's CPUs were ready to run but the
// host ran something else: a shared machine's latencies move with it.
type MachineCPU struct {
	BusyPct   float64 `json:"busy_pct"`
	StolenPct float64 `json:"stolen_pct"`
}

// machineTicks is the kernel's CPU time counts: busy, idle (with I/O wait) and stolen.
type machineTicks struct {
	busy, idle, steal uint64
	ok                bool
}

func readMachineTicks() machineTicks {
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
	return &MachineCPU{BusyPct: 100 * float64(busy) / total, StolenPct: 100 * float64(steal) / total}
}
