//go:build !unix

package owui

import "time"

// processCPU is not measured here: BenchmarkSetModelAccess reports 0.
func processCPU() time.Duration { return 0 }
