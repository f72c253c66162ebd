package models

import (
	"github.com/nest-mpi/nest-mpi/models/status"
)

// field describes one float64 or bool member of a parameter struct P, so that reading and writing
// status dictionaries and documenting a model are written once per model, as a table.
type field[P any] struct {
	name, unit, doc string
	f               func(*P) *float64 // for float fields
	b               func(*P) *bool    // for bool fields
}

func floatField[P any](name, unit, doc string, f func(*P) *float64) field[P] {
	return field[P]{name: name, unit: unit, doc: doc, f: f}
}

func boolField[P any](name, doc string, b func(*P) *bool) field[P] {
	return field[P]{name: name, doc: doc, b: b}
}

// readFields reads every field present in r into p.
func readFields[P any](r *status.Reader, p *P, fs []field[P]) error {
	for _, fd := range fs {
		var err error
		if fd.f != nil {
			_, err = r.Float(fd.name, fd.f(p))
		} else {
			_, err = r.Bool(fd.name, fd.b(p))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeFields writes every field of p into d.
func writeFields[P any](d status.Dict, p *P, fs []field[P]) {
	for _, fd := range fs {
		if fd.f != nil {
			d[fd.name] = *fd.f(p)
		} else {
			d[fd.name] = *fd.b(p)
		}
	}
}

// docFields documents the fields with their values in p as defaults.
func docFields[P any](p *P, fs []field[P]) []ParamDoc {
	out := make([]ParamDoc, 0, len(fs))
	for _, fd := range fs {
		var def any
		if fd.f != nil {
			def = *fd.f(p)
		} else {
			def = *fd.b(p)
		}
		out = append(out, ParamDoc{Name: fd.name, Unit: fd.unit, Default: def, Doc: fd.doc})
	}
	return out
}

func badProperty(model, format string, args ...any) error {
	return status.Errorf(status.BadProperty, model+": "+format, args...)
}

// setWithVm applies r to a copy of the parameters p and the membrane potential v of one neuron,
// where v is stored relative to E_L (the first field of fs), and returns them; nothing is applied
// on error. When E_L changes and V_m is not given, V_m keeps its absolute value (NEST shifts the
// relative value by −ΔE_L); a given V_m is stored relative to the new E_L. validate checks p.
func setWithVm[P any](r *status.Reader, p P, v float64, fs []field[P], validate func(*P) error) (P, float64, error) {
	dEL, err := readShiftingEL(r, &p, fs)
	if err != nil {
		return p, v, err
	}
	v -= dEL
	var vm float64
	if ok, err := r.Float("V_m", &vm); err != nil {
		return p, v, err
	} else if ok {
		v = vm - *fs[0].f(&p)
	}
	return p, v, validate(&p)
}
