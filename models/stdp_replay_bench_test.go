package models_test

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/clock"
)

// eiSpike is one spike of the E/I network's raster.
type eiSpike struct {
	gid  int
	step int64
}

// eiRaster runs examples/ei_network.json and returns its spikes in time order.
func eiRaster(b *testing.B) []eiSpike {
	f, err := netfile.ReadFile("../examples/ei_network.json")
	if err != nil {
		b.Fatal(err)
	}
	sink := &netfile.MemSink{}
	if _, err := netfile.Run(f, netfile.Options{Threads: 2, Sink: sink, Quiet: true}); err != nil {
		b.Fatal(err)
	}
	data, ok := sink.File("spikes.csv")
	if !ok {
		b.Fatal("no spikes.csv")
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var out []eiSpike
	for _, r := range rows[1:] {
		gid, _ := strconv.Atoi(r[0])
		t, _ := strconv.ParseFloat(r[1], 64)
		out = append(out, eiSpike{gid, clock.Default.Steps(t)})
	}
	slices.SortStableFunc(out, func(a, b eiSpike) int { return int(a.step - b.step) })
	return out
}

// BenchmarkStdpReplayEI replays the spikes of the E/I network (examples/ei_network.json: 2,000
// excitatory and 500 inhibitory neurons, 1 s) through the plastic connections of one of its two
// virtual processes (the 1,250 even neurons, each with 200 stdp_synapse_hom connections from
// random excitatory neurons, delay 1 ms), as the kernel calls them: per 1 ms slice, the slice's
// spikes of the VP's neurons go into the archive, then every excitatory spike of the slice is
// sent. It reports the cost per plastic synaptic event, which is the E/I network's hot loop
// without the rest of the kernel.
func BenchmarkStdpReplayEI(b *testing.B) {
	raster := eiRaster(b)
	const nE, nAll, inDeg, delaySteps = 2000, 2500, 200, 10
	grid := clock.Default
	dMs := grid.Ms(delaySteps)
	local := slices.Repeat([]int{-1}, nAll+1) // gid → VP-local index (even gids), −1 elsewhere
	nLocal := 0
	for g := 2; g <= nAll; g += 2 {
		local[g], nLocal = nLocal, nLocal+1
	}
	r := rand.New(rand.NewPCG(1, 2))
	bySource := make([][]uint32, nE+1)
	for g := 2; g <= nAll; g += 2 {
		for range inDeg {
			s := 1 + r.IntN(nE)
			bySource[s] = append(bySource[s], uint32(local[g]))
		}
	}
	var first []int
	var tgt []uint32
	for s := range bySource {
		first = append(first, len(tgt))
		tgt = append(tgt, bySource[s]...)
	}
	first = append(first, len(tgt))
	events := 0
	for _, sp := range raster {
		if sp.gid <= nE {
			events += first[sp.gid+1] - first[sp.gid]
		}
	}
	m := models.NewStdpSynapseHom().(*models.StdpSynapse)
	m.Stdp.Wmax = 2
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		var arch models.Archive
		arch.Grow(nLocal, models.DefaultArchParams)
		for _, t := range tgt {
			arch.Register(int(t), dMs, 1)
		}
		st := m.NewState()
		vals := make([]float64, len(m.ConnKeys()))
		m.ConnDefaults(vals)
		for range tgt {
			if err := st.Add(vals, 1); err != nil {
				b.Fatal(err)
			}
		}
		srcPos := make([]int, len(first)) // gid → position among the sources with connections
		starts := make([]uint32, 0, len(first))
		for s, f := range first[:len(first)-1] {
			srcPos[s] = len(starts)
			if first[s+1] > f {
				starts = append(starts, uint32(f))
			}
		}
		starts = append(starts, uint32(len(tgt)))
		if sa, ok := st.(models.SourceAware); ok && sa.WantSources() {
			sa.Sources(starts)
		}
		w := slices.Repeat([]float64{1}, len(tgt))
		out := make([]float64, 1000)
		dr0 := models.PackDR(delaySteps, models.ChanSpike, 0)
		b.StartTimer()
		replay(raster, local, first, nE, func(sp eiSpike) {
			bt := models.SendBatch{T: grid.Ms(sp.step), First: first[sp.gid], Last: first[sp.gid+1], Source: srcPos[sp.gid], W: w, Tgt: tgt, DR0: dr0, Out: out, Grid: grid, Arch: &arch}
			st.Send(&bt)
		}, func(i int, step int64) { arch.RecordSpike(i, grid.Ms(step), dMs) })
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(events), "ns/event")
}

// replay walks the raster in 1 ms slices of 10 steps: first each spike of a local neuron is
// recorded, then each excitatory spike is sent.
func replay(raster []eiSpike, local []int, first []int, nE int, send func(eiSpike), record func(int, int64)) {
	for lo := 0; lo < len(raster); {
		slice := raster[lo].step / 10
		hi := lo
		for hi < len(raster) && raster[hi].step/10 == slice {
			hi++
		}
		for _, sp := range raster[lo:hi] {
			if i := local[sp.gid]; i >= 0 {
				record(i, sp.step)
			}
		}
		for _, sp := range raster[lo:hi] {
			if sp.gid <= nE && first[sp.gid+1] > first[sp.gid] {
				send(sp)
			}
		}
		lo = hi
	}
}
