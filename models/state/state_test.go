package state

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// Float values whose bits must survive: NaNs with payloads (quiet, signalling, negative), both
// zeros, both infinities, the extremes and a subnormal.
var oddFloats = []float64{
	math.Float64frombits(0x7ff8000000000001), math.Float64frombits(0x7ff0000000000001),
	math.Float64frombits(0xfff8dead0000beef), math.NaN(), math.Copysign(0, -1), 0,
	math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3,
}

func floatBits(xs []float64) []uint64 {
	out := make([]uint64, len(xs))
	for i, x := range xs {
		out[i] = math.Float64bits(x)
	}
	return out
}

// kind is one value kind of the encoding: write encodes the test value, read decodes it and
// reports it in a form that compares bit for bit (floats as their bits).
type kind struct {
	name  string
	write func(e *Encoder)
	read  func(d *Decoder) any
	want  any
}

var kinds = []kind{
	{"U64", func(e *Encoder) { e.U64(math.MaxUint64); e.U64(0); e.U64(1 << 63) },
		func(d *Decoder) any { return []uint64{d.U64(), d.U64(), d.U64()} }, []uint64{math.MaxUint64, 0, 1 << 63}},
	{"I64", func(e *Encoder) { e.I64(math.MinInt64); e.I64(-1); e.I64(math.MaxInt64) },
		func(d *Decoder) any { return []int64{d.I64(), d.I64(), d.I64()} }, []int64{math.MinInt64, -1, math.MaxInt64}},
	{"Int", func(e *Encoder) { e.Int(-7); e.Int(math.MaxInt) },
		func(d *Decoder) any { return []int{d.Int(), d.Int()} }, []int{-7, math.MaxInt}},
	{"F64", func(e *Encoder) {
		for _, x := range oddFloats {
			e.F64(x)
		}
	}, func(d *Decoder) any {
		out := make([]uint64, len(oddFloats))
		for i := range out {
			out[i] = math.Float64bits(d.F64())
		}
		return out
	}, floatBits(oddFloats)},
	{"Bool", func(e *Encoder) { e.Bool(true); e.Bool(false) },
		func(d *Decoder) any { return []bool{d.Bool(), d.Bool()} }, []bool{true, false}},
	{"String", func(e *Encoder) { e.String(""); e.String("V_m µ\x00 ∞") },
		func(d *Decoder) any { return []string{d.String(), d.String()} }, []string{"", "V_m µ\x00 ∞"}},
	{"Raw", func(e *Encoder) { e.Raw(nil); e.Raw([]byte{0, 255, 7}) },
		func(d *Decoder) any { return [][]byte{d.Raw(), d.Raw()} }, [][]byte{nil, {0, 255, 7}}},
	{"F64s", func(e *Encoder) { e.F64s(oddFloats); e.F64s(nil) },
		func(d *Decoder) any { return [][]uint64{floatBits(d.F64s()), floatBits(d.F64s())} },
		[][]uint64{floatBits(oddFloats), {}}},
	{"I64s", func(e *Encoder) { e.I64s([]int64{math.MinInt64, 0, 5}) },
		func(d *Decoder) any { return d.I64s() }, []int64{math.MinInt64, 0, 5}},
	{"U64s", func(e *Encoder) { e.U64s([]uint64{math.MaxUint64, 3}) },
		func(d *Decoder) any { return d.U64s() }, []uint64{math.MaxUint64, 3}},
	{"U32s", func(e *Encoder) { e.U32s([]uint32{math.MaxUint32, 0, 9}) },
		func(d *Decoder) any { return d.U32s() }, []uint32{math.MaxUint32, 0, 9}},
	{"I32s", func(e *Encoder) { e.I32s([]int32{math.MinInt32, -1, math.MaxInt32}) },
		func(d *Decoder) any { return d.I32s() }, []int32{math.MinInt32, -1, math.MaxInt32}},
	{"Ints", func(e *Encoder) { e.Ints([]int{math.MinInt, 0, 42}) },
		func(d *Decoder) any { return d.Ints() }, []int{math.MinInt, 0, 42}},
	{"Bools", func(e *Encoder) { e.Bools([]bool{true, false, false, true, true}) },
		func(d *Decoder) any { return d.Bools() }, []bool{true, false, false, true, true}},
	{"Strings", func(e *Encoder) { e.Strings([]string{"a", "", "iaf_psc_alpha"}) },
		func(d *Decoder) any { return d.Strings() }, []string{"a", "", "iaf_psc_alpha"}},
}

