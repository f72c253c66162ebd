package connect

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

type valueKind uint8

const (
	valueScalar valueKind = iota
	valueArray
	valueRandom
)

// Value is a parameter value of a syn_spec or of node parameters: a scalar, an array (one
// entry per connection or per node), or a random distribution drawn once per connection or
// node. The zero Value is the scalar 0. Values are immutable once made; copying one is cheap
// (arrays share their backing store).
type Value struct {
	kind valueKind
	x    float64
	xs   []float64
	rows int // for an array parsed from a 2-D list: its number of rows (0 when flat)
	d    Dist
}

// Scalar returns the scalar value x.
func Scalar(x float64) Value { return Value{kind: valueScalar, x: x} }

// Array returns an array value with entries xs (copied), one per connection or node.
func Array(xs []float64) Value {
	return Value{kind: valueArray, xs: append([]float64{}, xs...)}
}

// Random returns a value drawn from d for every connection or node.
func Random(d Dist) Value { return Value{kind: valueRandom, d: d} }

// IsScalar reports whether v is a scalar.
func (v Value) IsScalar() bool { return v.kind == valueScalar }

// IsArray reports whether v is an array.
func (v Value) IsArray() bool { return v.kind == valueArray }

// IsRandom reports whether v is a random distribution.
func (v Value) IsRandom() bool { return v.kind == valueRandom }

// NonFinite returns the first NaN or infinite number of a scalar or an array, and false when
// every number is finite (distributions are not inspected).
func (v Value) NonFinite() (float64, bool) {
	xs := v.xs
	if v.kind == valueScalar {
		xs = []float64{v.x}
	}
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return x, true
		}
	}
	return 0, false
}

// Len returns the number of entries of an array, and 0 for scalars and distributions.
func (v Value) Len() int { return len(v.xs) }

// Shape returns the number of rows and columns of an array given as a 2-D list (as PyNEST
// takes all_to_all, fixed_indegree and fixed_outdegree arrays), and (0, Len()) for a flat one.
func (v Value) Shape() (rows, cols int) {
	if v.rows == 0 {
		return 0, len(v.xs)
	}
	return v.rows, len(v.xs) / v.rows
}

// Float returns the scalar (0 for other kinds).
func (v Value) Float() float64 { return v.x }

// Floats returns the entries of an array (shared, do not modify), nil for other kinds.
func (v Value) Floats() []float64 { return v.xs }

// Dist returns the distribution of a random value (the zero Dist for other kinds).
func (v Value) Dist() Dist { return v.d }

// At returns entry i of an array, the scalar, or a fresh draw from s for a distribution.
// It panics if i is out of range for an array.
func (v *Value) At(i int, s *vp.Stream) float64 {
	switch v.kind {
	case valueArray:
		return v.xs[i]
	case valueRandom:
		return v.d.Draw(s)
	}
	return v.x
}

// String formats v: a number, a list (shortened beyond 8 entries), or the distribution.
func (v Value) String() string {
	switch v.kind {
	case valueArray:
		var b strings.Builder
		b.WriteByte('[')
		for i, x := range v.xs {
			if i == 8 {
				fmt.Fprintf(&b, ", ... (%d values)", len(v.xs))
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(fmtNum(x))
		}
		b.WriteByte(']')
		return b.String()
	case valueRandom:
		return v.d.String()
	}
	return fmtNum(v.x)
}

// ParseValue parses a parameter value: a number (float64, int, int64, json.Number, ...) is a
// scalar; a list of numbers ([]float64, []int, []int64, []any) an array; a list of equally
// long lists of numbers a 2-D array, stored row by row (for all_to_all [target][source]); a
// Dist, a Value, or a dictionary with a "distribution" key (see ParseDist) a random value.
// Anything else is a TypeMismatch.
func ParseValue(v any) (Value, error) { return ParseValueFor("value", v) }

// ParseValueFor is ParseValue with errors naming the parameter key ("weight").
func ParseValueFor(key string, v any) (Value, error) {
	switch x := v.(type) {
	case Value:
		return x, nil
	case *Value:
		if x != nil {
			return *x, nil
		}
	case Dist:
		if err := x.Validate(); err != nil {
			return Value{}, wrapKey(key, err)
		}
		return Random(x), nil
	case *Dist:
		if x != nil {
			return ParseValueFor(key, *x)
		}
	case float64, float32, int, int64, int32, uint64, uint32, json.Number:
		f, err := status.ToFloat(x)
		if err != nil {
			return Value{}, status.Errorf(status.TypeMismatch, "%s: expects a number, got %v", key, x)
		}
		return Scalar(f), nil
	case []float64:
		return Array(x), nil
	case [][]float64:
		rows := make([]any, len(x))
		for i, r := range x {
			rows[i] = r
		}
		return parseList(key, rows)
	case []int, []int64, []int32:
		f, err := status.ToFloats(x)
		if err != nil {
			return Value{}, status.Errorf(status.TypeMismatch, "%s: %v", key, err)
		}
		return Value{kind: valueArray, xs: f}, nil
	case []any:
		return parseList(key, x)
	case map[string]any:
		if _, ok := x["distribution"]; !ok {
			return Value{}, status.Errorf(status.TypeMismatch, "%s: a dictionary value must be a random distribution with a 'distribution' key (one of %s)", key, strings.Join(DistNames(), ", "))
		}
		d, err := ParseDist(x)
		if err != nil {
			return Value{}, wrapKey(key, err)
		}
		return Random(d), nil
	}
	return Value{}, status.Errorf(status.TypeMismatch, "%s: expects a number, a list of numbers (one per connection or node) or a random distribution {\"distribution\": ...}, got %s", key, status.Describe(v))
}

// parseList parses a []any as a flat list of numbers or a 2-D list of equally long rows.
func parseList(key string, xs []any) (Value, error) {
	if len(xs) > 0 && isList(xs[0]) {
		var out []float64
		cols := -1
		for i, row := range xs {
			f, err := status.ToFloats(row)
			if err != nil {
				return Value{}, status.Errorf(status.TypeMismatch, "%s: row %d of a 2-D array must be a list of numbers, got %s", key, i, status.Describe(row))
			}
			if cols >= 0 && len(f) != cols {
				return Value{}, status.Errorf(status.DimensionMismatch, "%s: the rows of a 2-D array must have equal lengths; row 0 has %d values, row %d has %d", key, cols, i, len(f))
			}
			cols = len(f)
			out = append(out, f...)
		}
		if cols == 0 {
			return Value{kind: valueArray, xs: out}, nil
		}
		return Value{kind: valueArray, xs: out, rows: len(xs)}, nil
	}
	f, err := status.ToFloats(xs)
	if err != nil {
		return Value{}, status.Errorf(status.TypeMismatch, "%s: an array must hold only numbers (or equally long lists of numbers): %v", key, err)
	}
	return Value{kind: valueArray, xs: f}, nil
}

func isList(v any) bool {
	switch v.(type) {
	case []any, []float64, []int, []int64:
		return true
	}
	return false
}

// wrapKey prefixes the message of a status error with the parameter key.
func wrapKey(key string, err error) error {
	if e, ok := err.(*status.Error); ok {
		return &status.Error{Kind: e.Kind, Msg: key + ": " + e.Msg}
	}
	return fmt.Errorf("%s: %w", key, err)
}
