package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// The tutorial's numbers (NEST 3.9): 16 spikes, at 59.3 ms and then every 61.3 ms; multimeter
// samples at 1, 2, ..., 999 ms.
func TestOneNeuron(t *testing.T) {
	var out bytes.Buffer
	res, err := run(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.spikeTimes) != 16 {
		t.Fatalf("%d spikes, want 16", len(res.spikeTimes))
	}
	for i, got := range res.spikeTimes {
		want := 59.3 + 61.3*float64(i)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("spike %d at %v ms, want %v", i, got, want)
		}
	}
	if len(res.vm) != 999 || res.vmTimes[0] != 1 || res.vmTimes[998] != 999 {
		t.Errorf("V_m: %d samples from %v to %v, want 999 from 1 to 999", len(res.vm), res.vmTimes[0], res.vmTimes[len(res.vmTimes)-1])
	}
	if !strings.Contains(out.String(), "16 spikes") || !strings.Contains(out.String(), "59.3, 120.6") {
		t.Errorf("summary:\n%s", out.String())
	}
}
