package kernel

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// events are the events one recorder instance holds (memory backend), as parallel arrays.
type events struct {
	n       int64 // events recorded by every backend (n_events)
	senders []uint64
	targets []uint64
	stamps  []int64 // steps
	weights []float64
	rports  []int64
	ports   []int64
	values  []float64 // multimeter: nvars values per event
	nvars   int
}

func (e *events) clear() {
	e.n = 0
	e.senders, e.targets, e.stamps = e.senders[:0], e.targets[:0], e.stamps[:0]
	e.weights, e.rports, e.ports, e.values = e.weights[:0], e.rports[:0], e.ports[:0], e.values[:0]
}

func (k *Kernel) eventCount(d *device) int64 {
	var n int64
	for _, st := range k.vps {
		n += st.devs[d.idx].ev.n
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
		ev := &st.devs[d.idx].ev
		for i, s := range ev.senders {
			senders = append(senders, int64(s))
			if inSteps {
				steps = append(steps, ev.stamps[i])
				offsets = append(offsets, 0)
			} else {
				times = append(times, k.grid.Ms(ev.stamps[i]))
			}
			for j := range vals {
				vals[j] = append(vals[j], ev.values[i*ev.nvars+j])
			}
		}
		for i := range ev.targets {
			targets = append(targets, int64(ev.targets[i]))
			weights = append(weights, ev.weights[i])
			rports = append(rports, ev.rports[i])
			ports = append(ports, ev.ports[i])
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

// asciiFile is the output file of one recorder instance (NEST's ascii backend).
type asciiFile struct {
	f *os.File
	w *bufio.Writer
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

// openRecorderFiles opens the ascii files of every recorder that writes to ascii and has none.
func (k *Kernel) openRecorderFiles() error {
	for _, d := range k.devices {
		rp := recorderParams(d)
		if rp == nil || rp.RecordTo != "ascii" {
			continue
		}
		for _, st := range k.vps {
			inst := st.devs[d.idx]
			if inst.file != nil {
				continue
			}
			name := k.asciiName(d, st.vp)
			if _, err := os.Stat(name); err == nil && !k.overwrite {
				return status.Errorf(status.IOError, "%s: the file %s already exists and overwrite_files is false", d.model.name, name)
			}
			f, err := os.Create(name)
			if err != nil {
				return status.Errorf(status.IOError, "%s: cannot create %s: %v", d.model.name, name, err)
			}
			inst.file = &asciiFile{f: f, w: bufio.NewWriterSize(f, 1<<16)}
			writeASCIIHeader(inst.file.w, d, rp)
		}
	}
	return nil
}

func writeASCIIHeader(w io.Writer, d *device, rp *models.Recorder) {
	fmt.Fprintln(w, "# NEST version: 3.9 (nest-mpi)")
	fmt.Fprintln(w, "# RecordingBackendASCII version: 2")
	cols := "sender\ttime_ms"
	if rp.TimeInSteps {
		cols = "sender\ttime_step\ttime_offset"
	}
	switch p := d.params.(type) {
	case *models.MultimeterParams:
		for _, n := range p.RecordFrom {
			cols += "\t" + n
		}
	case *models.WeightRecorderParams:
		cols += "\tweights\ttargets\treceptors\tports"
	}
	fmt.Fprintln(w, cols)
}

// flushFiles writes buffered rows (at the end of every Simulate).
func (k *Kernel) flushFiles() error {
	for _, st := range k.vps {
		for _, inst := range st.devs {
			if inst.file != nil {
				if err := inst.file.w.Flush(); err != nil {
					return status.Errorf(status.IOError, "writing recorder file: %v", err)
				}
			}
		}
	}
	return nil
}

func (k *Kernel) closeFiles() {
	_ = k.flushFiles()
	for _, st := range k.vps {
		for _, inst := range st.devs {
			if inst.file != nil {
				inst.file.f.Close()
				inst.file = nil
			}
		}
	}
}

// row formats one event for the ascii and screen backends.
func (k *Kernel) appendRow(buf []byte, rp *models.Recorder, sender uint64, stamp int64, doubles []float64, longs []int64) []byte {
	buf = strconv.AppendUint(buf, sender, 10)
	buf = append(buf, '\t')
	if rp.TimeInSteps {
		buf = strconv.AppendInt(buf, stamp, 10)
		buf = append(buf, '\t')
		buf = strconv.AppendFloat(buf, 0, 'f', int(rp.Precision), 64) // the offset, as NEST prints it
	} else {
		buf = strconv.AppendFloat(buf, k.grid.Ms(stamp), 'f', int(rp.Precision), 64)
	}
	for _, v := range doubles {
		buf = append(buf, '\t')
		buf = strconv.AppendFloat(buf, v, 'f', int(rp.Precision), 64)
	}
	for _, v := range longs {
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, v, 10)
	}
	return append(buf, '\n')
}
