package kernel

import (
	"encoding/binary"
	"math"
	"sort"

	"github.com/nest-mpi/nest-mpi/comm"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// GatherEvents returns the events of a recorder merged over all threads and all ranks, sorted by
// time, then sender, then target: the same result for every split of the same number of virtual
// processes into ranks and threads. It is collective: every rank must call it, in the same order.
// The keys are those of the recorder's events (senders, times or times+offsets, the recorded
// variables, and for weight_recorder targets, weights, receptors, ports).
func (k *Kernel) GatherEvents(rec NodeCollection) (Params, error) {
	if err := k.valid(rec); err != nil {
		return nil, err
	}
	if rec.Len() != 1 {
		return nil, status.Errorf(status.BadParameter, "GatherEvents: give one recorder, got %d nodes", rec.Len())
	}
	d := k.deviceOf(rec.ids[0])
	if d == nil || !d.kind.IsRecorder() {
		return nil, status.Errorf(status.BadParameter, "GatherEvents: node %d is not a recorder", rec.ids[0])
	}
	rows := k.localRows(d)
	if k.comm.Size() > 1 {
		var err error
		if rows, err = k.allgatherRows(rows); err != nil {
			return nil, status.Errorf(status.InternalError, "GatherEvents: %v", err)
		}
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].less(rows[b]) })
	return k.rowsDict(d, rows), nil
}

// eventRow is one recorded event in a rank-neutral form.
type eventRow struct {
	stamp, sender, target, rport, port int64
	weight                             float64
	values                             []float64
}

func (r eventRow) less(o eventRow) bool {
	if r.stamp != o.stamp {
		return r.stamp < o.stamp
	}
	if r.sender != o.sender {
		return r.sender < o.sender
	}
	return r.target < o.target
}

func (k *Kernel) localRows(d *device) []eventRow {
	var rows []eventRow
	for _, st := range k.vps {
		ev := &st.devs[d.idx].mem
		for i, s := range ev.Senders {
			r := eventRow{stamp: ev.Stamps[i], sender: int64(s)}
			if ev.NVars > 0 {
				r.values = ev.Values[i*ev.NVars : (i+1)*ev.NVars]
			}
			if i < len(ev.Targets) {
				r.target, r.weight, r.rport, r.port = int64(ev.Targets[i]), ev.Weights[i], ev.Rports[i], ev.Ports[i]
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// allgatherRows exchanges the rows of all ranks: counts first, then the encoded rows.
func (k *Kernel) allgatherRows(rows []eventRow) ([]eventRow, error) {
	nv := 0
	if len(rows) > 0 {
		nv = len(rows[0].values)
	}
	size := 8 * (6 + nv)
	buf := make([]byte, 0, len(rows)*size)
	for _, r := range rows {
		for _, x := range []int64{r.stamp, r.sender, r.target, r.rport, r.port} {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(x))
		}
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(r.weight))
		for _, v := range r.values {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	p := k.comm.Size()
	counts := make([]int64, p)
	counts[k.comm.Rank()] = int64(len(buf))
	if err := k.comm.AllreduceInt64(counts, counts, comm.Sum); err != nil {
		return nil, err
	}
	var nvs = []int64{int64(nv)}
	if err := k.comm.AllreduceInt64(nvs, nvs, comm.Max); err != nil {
		return nil, err
	}
	nv, size = int(nvs[0]), 8*(6+int(nvs[0]))
	ic, displs := make([]int, p), make([]int, p)
	total := 0
	for r := range counts {
		ic[r], displs[r] = int(counts[r]), total
		total += int(counts[r])
	}
	all := make([]byte, total)
	if err := k.comm.Allgatherv(buf, all, ic, displs); err != nil {
		return nil, err
	}
	out := make([]eventRow, 0, total/max(size, 1))
	for off := 0; off+size <= len(all); off += size {
		u := func(i int) uint64 { return binary.LittleEndian.Uint64(all[off+8*i:]) }
		r := eventRow{stamp: int64(u(0)), sender: int64(u(1)), target: int64(u(2)), rport: int64(u(3)), port: int64(u(4)),
			weight: math.Float64frombits(u(5))}
		if nv > 0 {
			r.values = make([]float64, nv)
			for j := range r.values {
				r.values[j] = math.Float64frombits(u(6 + j))
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (k *Kernel) rowsDict(d *device, rows []eventRow) Params {
	senders := make([]int64, len(rows))
	times := make([]float64, len(rows))
	steps := make([]int64, len(rows))
	for i, r := range rows {
		senders[i], times[i], steps[i] = r.sender, k.grid.Ms(r.stamp), r.stamp
	}
	out := Params{"senders": senders}
	if recorderParams(d).TimeInSteps {
		out["times"], out["offsets"] = steps, make([]float64, len(rows))
	} else {
		out["times"] = times
	}
	if mp, ok := d.params.(*models.MultimeterParams); ok {
		for j, name := range mp.RecordFrom {
			col := make([]float64, len(rows))
			for i, r := range rows {
				if j < len(r.values) {
					col[i] = r.values[j]
				}
			}
			out[name] = col
		}
	}
	if d.kind == models.KindWeightRecorder {
		targets, rports, ports := make([]int64, len(rows)), make([]int64, len(rows)), make([]int64, len(rows))
		weights := make([]float64, len(rows))
		for i, r := range rows {
			targets[i], rports[i], ports[i], weights[i] = r.target, r.rport, r.port, r.weight
		}
		out["targets"], out["weights"], out["receptors"], out["ports"] = targets, weights, rports, ports
	}
	return out
}
