package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// Poisson input is random: check determinism for a seed and a plausible membrane potential.
func TestNoise(t *testing.T) {
	var out1, out2 bytes.Buffer
	a, err := run(&out1, 42)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run(&out2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.spikeTimes, b.spikeTimes) || out1.String() != out2.String() {
		t.Errorf("two runs with seed 42 differ:\n%s\n%s", out1.String(), out2.String())
	}
	if a.vmSamples != 999 {
		t.Errorf("%d V_m samples, want 999", a.vmSamples)
	}
	// The membrane potential stays between rest and threshold on average.
	if a.vmMean < -70 || a.vmMean > -55 {
		t.Errorf("mean V_m %v mV outside [-70, -55]", a.vmMean)
	}
	for i := 1; i < len(a.spikeTimes); i++ {
		if a.spikeTimes[i]-a.spikeTimes[i-1] < 2 {
			t.Errorf("spikes %v and %v closer than the refractory time", a.spikeTimes[i-1], a.spikeTimes[i])
		}
	}
	if !strings.Contains(out1.String(), "spikes") {
		t.Errorf("summary:\n%s", out1.String())
	}
}
