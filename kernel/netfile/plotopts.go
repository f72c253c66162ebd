package netfile

import (
	"slices"

	"github.com/nest-mpi/nest-mpi/kernel/netfile/internal/plot"
)

// plotOptions are the options of every plot of a run: the time axis spans the simulated
// interval [biological time − simulated time, biological time], and the populations are the
// script's named node collections of consecutive ids (Create's "as"), ordered by first id.
func (r *Runner) plotOptions() plot.Options {
	end := r.k.Time()
	o := plot.Options{Start: max(0, end-r.simulatedMs), End: end}
	for name, nc := range r.names {
		ids := nc.IDs()
		if len(ids) == 0 || !slices.IsSorted(ids) || ids[len(ids)-1]-ids[0] != uint64(len(ids)-1) {
			continue // not one block of ids
		}
		o.Populations = append(o.Populations, plot.Population{Name: name, First: int64(ids[0]), Last: int64(ids[len(ids)-1])})
	}
	slices.SortFunc(o.Populations, func(a, b plot.Population) int {
		if a.First != b.First {
			return int(a.First - b.First)
		}
		return int(b.Last - a.Last)
	})
	return o
}
