package kernel

import (
	"io"
	"testing"
)

// quietKernel is newTestKernel with warnings and notes discarded (repeated short Simulate calls
// warn about min_delay).
func quietKernel(t testing.TB, kernelStatus Params) *Kernel {
	t.Helper()
	k, err := New(Options{Log: io.Discard, Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	if kernelStatus != nil {
		if err := k.SetKernelStatus(kernelStatus); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// quietOptions are kernel options that discard warnings, notes and progress.
func quietOptions() Options { return Options{Log: io.Discard, Out: io.Discard} }
