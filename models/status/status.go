// Package status owns the two things every layer of nest-mpi shares at its API boundary: status
// dictionaries (Dict, the face of parameters and state, read through a Reader that remembers which
// keys were used) and NEST's error kinds (Error, with PyNEST's exception names such as BadProperty).
//
// Dictionaries are never used inside the simulation loop: models convert them to typed fields when
// a status is set and back when it is read.
package status

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Kind is the name of a NEST error, as PyNEST raises it (nest.NESTErrors.<Kind>).
type Kind string

// The error kinds nest-mpi raises; the names are NEST's.
const (
	BadProperty               Kind = "BadProperty"
	BadParameter              Kind = "BadParameter"
	BadDelay                  Kind = "BadDelay"
	TypeMismatch              Kind = "TypeMismatch"
	UnaccessedDictionaryEntry Kind = "UnaccessedDictionaryEntry"
	UnknownModelName          Kind = "UnknownModelName"
	NewModelNameExists        Kind = "NewModelNameExists"
	UnknownSynapseType        Kind = "UnknownSynapseType"
	UnknownNode               Kind = "UnknownNode"
	UnknownReceptorType       Kind = "UnknownReceptorType"
	IllegalConnection         Kind = "IllegalConnection"
	NotImplemented            Kind = "NotImplemented"
	KernelException           Kind = "KernelException"
	IOError                   Kind = "IOError"
	DimensionMismatch         Kind = "DimensionMismatch"
	RangeCheck                Kind = "RangeCheck"
	KeyError                  Kind = "KeyError"
	InvalidNodeCollection     Kind = "InvalidNodeCollection"
	InternalError             Kind = "InternalError"
	NumericalInstability      Kind = "NumericalInstability"
	// IndexError is Python's, as PyNEST raises it for an index or slice past a NodeCollection's end.
	IndexError Kind = "IndexError"
)

// Error is a NEST error: a kind and a message that names the model, node or key concerned and,
// where it applies, the accepted values.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return string(e.Kind) + ": " + e.Msg }

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of the first *Error in err's chain, or "" if there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// Dict is a status dictionary: parameter and state names mapped to values. Values are float64,
// int64 (or int), bool, string, []float64, []int64, []string, []any, nested Dicts, or values that
// other packages define (node collections, random parameters).
type Dict = map[string]any

// Reader reads typed values from a Dict and remembers which keys were read, so that the caller can
// report the keys nobody used (UnaccessedDictionaryEntry). Context names the model or object in
// error messages.
type Reader struct {
	D       Dict
	Context string
	used    map[string]bool
}

// NewReader returns a Reader over d; context names the owner in error messages ("iaf_psc_alpha").
func NewReader(d Dict, context string) *Reader {
	return &Reader{D: d, Context: context, used: make(map[string]bool, len(d))}
}

// Has reports whether key is present (without marking it as used).
func (r *Reader) Has(key string) bool { _, ok := r.D[key]; return ok }

// Raw returns the value of key and marks it used.
func (r *Reader) Raw(key string) (any, bool) {
	v, ok := r.D[key]
	if ok {
		r.used[key] = true
	}
	return v, ok
}

// MarkUsed marks keys as used without reading them.
func (r *Reader) MarkUsed(keys ...string) {
	for _, k := range keys {
		r.used[k] = true
	}
}

// Unused returns the keys present but never read, sorted.
func (r *Reader) Unused() []string {
	var out []string
	for k := range r.D {
		if !r.used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// CheckUnused returns an UnaccessedDictionaryEntry error naming every key that was not read.
func (r *Reader) CheckUnused() error {
	if u := r.Unused(); len(u) > 0 {
		return Errorf(UnaccessedDictionaryEntry, "%s: unaccessed elements in dictionary: %s (not a parameter of %s)",
			r.Context, strings.Join(u, ", "), r.Context)
	}
	return nil
}

// Float reads key as a float64 into dst if present. Integers are accepted and converted.
func (r *Reader) Float(key string, dst *float64) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	f, err := ToFloat(v)
	if err != nil {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects a number (float), got %s", r.Context, key, Describe(v))
	}
	if !finiteOK(key, f) {
		return false, Errorf(BadProperty, "%s: parameter %s must be a finite number, got %s", r.Context, key, formatNonFinite(f))
	}
	*dst = f
	return true, nil
}

// Bound reads key as a bound into dst if present: a number, +inf or -inf (no bound), never NaN.
func (r *Reader) Bound(key string, dst *float64) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	f, err := ToFloat(v)
	if err != nil {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects a number (float), got %s", r.Context, key, Describe(v))
	}
	if math.IsNaN(f) {
		return false, Errorf(BadProperty, "%s: parameter %s must be a number or an infinity, got nan", r.Context, key)
	}
	*dst = f
	return true, nil
}

