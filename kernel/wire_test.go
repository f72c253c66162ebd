package kernel

import (
	"math"
	"reflect"
	"testing"
)

func TestWireRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any // nil: the same as in
	}{
		{"nil", nil, nil},
		{"bools", []any{true, false}, nil},
		{"string", "iaf_psc_alpha", nil},
		{"int64", int64(-7), nil},
		{"int becomes int64", 7, int64(7)},
		{"uint64", uint64(1 << 63), nil},
		{"float", 0.1, nil},
		{"infinity", math.Inf(-1), nil},
		{"floats", []float64{1.5, math.Inf(1), math.Copysign(0, -1)}, nil},
		{"ints", []int64{1, -2, 1 << 40}, nil},
		{"[]int becomes []int64", []int{3, 4}, []int64{3, 4}},
		{"uints", []uint64{1, 2}, nil},
		{"strings", []string{"a", ""}, nil},
		{"long strings", []string{"static_synapse", "e_syn", "static_synapse", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "e_syn", "static_synapse"}, nil},
		{"bool list", []bool{true, false}, nil},
		{"dict", map[string]any{"events": map[string]any{"times": []float64{1}, "senders": []int64{2}}, "n": int64(1)}, nil},
		{"empty", []float64{}, nil},
		{"other types become text", struct{ A int }{3}, textValue("{3}")},
	}
	for _, tc := range tests {
		want := tc.want
		if want == nil {
			want = tc.in
		}
		r := &wireReader{buf: appendValue(nil, tc.in)}
		got, err := r.value()
		if err != nil || len(r.buf) != 0 {
			t.Errorf("%s: err %v, %d bytes left", tc.name, err, len(r.buf))
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, got, want)
		}
	}
	nan := &wireReader{buf: appendValue(nil, math.NaN())}
	if v, _ := nan.value(); !math.IsNaN(v.(float64)) {
		t.Errorf("NaN came back as %v", v)
	}
}

func TestWireTruncated(t *testing.T) {
	full := appendValue(nil, map[string]any{"a": []float64{1, 2, 3}, "b": []string{"x", "y"}})
	for n := 0; n < len(full); n++ {
		r := &wireReader{buf: full[:n]}
		if _, err := r.value(); err == nil {
			t.Errorf("%d of %d bytes decoded without error", n, len(full))
		}
	}
}
