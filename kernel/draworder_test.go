package kernel

import (
	"fmt"
	"testing"

	"github.com/nest-mpi/nest-mpi/connect"
)

// TestRandomDrawOrderIsFixed builds networks whose Create, SetStatus and Connect calls draw
// several random parameters per node or connection, 20 times with one seed, and requires the
// same values every time: draws follow the model's key order, never Go's map order.
func TestRandomDrawOrderIsFixed(t *testing.T) {
	cases := []struct {
		name  string
		build func(t *testing.T, k *Kernel) string
	}{
		{"Create", func(t *testing.T, k *Kernel) string {
			n := mustCreate(t, k, "iaf_psc_alpha", 20, Params{"V_m": connect.Normal(-65, 5), "I_e": connect.Uniform(0, 100), "C_m": connect.Uniform(200, 300)})
			return statusBytes(t, k, n, "V_m", "I_e", "C_m")
		}},
		{"SetStatus", func(t *testing.T, k *Kernel) string {
			n := mustCreate(t, k, "iaf_psc_exp", 20, nil)
			must(t, k.SetStatus(n, Params{"V_m": connect.Normal(-65, 5), "tau_m": connect.Uniform(5, 20), "E_L": connect.Uniform(-75, -65)}))
			return statusBytes(t, k, n, "V_m", "tau_m", "E_L")
		}},
		{"Connect", func(t *testing.T, k *Kernel) string {
			n := mustCreate(t, k, "iaf_psc_alpha", 10, nil)
			must(t, k.Connect(n, n, Params{"rule": "fixed_indegree", "indegree": 3}, Params{
				"synapse_model": "stdp_synapse", "lambda": connect.Uniform(0.01, 0.02), "alpha": connect.Uniform(0.5, 1.5),
				"mu_plus": connect.Uniform(0, 1), "weight": connect.Uniform(1, 2), "delay": connect.Uniform(1, 2)}))
			sc, err := k.GetConnections(ConnFilter{})
			must(t, err)
			cols, err := sc.Get("source", "target", "weight", "delay", "lambda", "alpha", "mu_plus")
			must(t, err)
			return fmt.Sprint(cols["source"], cols["target"], cols["weight"], cols["delay"], cols["lambda"], cols["alpha"], cols["mu_plus"])
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var first string
			for run := range 20 {
				k := quietKernel(t, Params{"rng_seed": 7, "local_num_threads": 2})
				got := c.build(t, k)
				k.Close()
				if run == 0 {
					first = got
				} else if got != first {
					t.Fatalf("run %d differs from run 0 with the same seed", run)
				}
			}
		})
	}
}

func statusBytes(t *testing.T, k *Kernel, n NodeCollection, keys ...string) string {
	t.Helper()
	st, err := k.GetStatus(n, keys...)
	must(t, err)
	out := ""
	for _, d := range st {
		for _, key := range keys {
			out += fmt.Sprintf("%v ", d[key])
		}
	}
	return out
}
