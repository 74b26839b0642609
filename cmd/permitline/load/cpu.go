package load

import "time"

// cpuSpan measures the CPU time this process uses over a span of work: in-process, the
// line and the simulated Twilio together, both sides of every request. CPU time a request
// varies far less than throughput from one run to the next on a shared machine, and it is
// what a CPU-bound run spends.
type cpuSpan struct {
	start, end time.Duration
	ok         bool
}

func startCPU() *cpuSpan {
	d, ok := processCPU()
	return &cpuSpan{start: d, ok: ok}
}

// stop ends the span.
func (c *cpuSpan) stop() {
	end, ok := processCPU()
	c.end, c.ok = end, c.ok && ok
}

// per is the span's CPU time divided among n operations; 0 when the CPU time could not
// be read.
func (c *cpuSpan) per(n int) Millis {
	if !c.ok || n <= 0 {
		return 0
	}
	return Millis((c.end - c.start) / time.Duration(n))
}
