package bench

import (
	"testing"
	"time"

	"github.com/nest-mpi/nest-mpi/kernel"
)

// runBrunel builds b on a fresh kernel, simulates t ms and reports the real-time factor and the
// ns per synaptic event (spikes × in-network out-degree; Poisson input not counted).
func runBrunel(tb testing.TB, b Brunel, t float64) (rtf, nsPerEvent float64) {
	k, err := kernel.New(kernel.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer k.Close()
	net, err := b.Build(k)
	if err != nil {
		tb.Fatal(err)
	}
	if err := k.Simulate(10); err != nil { // warm-up: sort connections, size buffers
		tb.Fatal(err)
	}
	before, _ := k.GetKernelStatus("local_spike_counter")
	start := time.Now()
	if err := k.Simulate(t); err != nil {
		tb.Fatal(err)
	}
	wall := time.Since(start)
	after, _ := k.GetKernelStatus("local_spike_counter")
	spikes := after["local_spike_counter"].(int64) - before["local_spike_counter"].(int64)
	events := float64(spikes) * float64(net.SynapsesPerSpike)
	return wall.Seconds() / (t / 1000), float64(wall.Nanoseconds()) / max(events, 1)
}

func BenchmarkBrunel(b *testing.B) {
	for _, c := range []struct {
		name string
		stdp bool
	}{{"static", false}, {"stdp", true}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := DefaultBrunel()
			cfg.NI, cfg.STDP = 1000, c.stdp
			var rtf, ns float64
			for range b.N {
				rtf, ns = runBrunel(b, cfg, 200)
			}
			b.ReportMetric(rtf, "rtf")
			b.ReportMetric(ns, "ns/event")
		})
	}
}

func TestBrunelRuns(t *testing.T) {
	cfg := DefaultBrunel()
	cfg.NI, cfg.Record = 250, 100
	k, err := kernel.New(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	net, err := cfg.Build(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Simulate(200); err != nil {
		t.Fatal(err)
	}
	st, err := k.GetStatus(net.Recorder, "n_events")
	if err != nil {
		t.Fatal(err)
	}
	// Brunel's asynchronous irregular state at g=5, eta=2 fires at roughly 20-40 Hz.
	rate := float64(st[0]["n_events"].(int64)) / 100 / 0.2
	if rate < 5 || rate > 100 {
		t.Errorf("mean rate %.1f Hz is far from the asynchronous irregular regime", rate)
	}
}
