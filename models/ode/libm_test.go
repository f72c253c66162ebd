package ode

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// readBits reads rows of hexadecimal IEEE-754 bit patterns from testdata.
func readBits(t *testing.T, name string) [][]float64 {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "#") {
			continue
		}
		var row []float64
		for _, w := range strings.Fields(s.Text()) {
			u, err := strconv.ParseUint(w, 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			row = append(row, math.Float64frombits(u))
		}
		rows = append(rows, row)
	}
	return rows
}

// TestExpTable checks the computed table against entries of the published one.
func TestExpTable(t *testing.T) {
	want := map[int]uint64{0: 0, 1: 0x3ff0000000000000, 2: 0x3c9b3b4f1a88bf6e, 3: 0x3feff63da9fb3335,
		4: 0xbc7160139cd8dc5d, 5: 0x3fefec9a3e778061, 9: 0x3fefd9b0d3158574}
	for i, w := range want {
		if expTab[i] != w {
			t.Errorf("tab[%d] = %#x, want %#x", i, expTab[i], w)
		}
	}
}

// TestExpGlibc: Exp gives glibc's bits on every recorded argument.
func TestExpGlibc(t *testing.T) {
	bad := 0
	for _, r := range readBits(t, "glibc_exp.txt") {
		if got := Exp(r[0]); math.Float64bits(got) != math.Float64bits(r[1]) {
			if bad++; bad < 10 {
				t.Errorf("Exp(%v) = %v, glibc %v", r[0], got, r[1])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d mismatches", bad)
	}
}

// TestPowGlibc: Pow, correctly rounded, gives glibc's bits on all but a small fraction of the
// recorded arguments (y = 1/5, 1/6 as the control uses them, and others), and is never more than
// one ulp away. (math.Pow differs on about half of them.)
func TestPowGlibc(t *testing.T) {
	rows := readBits(t, "glibc_pow.txt")
	bad := 0
	for _, r := range rows {
		got := Pow(r[0], r[1])
		if math.Float64bits(got) == math.Float64bits(r[2]) {
			continue
		}
		bad++
		if d := int64(math.Float64bits(got)) - int64(math.Float64bits(r[2])); d != 1 && d != -1 {
			t.Errorf("Pow(%v, %v) = %v, glibc %v: %d ulp apart", r[0], r[1], got, r[2], d)
		}
	}
	t.Logf("%d of %d differ from glibc by one ulp", bad, len(rows))
	if bad > len(rows)/500 {
		t.Errorf("%d of %d differ from glibc", bad, len(rows))
	}
}

func BenchmarkExp(b *testing.B) {
	x := 0.0
	for b.Loop() {
		x += Exp(-1.2345 + x*1e-300)
	}
}

func BenchmarkPow(b *testing.B) {
	x := 0.0
	for b.Loop() {
		x += Pow(0.0123+x*1e-300, 0.2)
	}
}
