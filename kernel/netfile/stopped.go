package netfile

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// stopped ends a run that a call's error (or a signal) stopped. Before the first Simulate there
// is nothing worth keeping: the error alone is returned. After it, the outputs recorded so far are
// written, with run.json marked incomplete and saying why, and returned with the error, so that
// the command publishes them (the error still decides the exit status).
//
// Under MPI only an interruption is known to stop every rank at the same call (the ranks agree
// on the slice boundary); any other error may be one rank's, and writing the outputs needs every
// rank, so such a run publishes nothing.
func (r *Runner) stopped(cerr *CallError) (*Result, error) {
	interrupted := errors.Is(cerr, kernel.ErrInterrupted)
	var pe *PanicError
	switch {
	case r.firstSim.IsZero(), errors.As(cerr, &pe):
		return nil, cerr
	case r.k.Comm().Size() > 1 && !interrupted:
		return nil, cerr
	}
	r.incomplete = "stopped by an error: " + cerr.Error()
	if interrupted {
		reason := "a signal"
		if r.opts.StopReason != nil {
			reason = r.opts.StopReason()
		}
		r.incomplete = "stopped by " + reason + ": " + cerr.Error()
	}
	var res *Result
	if err := r.guard(Call{Pos: -1, Name: "output"}, func() (err error) {
		res, err = r.finish()
		return err
	}); err != nil {
		return nil, cerr
	}
	return res, cerr
}

// dataPath keeps the ascii backend inside the output folder: with Options.DataDir, the kernel's
// data_path is DataDir, or a folder inside it that the file names (a relative path without '..').
func (r *Runner) dataPath(d map[string]any, initial bool) error {
	if r.opts.DataDir == "" {
		return nil
	}
	v, given := d["data_path"]
	if !given {
		if initial {
			d["data_path"] = r.opts.DataDir
		}
		return nil
	}
	p, ok := v.(string)
	if !ok {
		return status.Errorf(status.TypeMismatch, "kernel: data_path expects a string, got %s", status.Describe(v))
	}
	if p == "" || p == "." {
		d["data_path"] = r.opts.DataDir
		return nil
	}
	if !filepath.IsLocal(p) {
		return status.Errorf(status.BadProperty, "kernel: data_path %q must be a folder inside the output folder (a relative path without '..'): the ascii backend writes there", p)
	}
	full := filepath.Join(r.opts.DataDir, p)
	if err := os.MkdirAll(full, 0o755); err != nil {
		return status.Errorf(status.IOError, "kernel: data_path %q: %v", p, err)
	}
	d["data_path"] = full
	return nil
}
