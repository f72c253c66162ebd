package main

import "testing"

// TestRunShort runs the balanced network for 50 ms: it must spike, keep the excitatory weights
// within [0, Wmax] and report weight_recorder events.
func TestRunShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 630,000 connections")
	}
	r, err := Run(1, 50)
	if err != nil {
		t.Fatal(err)
	}
	if r.Spikes == 0 || r.RateE <= 0 || r.RateI <= 0 {
		t.Errorf("no activity: %+v", r)
	}
	if r.WMean <= 0 || r.WMean > 2 || r.WStd < 0 {
		t.Errorf("excitatory weights mean %v sd %v outside [0, Wmax 2]", r.WMean, r.WStd)
	}
	if r.WREvents == 0 {
		t.Error("the weight_recorder recorded nothing")
	}
}
