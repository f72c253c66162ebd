package kernel

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/state"
)

// A coded weight column returns every weight added or set, bit for bit, in every coding: one
// value (no codes), a few values (one byte each), and past 256 distinct values (plain).
func TestWeightColumn(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		name      string
		weights   []float64
		wantBytes int
	}{
		{"empty", nil, 0},
		{"one value", []float64{2.5, 2.5, 2.5}, 0},
		{"two values", []float64{2.5, -11.25, 2.5, 2.5, -11.25}, 1},
		{"signed zeros stay apart", []float64{0, negZero, 0, negZero}, 1},
		{"200 values twice (the index)", append(ramp(200), ramp(200)...), 1},
		{"257 values", ramp(300), 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			col := codedCol(c.weights)
			checkWeights(t, &col, c.weights)
			if len(c.weights) > 0 && col.bytesPer() != c.wantBytes {
				t.Errorf("%d bytes per weight, want %d", col.bytesPer(), c.wantBytes)
			}
			if len(c.weights) > 1 { // set: a value already there, a new one
				col.set(1, c.weights[0])
				c.weights[1] = c.weights[0]
				col.set(0, 1e-3)
				c.weights[0] = 1e-3
				checkWeights(t, &col, c.weights)
			}
			var plain, coded state.Encoder
			plain.F64s(c.weights)
			col.encode(&coded)
			if !bytes.Equal(plain.Bytes(), coded.Bytes()) {
				t.Error("encoded column differs from the plain array's encoding")
			}
			col.truncate(len(c.weights) / 2)
			checkWeights(t, &col, c.weights[:len(c.weights)/2])
		})
	}
}

func wordRamp(n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i % 280)
	}
	return out
}

func ramp(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i%280) * 0.5
	}
	return out
}

func checkWeights(t *testing.T, col *weightCol, want []float64) {
	t.Helper()
	if col.len() != len(want) {
		t.Fatalf("%d weights, want %d", col.len(), len(want))
	}
	for i, w := range want {
		if math.Float64bits(col.at(i)) != math.Float64bits(w) {
			t.Fatalf("weight %d = %v, want %v", i, col.at(i), w)
		}
	}
}

// A delay column is constant while every word is equal, coded while it holds at most 256
// distinct words, plain beyond.
func TestDelayColumn(t *testing.T) {
	for _, c := range []struct {
		name      string
		words     []uint32
		wantBytes int
	}{
		{"one word", []uint32{15, 15, 15}, 0},
		{"two words", []uint32{15, 15, 16, 15}, 1},
		{"257 words", wordRamp(300), 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			col := codedCol(c.words)
			if col.bytesPer() != c.wantBytes {
				t.Errorf("%d bytes per word, want %d", col.bytesPer(), c.wantBytes)
			}
			for i, w := range c.words {
				if col.at(i) != w {
					t.Fatalf("word %d = %d, want %d", i, col.at(i), w)
				}
			}
			var plain, enc state.Encoder
			plain.U32s(c.words)
			col.encode(&enc)
			if !bytes.Equal(plain.Bytes(), enc.Bytes()) {
				t.Error("encoded column differs from the plain array's encoding")
			}
			col.set(0, 99)
			if col.at(0) != 99 || col.at(1) != c.words[1] || col.bytesPer() < 1 {
				t.Errorf("after set: %d, %d (%d bytes per word)", col.at(0), col.at(1), col.bytesPer())
			}
		})
	}
}

// Restored columns are coded like built ones.
func TestColumnsOf(t *testing.T) {
	w := columnOf([]float64{1, 1, -4}, false)
	if !w.coded || w.bytesPer() != 1 || w.at(2) != -4 {
		t.Errorf("weightColOf: coded %v, %d bytes, weight 2 = %v", w.coded, w.bytesPer(), w.at(2))
	}
	if w := columnOf(ramp(300), false); w.coded {
		t.Error("columnOf(300 distinct values) is coded")
	}
	if w := columnOf([]float64{1}, true); w.coded {
		t.Error("columnOf(keepPlain) is coded")
	}
	if dr := columnOf([]uint32{3, 3}, false); !dr.constant() || dr.at(1) != 3 {
		t.Error("columnOf(equal words) is not constant")
	}
	if dr := columnOf([]uint32{3, 4}, false); dr.constant() || !dr.coded {
		t.Error("columnOf(two words) is not coded or is constant")
	}
}

// encodeCoded and decodeCoded round-trip every coding; a code beyond the dictionary is refused.
func TestCodedColumnRoundTrip(t *testing.T) {
	for _, weights := range [][]float64{nil, {2.5, 2.5}, {2.5, -1, 2.5, 7}, append(ramp(200), ramp(200)...), ramp(300)} {
		col := newDictCol[float64](false)
		for _, w := range weights {
			col.add(w)
		}
		var e state.Encoder
		col.encodeCoded(&e)
		d := state.NewDecoder(e.Bytes(), "test")
		got := decodeCoded(d, "weights", d.F64s)
		if err := d.Done(); err != nil {
			t.Fatal(err)
		}
		if got.coded != col.coded || got.bytesPer() != col.bytesPer() {
			t.Errorf("%d weights: decoded coding %v/%d bytes, written %v/%d", len(weights), got.coded, got.bytesPer(), col.coded, col.bytesPer())
		}
		checkWeights(t, &got, weights)
		if len(weights) > 200 && got.coded { // the index works after decoding
			got.add(weights[150])
			checkWeights(t, &got, append(slices.Clone(weights), weights[150]))
		}
	}
	col := newDictCol[float64](false)
	for _, w := range []float64{1, 2, 1} {
		col.add(w)
	}
	var e state.Encoder
	col.encodeCoded(&e)
	b := e.Bytes()
	b[len(b)-1] = 9 // the last code
	d := state.NewDecoder(b, "test")
	decodeCoded(d, "weights", d.F64s)
	if d.Err() == nil {
		t.Error("a code beyond the dictionary was accepted")
	}
}

// codedCol returns a coded column holding vs, added one by one into reserved room.
func codedCol[T float64 | uint32](vs []T) dictCol[T] {
	col := newDictCol[T](false)
	col.reserve(len(vs))
	for _, v := range vs {
		col.add(v)
	}
	return col
}

// TestHoldsOnly checks when a fill of one value may be skipped: only when the column is coded
// and every value is that value, bit for bit.
func TestHoldsOnly(t *testing.T) {
	constant := newDictCol[float64](false)
	constant.add(1.5)
	constant.add(1.5)
	two := newDictCol[float64](false)
	two.add(1.5)
	two.add(2.5)
	plain := newDictCol[float64](true)
	plain.add(1.5)
	negZero := newDictCol[float64](false)
	negZero.add(0)
	for _, tc := range []struct {
		name string
		c    dictCol[float64]
		v    float64
		want bool
	}{
		{"empty", newDictCol[float64](false), 1.5, false},
		{"constant, same value", constant, 1.5, true},
		{"constant, other value", constant, 2.5, false},
		{"two values", two, 1.5, false},
		{"plain", plain, 1.5, false},
		{"zero, not negative zero", negZero, math.Copysign(0, -1), false},
	} {
		if got := tc.c.holdsOnly(tc.v); got != tc.want {
			t.Errorf("%s: holdsOnly(%g) = %v, want %v", tc.name, tc.v, got, tc.want)
		}
	}
}
