package kernel

import (
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/record"
)

// mmBinding is one multimeter connection: the neuron it samples on one VP, the recordables, the
// next step to sample, and the samples of the current slice, which the multimeter receives at the
// start of the next slice (NEST's double-buffered DataLoggingRequest), filtered by its window.
type mmBinding struct {
	dev   *device
	local int32
	gid   uint64
	rec   []int
	next  int64 // next step to sample; -1 before the first Prepare
	blk   *nblock
	j     int
	// the connection's synapse model, weight and packed delay (reported by GetConnections)
	syn int
	w   float64
	dr  uint32
	// pending samples: stamps and len(rec) values per stamp
	stamps []int64
	vals   []float64
}

// init sets the first sampling step at Prepare if the binding is new (or dormant): the first
// multiple of interval after now, or offset + k·interval.
func (m *mmBinding) init(g clock.Grid, now int64) {
	if m.next >= now {
		return
	}
	p := m.dev.params.(*models.MultimeterParams)
	iv := g.Steps(p.Interval)
	if p.Offset == 0 {
		m.next = (now/iv+1)*iv - 1
		return
	}
	m.next = g.Steps(p.Offset) - 1
	for m.next < now {
		m.next += iv
	}
}

// sample takes the sample of step s (stamped s+1).
func (m *mmBinding) sample(s int64) {
	m.stamps = append(m.stamps, s+1)
	for _, r := range m.rec {
		m.vals = append(m.vals, m.blk.b.Sample(r, m.j))
	}
	m.next += m.dev.ivSteps
}

// commitSamples hands the pending samples of every multimeter binding of st to its recorder
// instance, binding by binding in connection order.
func (k *Kernel) commitSamples(st *vpState) {
	for di, inst := range st.devs {
		if len(inst.mm) == 0 {
			continue
		}
		d := k.devices[di]
		ev := &st.event
		for _, m := range inst.mm {
			nv := len(m.rec)
			for i, stamp := range m.stamps {
				if stamp <= d.tMin || stamp > d.tMax {
					continue
				}
				inst.n++
				*ev = record.Event{Sender: m.gid, Stamp: stamp, Values: m.vals[i*nv : (i+1)*nv]}
				inst.backend.Write(ev)
			}
			m.stamps, m.vals = m.stamps[:0], m.vals[:0]
		}
	}
}
