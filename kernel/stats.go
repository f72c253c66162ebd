package kernel

import (
	"math"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// RecorderSources returns how many neurons are connected to a spike recorder, over all ranks
// (collective: every rank must call it).
func (k *Kernel) RecorderSources(rec NodeCollection) (int64, error) {
	if err := k.valid(rec); err != nil {
		return 0, err
	}
	if rec.Len() != 1 {
		return 0, status.Errorf(status.BadParameter, "RecorderSources: give one recorder, got %d nodes", rec.Len())
	}
	d := k.deviceOf(rec.ids[0])
	if d == nil || d.kind != models.KindSpikeRecorder {
		return 0, status.Errorf(status.BadParameter, "RecorderSources: node %d is not a spike_recorder", rec.ids[0])
	}
	n := []int64{0}
	for _, st := range k.vps {
		for _, p := range st.recConns {
			if int(p.dev) == d.idx {
				n[0]++
			}
		}
	}
	if err := k.comm.AllreduceInt64(n, n, comm.Sum); err != nil {
		return 0, status.Errorf(status.InternalError, "RecorderSources: %v", err)
	}
	return n[0], nil
}

// WeightStat summarises the weights of one synapse model over all ranks.
type WeightStat struct {
	Model    string
	N        int64
	Mean, SD float64
}

// WeightSummary returns, for every plastic synapse model that has connections, the number of
// connections and the mean and standard deviation of their weights over all ranks (collective).
func (k *Kernel) WeightSummary() ([]WeightStat, error) {
	n := make([]int64, len(k.syns))
	sums := make([]float64, 2*len(k.syns))
	for _, st := range k.vps {
		for _, c := range st.stores {
			if c == nil || c.st == nil {
				continue
			}
			n[c.syn.id] += int64(c.len())
			for j := range c.w.len() {
				w := c.w.at(j)
				sums[2*c.syn.id] += w
				sums[2*c.syn.id+1] += w * w
			}
		}
	}
	if err := k.comm.AllreduceInt64(n, n, comm.Sum); err != nil {
		return nil, status.Errorf(status.InternalError, "WeightSummary: %v", err)
	}
	if err := k.comm.AllreduceFloat64(sums, sums, comm.Sum); err != nil {
		return nil, status.Errorf(status.InternalError, "WeightSummary: %v", err)
	}
	var out []WeightStat
	for id, s := range k.syns {
		if n[id] == 0 {
			continue
		}
		mean := sums[2*id] / float64(n[id])
		v := math.Max(0, sums[2*id+1]/float64(n[id])-mean*mean)
		out = append(out, WeightStat{Model: s.m.Name(), N: n[id], Mean: mean, SD: math.Sqrt(v)})
	}
	return out, nil
}