// finiteOK reports whether f may be the value of key: any finite number, +inf for a device's stop
// (record or stimulate forever) and -inf for V_min (no lower bound), as NEST's defaults are.
// Everything else non-finite (1e400 in JSON reads as +inf) cannot be meant and is refused.
func finiteOK(key string, f float64) bool {
	switch {
	case !math.IsNaN(f) && !math.IsInf(f, 0):
		return true
	case key == "stop":
		return math.IsInf(f, 1)
	case key == "V_min":
		return math.IsInf(f, -1)
	}
	return false
}

// Finite returns a BadProperty error naming context and key when f is NaN or infinite.
func Finite(context, key string, f float64) error {
	if finiteOK(key, f) {
		return nil
	}
	return Errorf(BadProperty, "%s: parameter %s must be a finite number, got %s", context, key, formatNonFinite(f))
}

func formatNonFinite(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf (a number beyond the float range, such as 1e400, reads as inf)"
	}
	return "-inf (a number beyond the float range, such as -1e400, reads as -inf)"
}

// Int reads key as an integer into dst if present. A float with an integral value is accepted only
// if exact (JSON numbers arrive as float64); any other float is a TypeMismatch, as in NEST.
func (r *Reader) Int(key string, dst *int64) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	i, err := ToInt(v)
	if err != nil {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects an integer, got %s", r.Context, key, Describe(v))
	}
	*dst = i
	return true, nil
}

// StrictInt reads key as an integer into dst if present, refusing every float (even 2.0), as NEST
// does for its integer kernel keys (local_num_threads: 2.0 is a TypeMismatch).
func (r *Reader) StrictInt(key string, dst *int64) (bool, error) {
	v, ok := r.D[key]
	if !ok {
		return false, nil
	}
	switch v.(type) {
	case float64, float32:
		r.used[key] = true
		return false, Errorf(TypeMismatch, "%s: parameter %s expects an integer, got %s", r.Context, key, Describe(v))
	}
	return r.Int(key, dst)
}

// Bool reads key as a bool into dst if present.
func (r *Reader) Bool(key string, dst *bool) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects a boolean (true or false), got %s", r.Context, key, Describe(v))
	}
	*dst = b
	return true, nil
}

// String reads key as a string into dst if present.
func (r *Reader) String(key string, dst *string) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects a string, got %s", r.Context, key, Describe(v))
	}
	*dst = s
	return true, nil
}

// Floats reads key as a list of numbers into dst if present.
func (r *Reader) Floats(key string, dst *[]float64) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	f, err := ToFloats(v)
	if err != nil {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects a list of numbers, got %s", r.Context, key, Describe(v))
	}
	for _, x := range f {
		if err := Finite(r.Context, key, x); err != nil {
			return false, err
		}
	}
	*dst = f
	return true, nil
}

// Strings reads key as a list of strings into dst if present.
func (r *Reader) Strings(key string, dst *[]string) (bool, error) {
	v, ok := r.Raw(key)
	if !ok {
		return false, nil
	}
	s, err := ToStrings(v)
	if err != nil {
		return false, Errorf(TypeMismatch, "%s: parameter %s expects a list of strings, got %s", r.Context, key, Describe(v))
	}
	*dst = s
	return true, nil
}

// ToFloat converts a numeric value to float64.
func ToFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	case string: // JSON has no infinity: the network format writes it "inf"
		switch x {
		case "inf", "+inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("not a number: %s", Describe(v))
}

// ToInt converts an integer value (or an integral float64, as JSON delivers numbers) to int64.
func ToInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("integer %d out of range", x)
		}
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case json.Number:
		return x.Int64()
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("not an integer: %s", Describe(v))
}

// ToFloats converts a list of numbers to []float64.
func ToFloats(v any) ([]float64, error) {
	switch x := v.(type) {
	case []float64:
		return append([]float64(nil), x...), nil
	case []int64:
		out := make([]float64, len(x))
		for i, e := range x {
			out[i] = float64(e)
		}
		return out, nil
	case []int:
		out := make([]float64, len(x))
		for i, e := range x {
			out[i] = float64(e)
		}
		return out, nil
	case []any:
		out := make([]float64, len(x))
		for i, e := range x {
			f, err := ToFloat(e)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a list of numbers: %s", Describe(v))
}

// ToStrings converts a list of strings to []string.
func ToStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...), nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("not a string: %s", Describe(e))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a list of strings: %s", Describe(v))
}

// Describe names a value's kind (and value) for error messages: "the float 2.5", "the string
// "x"", "a list of 3 elements", "an object", "nothing (null)".
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case float64, float32:
		return fmt.Sprintf("the float %v", x)
	case int, int64, int32, uint64, uint32:
		return fmt.Sprintf("the integer %v", x)
	case []any:
		return fmt.Sprintf("a list of %d elements", len(x))
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a value of type %T", v)
}

// Copy returns a shallow copy of d.
func Copy(d Dict) Dict {
	out := make(Dict, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}
