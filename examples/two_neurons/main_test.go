package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// The tutorial's numbers (NEST 3.9): neuron1 fires 16 times from 59.3 ms, neuron2 never; V_m of
// neuron2 peaks at -69.739232 mV.
func TestTwoNeurons(t *testing.T) {
	var out bytes.Buffer
	res, err := run(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.spikes1) != 16 || math.Abs(res.spikes1[0]-59.3) > 1e-9 {
		t.Errorf("neuron1: %d spikes, first %v; want 16 from 59.3", len(res.spikes1), res.spikes1)
	}
	if len(res.spikes2) != 0 {
		t.Errorf("neuron2 fired %d times, want never", len(res.spikes2))
	}
	if res.vm2Samples != 9990 {
		t.Errorf("%d V_m samples, want 9990", res.vm2Samples)
	}
	if math.Abs(res.vm2Peak-(-69.739232)) > 1e-6 {
		t.Errorf("V_m peak %v, want -69.739232", res.vm2Peak)
	}
	if !strings.Contains(out.String(), "16 spikes") {
		t.Errorf("summary:\n%s", out.String())
	}
}
