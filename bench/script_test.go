package bench

import (
	"math"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

func TestLambertWm1(t *testing.T) {
	for _, w := range []float64{-1.0001, -1.5, -2, -5, -20} {
		x := w * math.Exp(w)
		if got := lambertWm1(x); math.Abs(got-w) > 1e-9*math.Abs(w) {
			t.Errorf("W-1(%g) = %.12g, want %g", x, got, w)
		}
	}
}

// The weights the examples derive, checked against a direct integration of the membrane equation
// (Euler, 0.1 µs steps): hpc_benchmark's J_E and the microcircuit's 87.8 pA.
func TestUnitWeights(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"hpc J_E (pA for 0.14 mV)", 0.14 * alphaPSCPerPSP(10, hpcTauSyn, 250), 45.61},
		{"microcircuit w (pA for 0.15 mV)", 0.15 * expPSCPerPSP(250, 10, 0.5), 87.81},
	} {
		if math.Abs(c.got-c.want) > 0.01*c.want {
			t.Errorf("%s = %.4f, want about %g", c.name, c.got, c.want)
		}
	}
}

// The microcircuit at full scale has the example's 299 million synapses.
func TestMicrocircuitSynapses(t *testing.T) {
	k := DefaultMicrocircuit().Synapses()
	total := 0
	for i := range k {
		for j := range k[i] {
			total += k[i][j]
		}
	}
	if total < 298e6 || total > 300e6 {
		t.Errorf("total synapses %d, want about 299 million", total)
	}
}

// Every benchmark's generated network file parses and, at a small scale, runs.
func TestBenchmarkFilesRun(t *testing.T) {
	for _, c := range []struct {
		name  string
		scale float64
	}{{"hpc_benchmark", 0.02}, {"microcircuit", 0.01}, {"brunel", 0.05}} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Lookup(c.name, Options{Scale: c.scale})
			if err != nil {
				t.Fatal(err)
			}
			if hb, ok := b.(HPCBenchmark); ok { // in-degrees 9000 need a short run at this size
				hb.PresimMs, hb.SimMs = 5, 10
				b = hb
			}
			if m, ok := b.(Microcircuit); ok {
				m.PresimMs, m.SimMs = 5, 10
				b = m
			}
			if bf, ok := b.(BrunelFile); ok {
				bf.SimMs = 20
				b = bf
			}
			f, err := b.Script(1, 12).File()
			if err != nil {
				t.Fatal(err)
			}
			res, err := netfile.Run(f, netfile.Options{Quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Connections == 0 || res.SimulatedMs != b.SimulatedMs() {
				t.Errorf("%d connections, %g ms simulated", res.Connections, res.SimulatedMs)
			}
		})
	}
}
