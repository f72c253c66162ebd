package kernel

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/models/status"
)

func (k *Kernel) eventCount(d *device) int64 {
	var n int64
	for _, st := range k.vps {
		n += st.devs[d.idx].n
	}
	return n
}

// eventsDict merges the events of all local instances of a recorder, thread by thread (as NEST's
// memory backend does; not sorted by time across threads).
func (k *Kernel) eventsDict(d *device) Params {
	var senders, targets, rports, ports, steps []int64
	var times, weights, offsets []float64
	var names []string
	var vals [][]float64
	inSteps := recorderParams(d).TimeInSteps
	if mp, ok := d.params.(*models.MultimeterParams); ok {
		names = mp.RecordFrom
		vals = make([][]float64, len(names))
	}
	for _, st := range k.vps {
		ev := &st.devs[d.idx].mem
		for i, s := range ev.Senders {
			senders = append(senders, int64(s))
			if inSteps {
				steps = append(steps, ev.Stamps[i])
				offsets = append(offsets, 0)
			} else {
				times = append(times, k.grid.Ms(ev.Stamps[i]))
			}
			for j := range vals {
				vals[j] = append(vals[j], ev.Values[i*ev.NVars+j])
			}
		}
		for i := range ev.Targets {
			targets = append(targets, int64(ev.Targets[i]))
			weights = append(weights, ev.Weights[i])
			rports = append(rports, ev.Rports[i])
			ports = append(ports, ev.Ports[i])
		}
	}
	out := Params{"senders": nonNil(senders)}
	if inSteps {
		out["times"], out["offsets"] = nonNil(steps), nonNil(offsets)
	} else {
		out["times"] = nonNil(times)
	}
	for j, name := range names {
		out[name] = nonNil(vals[j])
	}
	if d.kind == models.KindWeightRecorder {
		out["targets"], out["weights"] = nonNil(targets), nonNil(weights)
		out["receptors"], out["ports"] = nonNil(rports), nonNil(ports)
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func recorderParams(d *device) *models.Recorder {
	switch p := d.params.(type) {
	case *models.SpikeRecorderParams:
		return &p.Recorder
	case *models.MultimeterParams:
		return &p.Recorder
	case *models.WeightRecorderParams:
		return &p.Recorder
	}
	return nil
}

// asciiName is NEST's file name: data_path/data_prefix + (label or model) + "-" + node id padded
// to the digits of network_size + "-" + vp padded to the digits of the VP count + ".dat".
func (k *Kernel) asciiName(d *device, vpID int) string {
	label := recorderParams(d).Label
	if label == "" {
		label = d.model.name
	}
	nd := len(strconv.Itoa(len(k.nodes) - 1))
	nv := len(strconv.Itoa(k.layout.NumVPs()))
	name := fmt.Sprintf("%s%s-%0*d-%0*d.dat", k.dataPrefix, label, nd, d.gid, nv, vpID)
	return filepath.Join(k.dataPath, name)
}

// enrollRecorders gives every recorder instance the backend its record_to names (a new one when
// record_to changed) and prepares it.
func (k *Kernel) enrollRecorders() error {
	for _, d := range k.devices {
		rp := recorderParams(d)
		if rp == nil {
			continue
		}
		for _, st := range k.vps {
			inst := st.devs[d.idx]
			if inst.backend == nil || inst.backendName != rp.RecordTo {
				if err := k.enroll(d, st, inst, rp); err != nil {
					return err
				}
			}
			if err := inst.backend.Prepare(record.Settings{File: k.asciiName(d, st.vp), Overwrite: k.overwrite}); err != nil {
				return err
			}
		}
	}
	return nil
}

// enroll makes the backend of one recorder instance.
func (k *Kernel) enroll(d *device, st *vpState, inst *devInst, rp *models.Recorder) error {
	if inst.backend != nil {
		if err := inst.backend.Close(); err != nil {
			return err
		}
	}
	factory, ok := k.backends[rp.RecordTo]
	if !ok {
		return status.Errorf(status.BadProperty, "%s: unknown recording backend %q; known: %v", d.model.name, rp.RecordTo, models.RecordBackends)
	}
	e := record.Enrollment{Model: d.model.name, Kind: recordKind(d), Grid: k.grid, TimeInSteps: rp.TimeInSteps,
		Precision: int(rp.Precision), Screen: &st.screen, Memory: &inst.mem}
	if mp, ok := d.params.(*models.MultimeterParams); ok {
		e.Vars = mp.RecordFrom
	}
	b, err := factory(e)
	if err != nil {
		return err
	}
	inst.backend, inst.backendName = b, rp.RecordTo
	return nil
}

// recordKind is the record.Kind of a recorder device.
func recordKind(d *device) record.Kind {
	switch d.kind {
	case models.KindMultimeter:
		return record.Samples
	case models.KindWeightRecorder:
		return record.Weights
	}
	return record.Spikes
}

// flushFiles writes buffered output of every backend (at the end of every Simulate).
func (k *Kernel) flushFiles() error {
	for _, st := range k.vps {
		for _, inst := range st.devs {
			if inst.backend != nil {
				if err := inst.backend.Flush(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// closeFiles closes every backend.
func (k *Kernel) closeFiles() {
	for _, st := range k.vps {
		for _, inst := range st.devs {
			if inst.backend != nil {
				_ = inst.backend.Close()
				inst.backend = nil
			}
		}
	}
}
