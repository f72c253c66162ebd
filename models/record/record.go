// Package record owns the recording backends of nest-mpi (NEST's RecordingBackend): where the
// events of a recorder go. A backend is enrolled once per recorder instance (one recorder on one
// virtual process), prepared at every Prepare, written to once per event, flushed at the end of
// every run and closed with the kernel. The kernel never asks which backend it talks to.
//
// memory keeps the events as arrays (Events), ascii writes NEST's .dat files (one per recorder and
// virtual process, tab-separated, the columns NEST writes), screen formats the same rows into the
// virtual process's screen buffer, which the kernel prints after every slice. Adding a backend is
// one file with a Factory and one line in Builtin.
package record

import (
	"strconv"

	"github.com/nest-mpi/nest-mpi/models/clock"
)

// Kind is the kind of recorder, which fixes an event's fields and a file's columns.
type Kind uint8

// The recorder kinds.
const (
	Spikes  Kind = iota // sender, time
	Samples             // sender, time, one value per recorded variable
	Weights             // sender, target, time, weight, receptor, port
)

// Event is one recorded event. Values holds the recorded variables (Samples) or the weight
// (Weights, one value).
type Event struct {
	Sender, Target uint64
	Stamp          int64 // steps
	Values         []float64
	Rport, Port    int64
}

// Enrollment is what a backend learns about the recorder instance it serves.
type Enrollment struct {
	Model string
	Kind  Kind
	// Vars names the recorded variables of a multimeter.
	Vars []string
	Grid clock.Grid
	// TimeInSteps, Precision: the recorder's time_in_steps and precision.
	TimeInSteps bool
	Precision   int
	// Screen is the virtual process's buffer for screen rows.
	Screen *[]byte
	// Memory receives the events of the memory backend (the recorder's events dictionary).
	Memory *Events
}

// Settings are the kernel's settings that a backend reads at every Prepare.
type Settings struct {
	// File is the ascii file name (data_path, data_prefix, label, node id and VP, as NEST
	// names it) and Overwrite the kernel's overwrite_files.
	File      string
	Overwrite bool
}

// Backend receives the events of one recorder instance.
type Backend interface {
	// Prepare readies the backend for a run (opens its file, say).
	Prepare(s Settings) error
	// Write records one event.
	Write(ev *Event)
	// Flush writes out what is buffered (at the end of every run).
	Flush() error
	// Close releases what the backend holds.
	Close() error
}

// Factory enrolls a recorder instance with a backend.
type Factory func(e Enrollment) (Backend, error)

// Builtin returns the built-in backends by record_to name.
func Builtin() map[string]Factory {
	return map[string]Factory{"memory": newMemory, "ascii": newASCII, "screen": newScreen}
}

// Events are the events of one recorder instance held in memory, as parallel arrays.
type Events struct {
	Senders []uint64
	Targets []uint64
	Stamps  []int64 // steps
	Weights []float64
	Rports  []int64
	Ports   []int64
	Values  []float64 // multimeter: NVars values per event
	NVars   int
}

// Len is the number of events.
func (e *Events) Len() int { return len(e.Senders) }

// Clear forgets every event.
func (e *Events) Clear() {
	e.Senders, e.Targets, e.Stamps = e.Senders[:0], e.Targets[:0], e.Stamps[:0]
	e.Weights, e.Rports, e.Ports, e.Values = e.Weights[:0], e.Rports[:0], e.Ports[:0], e.Values[:0]
}

// memory keeps events in Events.
type memory struct {
	kind Kind
	ev   *Events
}

func newMemory(e Enrollment) (Backend, error) {
	e.Memory.NVars = len(e.Vars)
	return &memory{kind: e.Kind, ev: e.Memory}, nil
}

func (m *memory) Prepare(Settings) error { return nil }

func (m *memory) Write(ev *Event) {
	e := m.ev
	e.Senders = append(e.Senders, ev.Sender)
	e.Stamps = append(e.Stamps, ev.Stamp)
	switch m.kind {
	case Samples:
		e.Values = append(e.Values, ev.Values...)
	case Weights:
		e.Targets = append(e.Targets, ev.Target)
		e.Weights = append(e.Weights, ev.Values[0])
		e.Rports = append(e.Rports, ev.Rport)
		e.Ports = append(e.Ports, ev.Port)
	}
}

func (m *memory) Flush() error { return nil }

func (m *memory) Close() error { return nil }

// row formats one event as NEST's ascii and screen backends write it: sender, time (ms with
// precision digits, or step and offset), the values, and for weights target, receptor and port.
type row struct {
	kind        Kind
	grid        clock.Grid
	timeInSteps bool
	precision   int
}

func (r *row) append(buf []byte, ev *Event) []byte {
	buf = strconv.AppendUint(buf, ev.Sender, 10)
	buf = append(buf, '\t')
	if r.timeInSteps {
		buf = strconv.AppendInt(buf, ev.Stamp, 10)
		buf = append(buf, '\t')
		buf = strconv.AppendFloat(buf, 0, 'f', r.precision, 64) // the offset, as NEST prints it
	} else {
		buf = strconv.AppendFloat(buf, r.grid.Ms(ev.Stamp), 'f', r.precision, 64)
	}
	for _, v := range ev.Values {
		buf = append(buf, '\t')
		buf = strconv.AppendFloat(buf, v, 'f', r.precision, 64)
	}
	if r.kind == Weights {
		for _, v := range []int64{int64(ev.Target), ev.Rport, ev.Port} {
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, v, 10)
		}
	}
	return append(buf, '\n')
}

func newRow(e Enrollment) row {
	return row{kind: e.Kind, grid: e.Grid, timeInSteps: e.TimeInSteps, precision: e.Precision}
}

// screen appends rows to the virtual process's screen buffer.
type screen struct {
	row
	buf *[]byte
}

func newScreen(e Enrollment) (Backend, error) { return &screen{row: newRow(e), buf: e.Screen}, nil }

func (s *screen) Prepare(Settings) error { return nil }

func (s *screen) Write(ev *Event) { *s.buf = s.append(*s.buf, ev) }

func (s *screen) Flush() error { return nil }

func (s *screen) Close() error { return nil }
