//go:build !unix

package load

import "time"

// processCPU cannot be read here: the report leaves CPU time out.
func processCPU() (time.Duration, bool) { return 0, false }
