package estimate

import (
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

func estimateOf(t *testing.T, src string, o Options) *Estimate {
	t.Helper()
	f, err := netfile.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Of(f, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRuleCounts: the connections of every rule are known from the specs.
func TestRuleCounts(t *testing.T) {
	create := `{"Create": {"model": "iaf_psc_alpha", "n": 100, "as": "a"}}, {"Create": {"model": "iaf_psc_delta", "n": 40, "as": "b"}}`
	cases := []struct {
		name, connect string
		want          int64
	}{
		{"all_to_all", `{"pre": "a", "post": "b"}`, 4000},
		{"one_to_one", `{"pre": "b", "post": "a[0:40]", "conn_spec": "one_to_one"}`, 40},
		{"fixed_indegree", `{"pre": "a", "post": "b", "conn_spec": {"rule": "fixed_indegree", "indegree": 7}}`, 280},
		{"fixed_outdegree", `{"pre": "a", "post": "b", "conn_spec": {"rule": "fixed_outdegree", "outdegree": 3}}`, 300},
		{"fixed_total_number", `{"pre": "a", "post": "b", "conn_spec": {"rule": "fixed_total_number", "N": 1234}}`, 1234},
		{"pairwise_bernoulli", `{"pre": "a", "post": "b", "conn_spec": {"rule": "pairwise_bernoulli", "p": 0.1}}`, 400},
		{"id arrays", `{"pre": {"ids": [1, 2, 3]}, "post": {"ids": [101, 102, 103]}}`, 3},
		{"name list and slice", `{"pre": ["a[::2]", "b"], "post": "b[10:20]"}`, 900},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := estimateOf(t, `{"script": [`+create+`, {"Connect": `+c.connect+`}]}`, Options{})
			if e.Connections != c.want || e.Nodes != 140 || e.Neurons != 140 {
				t.Errorf("connections %d, nodes %d, neurons %d; want %d, 140, 140", e.Connections, e.Nodes, e.Neurons, c.want)
			}
		})
	}
}

// TestMemoryParts: connections are priced by their model's size, split over ranks, and the
// delays size the ring buffers.
func TestMemoryParts(t *testing.T) {
	src := `{"script": [{"CopyModel": {"old": "stdp_synapse", "new": "e"}},
		{"Create": {"model": "iaf_psc_alpha", "n": 1000, "as": "a"}},
		{"Connect": {"pre": "a", "post": "a", "conn_spec": {"rule": "fixed_indegree", "indegree": 100}, "syn_spec": {"synapse_model": "e", "delay": 2.0}}},
		{"Connect": {"pre": "a", "post": "a", "conn_spec": {"rule": "fixed_indegree", "indegree": 100}, "syn_spec": {"delay": 0.5}}},
		{"Simulate": 100.0}]}`
	one := estimateOf(t, src, Options{})
	two := estimateOf(t, src, Options{Ranks: 2})
	if one.BySynapse["e"] != 100000 || one.BySynapse["static_synapse"] != 100000 {
		t.Errorf("by synapse model: %v", one.BySynapse)
	}
	if one.MinDelayMs != 0.5 || one.MaxDelayMs != 2.0 {
		t.Errorf("delays %g..%g, want 0.5..2", one.MinDelayMs, one.MaxDelayMs)
	}
	if got := one.Memory.RingBuffers; got != 1000*25*ringBuffers*8 {
		t.Errorf("ring buffers %d bytes", got)
	}
	if one.Memory.Connections <= 100000*16*2 || two.Memory.Connections*2 != one.Memory.Connections {
		t.Errorf("connection bytes: 1 rank %d, 2 ranks %d", one.Memory.Connections, two.Memory.Connections)
	}
	if mpi := estimateOf(t, src, Options{MPI: true}); two.Memory.PeakRSS >= mpi.Memory.PeakRSS || one.Memory.PeakRSS <= one.Memory.Connections {
		t.Errorf("peaks: 1 rank %d, 2 ranks %d", one.Memory.PeakRSS, two.Memory.PeakRSS)
	}
	if mpi := estimateOf(t, src, Options{MPI: true}); mpi.Memory.PeakRSS <= one.Memory.PeakRSS {
		t.Errorf("the MPI build's base is not counted")
	}
	if s := strings.Join(one.Summary(), "\n"); !strings.Contains(s, "peak resident memory") {
		t.Errorf("summary: %s", s)
	}
}
