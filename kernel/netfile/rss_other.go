//go:build !linux

package netfile

// peakRSS is unknown on this system.
func peakRSS() int64 { return 0 }
