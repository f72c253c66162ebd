package kernel

import "testing"

// Every phase timer is a kernel status key, in seconds, reset by ResetKernel; after a Simulate of
// a connected network the phases that ran have been measured.
func TestPhaseTimersAreKernelStatus(t *testing.T) {
	k := quietKernel(t, nil)
	n, err := k.Create("iaf_psc_alpha", 20, Params{"I_e": 500.0})
	must(t, err)
	must(t, k.Connect(n, n, Params{"rule": "fixed_indegree", "indegree": 5}, nil))
	must(t, k.Simulate(20))
	ks, err := k.GetKernelStatus(PhaseTimerKeys()...)
	must(t, err)
	for _, key := range []string{"time_construction_create", "time_construction_connect", "time_communicate_prepare", "time_simulate", "time_update"} {
		if v, ok := ks[key].(float64); !ok || v <= 0 {
			t.Errorf("%s = %v after a run, want a positive number of seconds", key, ks[key])
		}
	}
	k.ResetKernel()
	ks, err = k.GetKernelStatus(PhaseTimerKeys()...)
	must(t, err)
	for key, v := range ks {
		if v.(float64) != 0 {
			t.Errorf("%s = %v after ResetKernel, want 0", key, v)
		}
	}
}
