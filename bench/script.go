package bench

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

// Script is a network file under construction: the kernel block and the calls, in order, each a
// one-key object named as in PyNEST (spec-format). The benchmark command and `nest-mpi run` both
// execute it through package netfile, so a benchmark is exactly the network file it writes.
type Script struct {
	Comment string
	Kernel  map[string]any
	Calls   []map[string]any
}

// add appends the call name with value v.
func (s *Script) add(name string, v any) { s.Calls = append(s.Calls, map[string]any{name: v}) }

// JSON is the network file of s.
func (s *Script) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(map[string]any{"comment": s.Comment, "kernel": s.Kernel, "script": s.Calls}, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encoding the network file: %w", err)
	}
	return append(b, '\n'), nil
}

// File parses the network file of s, as `nest-mpi run` would read it.
func (s *Script) File() (*netfile.File, error) {
	b, err := s.JSON()
	if err != nil {
		return nil, err
	}
	f, err := netfile.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parsing the generated network file: %w", err)
	}
	return f, nil
}

// normal is NEST's nest.random.normal(mean, std), redrawn into [lo, hi] (an infinite bound is
// left out) as nest.math.redraw does.
func normal(mean, std, lo, hi float64) map[string]any {
	d := map[string]any{"distribution": "normal", "mean": mean, "std": std}
	bounds := map[string]any{}
	if !math.IsInf(lo, 0) {
		bounds["min"] = lo
	}
	if !math.IsInf(hi, 0) {
		bounds["max"] = hi
	}
	if len(bounds) > 0 {
		d["redraw"] = bounds
	}
	return d
}

// Benchmark is a benchmark network: its name and its network file for a given configuration.
type Benchmark interface {
	// Script is the network file, with threads local threads per rank and the seed.
	Script(threads int, seed int64) *Script
	// SimulatedMs is the biological time the script simulates in total.
	SimulatedMs() float64
}

// Options select a benchmark network's size and variant.
type Options struct {
	Scale   float64 // network size relative to the published network (1: full size)
	Plastic bool    // plastic excitatory synapses where the benchmark defines them
	// KScaling scales the microcircuit's in-degrees (0: 1, the full in-degrees)
	KScaling float64
}

// Lookup returns the benchmark network called name (hpc_benchmark, microcircuit, brunel).
func Lookup(name string, o Options) (Benchmark, error) {
	if o.Scale <= 0 || math.IsNaN(o.Scale) || math.IsInf(o.Scale, 0) {
		return nil, fmt.Errorf("scale must be positive and finite, got %g", o.Scale)
	}
	switch name {
	case "hpc_benchmark":
		return HPCBenchmark{Scale: o.Scale, Plastic: o.Plastic, Record: 1000, PresimMs: 50, SimMs: 250}, nil
	case "microcircuit":
		m := DefaultMicrocircuit()
		m.NScaling = o.Scale
		if o.KScaling > 0 {
			m.KScaling = o.KScaling
		}
		return m, nil
	case "brunel":
		b := DefaultBrunel()
		b.NI = max(1, int(math.Round(float64(b.NI)*o.Scale)))
		b.STDP = o.Plastic
		return BrunelFile{Brunel: b, SimMs: 1000}, nil
	}
	return nil, fmt.Errorf("unknown benchmark network %q (hpc_benchmark, microcircuit, brunel)", name)
}

// Names lists the benchmark networks.
func Names() []string { return []string{"hpc_benchmark", "microcircuit", "brunel"} }

// WithoutRecorders is s without its spike recorders and the connections into them (a dry run
// measures the network; the events of mirrored ranks would be copies).
func (s *Script) WithoutRecorders() *Script {
	out := &Script{Comment: s.Comment, Kernel: s.Kernel}
	dropped := map[string]bool{}
	for _, c := range s.Calls {
		if v, ok := c["Create"].(map[string]any); ok && v["model"] == "spike_recorder" {
			if name, ok := v["as"].(string); ok {
				dropped[name] = true
			}
			continue
		}
		if v, ok := c["Connect"].(map[string]any); ok {
			if post, ok := v["post"].(string); ok && dropped[post] {
				continue
			}
		}
		out.Calls = append(out.Calls, c)
	}
	return out
}