func encode(k kind) []byte {
	var e Encoder
	k.write(&e)
	return e.Bytes()
}

// TestRoundTrip: every kind reads back exactly what was written, and the whole input is used.
func TestRoundTrip(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			d := NewDecoder(encode(k), k.name)
			if got := k.read(d); !reflect.DeepEqual(got, k.want) {
				t.Errorf("read %v, wrote %v", got, k.want)
			}
			if err := d.Done(); err != nil {
				t.Errorf("Done: %v", err)
			}
		})
	}
}

// TestTruncated: cutting the encoding at any byte gives an error wrapping ErrCorrupt and naming
// the piece, never a panic; the error sticks and later reads return zero values.
func TestTruncated(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			b := encode(k)
			for l := range len(b) {
				d := NewDecoder(b[:l:l], "piece "+k.name)
				k.read(d)
				err := d.Err()
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("cut at %d of %d: Err() = %v, want ErrCorrupt", l, len(b), err)
				}
				if !strings.HasPrefix(err.Error(), "piece "+k.name+": ") {
					t.Errorf("error %q does not name the piece", err)
				}
				if d.U64() != 0 || d.F64() != 0 || len(d.F64s()) != 0 || len(d.Strings()) != 0 || d.String() != "" {
					t.Errorf("reads after an error return values")
				}
				if d.Err() != err || d.Done() != err {
					t.Errorf("the first error does not stick: %v, then %v", err, d.Err())
				}
			}
		})
	}
}

// lengthPrefixed lists the readers of length-prefixed values.
var lengthPrefixed = map[string]func(d *Decoder) int{
	"String":  func(d *Decoder) int { return len(d.String()) },
	"Raw":     func(d *Decoder) int { return len(d.Raw()) },
	"F64s":    func(d *Decoder) int { return len(d.F64s()) },
	"I64s":    func(d *Decoder) int { return len(d.I64s()) },
	"U64s":    func(d *Decoder) int { return len(d.U64s()) },
	"U32s":    func(d *Decoder) int { return len(d.U32s()) },
	"I32s":    func(d *Decoder) int { return len(d.I32s()) },
	"Ints":    func(d *Decoder) int { return len(d.Ints()) },
	"Bools":   func(d *Decoder) int { return len(d.Bools()) },
	"Strings": func(d *Decoder) int { return len(d.Strings()) },
}

// TestHugeLength: a length prefix beyond what the input holds (huge, negative, or just one
// element too many) is refused before anything of that size is allocated.
func TestHugeLength(t *testing.T) {
	for name, read := range lengthPrefixed {
		for _, n := range []uint64{math.MaxInt64, 1 << 62, 1 << 40, math.MaxUint64, 1 << 63, 3} {
			b := binary.LittleEndian.AppendUint64(nil, n)
			b = append(b, make([]byte, 16)...) // 16 bytes: fewer than 3 elements of 8 bytes
			if name == "String" || name == "Raw" || name == "Bools" {
				b = b[:8+2] // 2 bytes for 3 one-byte elements
			}
			if name == "U32s" || name == "I32s" {
				b = b[:8+8] // 8 bytes for 3 four-byte elements
			}
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			d := NewDecoder(b, name)
			got := read(d)
			runtime.ReadMemStats(&ms1)
			if !errors.Is(d.Err(), ErrCorrupt) || got != 0 {
				t.Errorf("%s with length %d: %d elements, Err() = %v", name, int64(n), got, d.Err())
			}
			if grew := ms1.TotalAlloc - ms0.TotalAlloc; grew > 1<<20 {
				t.Errorf("%s with length %d allocated %d bytes", name, int64(n), grew)
			}
		}
	}
}

