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
	var rj map[string]map[string]any
	if err := json.Unmarshal(data, &rj); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"timings", "timings_mean"} {
		for _, key := range kernel.PhaseTimerKeys() {
			if _, ok := rj[part][key].(float64); !ok {
				t.Errorf("run.json %s has no %s: %v", part, key, rj[part])
			}
		}
	}
}
