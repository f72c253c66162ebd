package plot

import (
	"bytes"
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
	isPNG(t, "raster", &b, Raster(&b, "spikes", times, senders))
	b.Reset()
	isPNG(t, "traces", &b, Traces(&b, "mm: V_m", "V_m", times, senders, values))
	b.Reset()
	isPNG(t, "weights", &b, Weights(&b, "weights", times, values))
	b.Reset()
	isPNG(t, "empty raster", &b, Raster(&b, "none", nil, nil))
	b.Reset()
	isPNG(t, "empty traces", &b, Traces(&b, "none", "V_m", nil, nil, nil))
	b.Reset()
	isPNG(t, "one trace", &b, Traces(&b, "one", "V_m", []float64{1, 2}, []int64{3, 3}, []float64{-70, -69}))
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
