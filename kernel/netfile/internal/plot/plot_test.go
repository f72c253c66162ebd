package plot

import (
	"bytes"
	"fmt"
	"math"
	"testing"
)

func isPNG(t *testing.T, name string, b *bytes.Buffer, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s: not a PNG", name)
	}
}

func TestPlots(t *testing.T) {
	var times, values []float64
	var senders []int64
	for i := 0; i < 3000; i++ {
		times = append(times, float64(i/15))
		senders = append(senders, int64(i%15+1)) // 15 senders: more than maxTraces
		values = append(values, -70+math.Sin(float64(i)/100))
	}
	values[7] = math.NaN()
	values[8] = math.Inf(1)
	var b bytes.Buffer
	isPNG(t, "raster", &b, Raster(&b, "spikes", times, senders, Options{Start: 0, End: 250, Populations: []Population{{"E", 1, 8}, {"I", 9, 12}}}))
	b.Reset()
	isPNG(t, "traces", &b, Traces(&b, "mm: V_m", "V_m", times, senders, values, Options{End: 200}))
	b.Reset()
	isPNG(t, "weights", &b, Weights(&b, "weights", times, values, Options{}))
	b.Reset()
	isPNG(t, "empty raster", &b, Raster(&b, "none", nil, nil, Options{End: 100}))
	b.Reset()
	isPNG(t, "empty traces", &b, Traces(&b, "none", "V_m", nil, nil, nil, Options{}))
	b.Reset()
	isPNG(t, "one trace", &b, Traces(&b, "one", "V_m", []float64{1, 2}, []int64{3, 3}, []float64{-70, -69}, Options{}))
}

func TestPoints(t *testing.T) {
	xs := make([]float64, 10)
	for i := range xs {
		xs[i] = float64(i)
	}
	pts, stride := points(xs, func(i int) float64 { return xs[i] }, 4)
	if stride != 3 || len(pts) != 4 || pts[1].X != 3 {
		t.Errorf("points: stride %d, %v", stride, pts)
	}
}

func TestRoundBinAndUnits(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{{0.05, 0.1}, {3, 2}, {7.5, 5}, {10, 10}, {12, 10}, {260, 200}} {
		if got := roundBin(c.x); got != c.want {
			t.Errorf("roundBin(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	for _, c := range []struct{ v, want string }{{"V_m", "V_m (mV)"}, {"I_syn_ex", "I_syn_ex (pA)"}, {"g_ex", "g_ex (nS)"}, {"w", "w"}} {
		if got := withUnit(c.v); got != c.want {
			t.Errorf("withUnit(%q) = %q", c.v, got)
		}
	}
}

func TestRoundTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{{-69.5, -55.2, []float64{-68, -66, -64, -62, -60, -58, -56}}, {0, 1000, []float64{0, 200, 400, 600, 800, 1000}}} {
		var got []float64
		for _, tk := range (roundTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ticks of [%g, %g] = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}
