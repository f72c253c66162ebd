package netfile

import (
	"encoding/json"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel"
)

// run.json carries every phase timer under NEST's name in "timings" and in "timings_mean".
func TestRunJSONPhaseTimers(t *testing.T) {
	sink, _ := mustRun(t, `{"script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 10, "params": {"I_e": 400.0}, "as": "n"}},
		{"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 3}}},
		{"Simulate": 50.0}]}`, Options{})
	data, _ := sink.File("run.json")
	var rj struct {
		Timings     map[string]any `json:"timings"`
		TimingsMean map[string]any `json:"timings_mean"`
	}
	if err := json.Unmarshal(data, &rj); err != nil {
		t.Fatal(err)
	}
	for part, m := range map[string]map[string]any{"timings": rj.Timings, "timings_mean": rj.TimingsMean} {
		for _, key := range kernel.PhaseTimerKeys() {
			if _, ok := m[key].(float64); !ok {
				t.Errorf("run.json %s has no %s: %v", part, key, m)
			}
		}
	}
}
