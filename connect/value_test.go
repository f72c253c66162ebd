package connect

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		name       string
		in         any
		kind       string // scalar, array, random
		x          float64
		xs         []float64
		rows, cols int
		str        string
	}{
		{"float64", 2.5, "scalar", 2.5, nil, 0, 0, "2.5"},
		{"int", 3, "scalar", 3, nil, 0, 0, "3"},
		{"int64", int64(-4), "scalar", -4, nil, 0, 0, "-4"},
		{"json.Number", json.Number("1.25"), "scalar", 1.25, nil, 0, 0, "1.25"},
		{"[]float64", []float64{1, 2, 3}, "array", 0, []float64{1, 2, 3}, 0, 3, "[1, 2, 3]"},
		{"[]int", []int{1, 2}, "array", 0, []float64{1, 2}, 0, 2, "[1, 2]"},
		{"[]int64", []int64{5}, "array", 0, []float64{5}, 0, 1, "[5]"},
		{"[]any", []any{1, 2.5, json.Number("3")}, "array", 0, []float64{1, 2.5, 3}, 0, 3, "[1, 2.5, 3]"},
		{"empty list", []any{}, "array", 0, []float64{}, 0, 0, "[]"},
		{"2-D []any", []any{[]any{1, 2, 3}, []any{4, 5, 6}}, "array", 0, []float64{1, 2, 3, 4, 5, 6}, 2, 3, "[1, 2, 3, 4, 5, 6]"},
		{"[][]float64", [][]float64{{1}, {2}}, "array", 0, []float64{1, 2}, 2, 1, "[1, 2]"},
		{"long list", make([]float64, 10), "array", 0, make([]float64, 10), 0, 10, "[0, 0, 0, 0, 0, 0, 0, 0, ... (10 values)]"},
		{"Dist", Normal(1, 2), "random", 0, nil, 0, 0, "normal(mean=1, std=2)"},
		{"*Dist", func() *Dist { d := Uniform(0, 1); return &d }(), "random", 0, nil, 0, 0, "uniform(min=0, max=1)"},
		{"dict", dict{"distribution": "exponential", "beta": 2}, "random", 0, nil, 0, 0, "exponential(beta=2)"},
		{"Value", Scalar(7), "scalar", 7, nil, 0, 0, "7"},
	}
	for _, tc := range tests {
		v, err := ParseValue(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		kinds := map[string]bool{"scalar": v.IsScalar(), "array": v.IsArray(), "random": v.IsRandom()}
		for k, is := range kinds {
			if is != (k == tc.kind) {
				t.Errorf("%s: Is%s() = %v", tc.name, k, is)
			}
		}
		if v.Float() != tc.x || (tc.xs != nil && !slices.Equal(v.Floats(), tc.xs)) || v.Len() != len(tc.xs) {
			t.Errorf("%s: got %v (len %d)", tc.name, v, v.Len())
		}
		if r, c := v.Shape(); tc.kind == "array" && (r != tc.rows || c != tc.cols) {
			t.Errorf("%s: shape %dx%d, want %dx%d", tc.name, r, c, tc.rows, tc.cols)
		}
		if s := v.String(); s != tc.str {
			t.Errorf("%s: String() = %q, want %q", tc.name, s, tc.str)
		}
	}
}

func TestParseValueErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
		kind status.Kind
		frag []string
	}{
		{"string", "heavy", status.TypeMismatch, []string{"weight", "heavy", "distribution"}},
		{"bool", true, status.TypeMismatch, []string{"weight", "boolean"}},
		{"nil", nil, status.TypeMismatch, []string{"weight", "null"}},
		{"dict without distribution", dict{"mean": 1}, status.TypeMismatch, []string{"weight", "distribution"}},
		{"bad distribution", dict{"distribution": "normal", "std": -1}, status.BadProperty, []string{"weight", "std > 0"}},
		{"invalid Dist", Normal(0, 0), status.BadProperty, []string{"weight", "std"}},
		{"list with a string", []any{1, "two"}, status.TypeMismatch, []string{"weight"}},
		{"ragged 2-D", []any{[]any{1, 2}, []any{3}}, status.DimensionMismatch, []string{"weight", "row 1"}},
		{"2-D with a string", []any{[]any{1}, []any{"x"}}, status.TypeMismatch, []string{"weight", "row 1"}},
		{"map of other type", map[int]int{}, status.TypeMismatch, []string{"weight"}},
	}
	for _, tc := range tests {
		_, err := ParseValueFor("weight", tc.in)
		wantErr(t, tc.name, err, tc.kind, tc.frag...)
	}
}

func TestValueAt(t *testing.T) {
	s := vp.NewStream(3, vp.KindVP, 0)
	if v := Scalar(2); v.At(5, &s) != 2 {
		t.Error("scalar At")
	}
	if (&Value{}).At(0, &s) != 0 || !(Value{}).IsScalar() {
		t.Error("zero Value is not the scalar 0")
	}
	src := []float64{1, 2, 3}
	a := Array(src)
	src[0] = 100 // Array copies
	if a.At(0, &s) != 1 || a.At(2, &s) != 3 {
		t.Error("array At")
	}
	// A random value draws from the stream, exactly as the distribution does.
	r := Random(Uniform(0, 1))
	s2 := s
	for range 5 {
		u := Uniform(0, 1)
		if got, want := r.At(0, &s), u.Draw(&s2); got != want {
			t.Fatalf("random At drew %v, distribution %v", got, want)
		}
	}
	if r.Dist() != Uniform(0, 1) {
		t.Error("Dist()")
	}
}
