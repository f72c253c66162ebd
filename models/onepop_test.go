package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// onePopulation describes a block whose Update has a one-population loop, for
// testOnePopulationPath: its model, the I_e that makes it fire, the spread of the random spike
// weights, and what to compare of a block (its state columns, refractory counts, and whether the
// loop's conditions held).
type onePopulation struct {
	model   NeuronModel
	iE      float64
	wSpread float64 // weights uniform on [-0.4, 0.6)·wSpread
	columns func(Block) [][]float64
	counts  func(Block) []int64
	used    func(Block) bool
}

// testOnePopulationPath: a population with one parameter set and no current inputs takes the
// block's one-population loop once its currents are idle; it must give what the general loop
// gives, bit for bit (the same block stepped with current rows that the kernel reports as
// written, but that stay zero), over 2,000 steps of random spike input that make the neurons
// fire and go refractory.
func testOnePopulationPath(t *testing.T, c onePopulation) {
	t.Helper()
	const n = 300
	m := c.model
	blocks := [2]Block{}
	steps := [2]Step{}
	for k := range blocks {
		b := m.NewBlock()
		b.Append(m, n)
		for i := range n {
			if err := b.Set(i, status.NewReader(status.Dict{"I_e": c.iE, "V_m": -70.0 + float64(i%15)}, m.Name())); err != nil {
				t.Fatal(err)
			}
		}
		b.Prepare(clock.NewGrid(0.1, 1000))
		blocks[k] = b
		steps[k] = Step{H: 0.1, Ex: make([]float64, n), In: make([]float64, n), I0: make([]float64, n), I1: make([]float64, n),
			CurrentsIdle: k == 1}
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	fired := 0
	for step := range 2000 {
		for range 40 {
			i, w := rnd.IntN(n), c.wSpread*(rnd.Float64()-0.4)
			for k := range steps {
				if w > 0 {
					steps[k].Ex[i] += w
				} else {
					steps[k].In[i] += w
				}
			}
		}
		for k := range blocks {
			steps[k].Spikes = steps[k].Spikes[:0]
			blocks[k].Update(&steps[k])
		}
		if !reflect.DeepEqual(steps[0].Spikes, steps[1].Spikes) || !reflect.DeepEqual(c.counts(blocks[0]), c.counts(blocks[1])) {
			t.Fatalf("%s step %d: spikes or refractory counts differ", m.Name(), step)
		}
		cols0, cols1 := c.columns(blocks[0]), c.columns(blocks[1])
		for j := range cols0 {
			for i := range n {
				if math.Float64bits(cols0[j][i]) != math.Float64bits(cols1[j][i]) {
					t.Fatalf("%s step %d, neuron %d: %v (general) != %v (one population)", m.Name(), step, i, cols0[j][i], cols1[j][i])
				}
			}
		}
		fired += len(steps[0].Spikes)
	}
	if !c.used(blocks[1]) || fired < 100 {
		t.Fatalf("%s: %d spikes, loop used %v: the one-population loop was not exercised", m.Name(), fired, c.used(blocks[1]))
	}
}
