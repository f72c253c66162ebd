// Package plot draws the recorders of a run as PNG images (nest-mpi run --plot): a raster of
// spike times per sender, membrane traces per sender, and synaptic weights over time.
package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Limits that keep plots of large runs readable and quick to draw.
const (
	maxPoints      = 200_000 // points of a raster or weight plot (evenly thinned beyond)
	maxTraces      = 10      // senders of a trace plot (the lowest ids)
	maxTracePoints = 20_000  // points per trace (evenly thinned beyond)
)

var (
	width  = 8 * vg.Inch
	height = 4 * vg.Inch
)

func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	return p
}

func save(w io.Writer, p *plot.Plot) error {
	wt, err := p.WriterTo(width, height, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

func finite(x, y float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && !math.IsNaN(y) && !math.IsInf(y, 0)
}

// points returns the finite (x[i], y(i)) pairs, thinned evenly to at most limit points.
func points(xs []float64, y func(int) float64, limit int) (plotter.XYs, int) {
	stride := 1
	if len(xs) > limit {
		stride = (len(xs) + limit - 1) / limit
	}
	out := make(plotter.XYs, 0, len(xs)/stride+1)
	for i := 0; i < len(xs); i += stride {
		if yi := y(i); finite(xs[i], yi) {
			out = append(out, plotter.XY{X: xs[i], Y: yi})
		}
	}
	return out, stride
}

func thinned(title string, stride int) string {
	if stride > 1 {
		return fmt.Sprintf("%s (every %d. point)", title, stride)
	}
	return title
}

// glyphRadius makes few points visible and many points distinguishable.
func glyphRadius(n int) vg.Length {
	switch {
	case n < 1000:
		return vg.Points(2)
	case n < 20000:
		return vg.Points(1)
	}
	return vg.Points(0.5)
}

// Raster draws spike times (x) against senders (y).
func Raster(w io.Writer, title string, times []float64, senders []int64) error {
	xys, stride := points(times, func(i int) float64 { return float64(senders[i]) }, maxPoints)
	p := newPlot(thinned(title, stride), "time (ms)", "sender")
	if len(xys) > 0 {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle.Shape = draw.BoxGlyph{}
		s.GlyphStyle.Radius = glyphRadius(len(xys))
		s.GlyphStyle.Color = color.Black
		p.Add(s)
	} else {
		p.Title.Text += " (no events)"
	}
	return save(w, p)
}

// Traces draws one recorded variable over time, one line per sender (at most maxTraces senders).
func Traces(w io.Writer, title, variable string, times []float64, senders []int64, values []float64) error {
	bySender := map[int64][]int{}
	for i, s := range senders {
		bySender[s] = append(bySender[s], i)
	}
	ids := make([]int64, 0, len(bySender))
	for s := range bySender {
		ids = append(ids, s)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	if len(ids) > maxTraces {
		title = fmt.Sprintf("%s (senders %d..%d of %d)", title, ids[0], ids[maxTraces-1], len(ids))
		ids = ids[:maxTraces]
	}
	p := newPlot(title, "time (ms)", variable)
	if len(ids) == 0 {
		p.Title.Text += " (no events)"
	}
	for j, s := range ids {
		idx := bySender[s]
		xs := make([]float64, len(idx))
		for n, i := range idx {
			xs[n] = times[i]
		}
		xys, _ := points(xs, func(n int) float64 { return values[idx[n]] }, maxTracePoints)
		if len(xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.LineStyle.Color = plotutil.Color(j)
		l.LineStyle.Width = vg.Points(1)
		p.Add(l)
		if len(ids) > 1 {
			p.Legend.Add(fmt.Sprintf("%d", s), l)
		}
	}
	p.Legend.Top = true
	return save(w, p)
}

// Weights draws synaptic weights (y) against time (x).
func Weights(w io.Writer, title string, times, weights []float64) error {
	xys, stride := points(times, func(i int) float64 { return weights[i] }, maxPoints)
	p := newPlot(thinned(title, stride), "time (ms)", "weight")
	if len(xys) > 0 {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Radius = glyphRadius(len(xys))
		p.Add(s)
	} else {
		p.Title.Text += " (no events)"
	}
	return save(w, p)
}