// TestInvalidValues: booleans other than 0 and 1 are refused, in Bool and in Bools.
func TestInvalidValues(t *testing.T) {
	d := NewDecoder(binary.LittleEndian.AppendUint64(nil, 2), "bool")
	d.Bool()
	if !errors.Is(d.Err(), ErrCorrupt) {
		t.Errorf("Bool 2: %v", d.Err())
	}
	b := binary.LittleEndian.AppendUint64(nil, 3)
	d = NewDecoder(append(b, 1, 7, 0), "bools")
	d.Bools()
	if !errors.Is(d.Err(), ErrCorrupt) {
		t.Errorf("Bools with a 7: %v", d.Err())
	}
}

// TestDone: leftover bytes are an error wrapping ErrCorrupt; none left is not.
func TestDone(t *testing.T) {
	var e Encoder
	e.F64(1.5)
	e.Int(3)
	e.String("x")
	for _, tc := range []struct {
		name  string
		reads func(d *Decoder)
		left  int
	}{
		{"all read", func(d *Decoder) { d.F64(); d.Int(); _ = d.String() }, 0},
		{"string left", func(d *Decoder) { d.F64(); d.Int() }, 9},
		{"nothing read", func(d *Decoder) {}, 25},
	} {
		d := NewDecoder(e.Bytes(), tc.name)
		tc.reads(d)
		if d.Remaining() != tc.left {
			t.Errorf("%s: Remaining() = %d, want %d", tc.name, d.Remaining(), tc.left)
		}
		err := d.Done()
		if tc.left == 0 && err != nil {
			t.Errorf("%s: Done() = %v", tc.name, err)
		}
		if tc.left > 0 && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "left over")) {
			t.Errorf("%s: Done() = %v, want leftover bytes refused", tc.name, err)
		}
	}
}

// TestFailAndLenIs: Fail and LenIs record the first error only, wrapping ErrCorrupt; Reset
// empties the encoder.
func TestFailAndLenIs(t *testing.T) {
	d := NewDecoder(nil, "block")
	d.LenIs("y3", 4, 4)
	if d.Err() != nil {
		t.Fatalf("LenIs with equal lengths: %v", d.Err())
	}
	d.LenIs("y3", 3, 4)
	first := d.Err()
	d.Fail("second %d", 2)
	if !errors.Is(first, ErrCorrupt) || d.Err() != first || !strings.Contains(first.Error(), "y3 has 3 elements, expected 4") {
		t.Errorf("first error %v, now %v", first, d.Err())
	}
	var e Encoder
	e.F64s([]float64{1, 2})
	e.Reset()
	if len(e.Bytes()) != 0 {
		t.Errorf("Reset left %d bytes", len(e.Bytes()))
	}
}

// TestDictRoundTrip: a status dictionary with every value kind reads back equal, bit for bit for
// floats (infinities and NaN included), and truncations are refused.
func TestDictRoundTrip(t *testing.T) {
	in := map[string]any{
		"f": math.Inf(1), "n": math.NaN(), "z": math.Copysign(0, -1), "i": int64(-3), "b": true, "s": "iaf",
		"fs": []float64{1.5, math.Inf(-1)}, "is": []int64{1, 2}, "us": []uint64{7}, "ss": []string{"V_m", ""},
		"d": map[string]any{"x": 1.0, "l": []any{int64(1), "a", []any{2.0}}}, "nil": nil,
	}
	var e Encoder
	if err := e.Dict(in); err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(e.Bytes(), "dict")
	out := d.Dict()
	if err := d.Done(); err != nil {
		t.Fatal(err)
	}
	if math.Float64bits(out["n"].(float64)) != math.Float64bits(math.NaN()) || math.Float64bits(out["z"].(float64)) != math.Float64bits(math.Copysign(0, -1)) {
		t.Errorf("NaN or -0 changed: %v %v", out["n"], out["z"])
	}
	delete(in, "n")
	delete(out, "n")
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip\n got %#v\nwant %#v", out, in)
	}
	for cut := 0; cut < len(e.Bytes()); cut++ {
		d := NewDecoder(e.Bytes()[:cut], "dict")
		d.Dict()
		if d.Done() == nil {
			t.Fatalf("truncated at %d: no error", cut)
		}
	}
	if err := (&Encoder{}).Dict(map[string]any{"c": complex(1, 2)}); err == nil {
		t.Error("a complex value was encoded")
	}
}
