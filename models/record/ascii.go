package record

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// ascii writes NEST's .dat file of one recorder instance: a header naming the version, the
// backend and the columns, then one tab-separated row per event. The file is created at the first
// Prepare and kept open across runs.
type ascii struct {
	row
	e    Enrollment
	file string
	f    *os.File
	w    *bufio.Writer
	buf  []byte
}

func newASCII(e Enrollment) (Backend, error) { return &ascii{row: newRow(e), e: e}, nil }

func (a *ascii) Prepare(s Settings) error {
	if a.f != nil {
		return nil
	}
	if _, err := os.Stat(s.File); err == nil && !s.Overwrite {
		return status.Errorf(status.IOError, "%s: the file %s already exists and overwrite_files is false", a.e.Model, s.File)
	}
	f, err := os.Create(s.File)
	if err != nil {
		return status.Errorf(status.IOError, "%s: cannot create %s: %v", a.e.Model, s.File, err)
	}
	a.file = s.File
	a.f, a.w = f, bufio.NewWriterSize(f, 1<<16)
	a.writeHeader(a.w)
	return nil
}

func (a *ascii) writeHeader(w io.Writer) {
	fmt.Fprintln(w, "# NEST version: 3.9 (nest-mpi)")
	fmt.Fprintln(w, "# RecordingBackendASCII version: 2")
	cols := "sender\ttime_ms"
	if a.timeInSteps {
		cols = "sender\ttime_step\ttime_offset"
	}
	switch a.kind {
	case Samples:
		for _, n := range a.e.Vars {
			cols += "\t" + n
		}
	case Weights:
		cols += "\tweights\ttargets\treceptors\tports"
	}
	fmt.Fprintln(w, cols)
}

func (a *ascii) Write(ev *Event) {
	a.buf = a.append(a.buf[:0], ev)
	a.w.Write(a.buf) // errors stick in the writer and surface at Flush
}

func (a *ascii) Flush() error {
	if a.w == nil {
		return nil
	}
	if err := a.w.Flush(); err != nil {
		return status.Errorf(status.IOError, "%s: writing %s: %v", a.e.Model, a.file, err)
	}
	return nil
}

func (a *ascii) Close() error {
	if a.f == nil {
		return nil
	}
	err := a.Flush()
	if cerr := a.f.Close(); err == nil && cerr != nil {
		err = status.Errorf(status.IOError, "%s: closing %s: %v", a.e.Model, a.file, cerr)
	}
	a.f, a.w = nil, nil
	return err
}
