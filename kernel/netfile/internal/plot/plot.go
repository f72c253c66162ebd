// Package plot draws the recorders of a run as PNG images (nest-mpi run --plot): a raster of
// spike times per sender coloured by population above the population rate, membrane traces per
// sender, and synaptic weights over time; time axes span the simulated interval, axes carry units,
// and an empty recorder's plot says "no events".
package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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
	p.X.Tick.Marker, p.Y.Tick.Marker = roundTicks{}, roundTicks{}
	return p
}

// roundTicks puts major ticks at multiples of 1, 2 or 5 times a power of ten (about five over
// the range), and four minor ticks between them.
type roundTicks struct{}

// Ticks implements plot.Ticker.
func (roundTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step := roundBin((hi - lo) / 4)
	if step == 0.1 && (hi-lo)/4 < 0.1 {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	var ticks []plot.Tick
	minor := step / 5
	for k := math.Ceil(lo / minor); k*minor <= hi+1e-9*step; k++ {
		x := k * minor
		if m := x / step; math.Abs(m-math.Round(m)) < 1e-6 {
			x = math.Round(m) * step
			ticks = append(ticks, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', 6, 64)})
		} else {
			ticks = append(ticks, plot.Tick{Value: x})
		}
	}
	return ticks
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

// Population is a named block of node ids [First, Last] (a Create's "as" name), for colouring.
type Population struct {
	Name        string
	First, Last int64
}

// Options are what a plot needs besides the events: the simulated interval [Start, End] (ms),
// which the time axis spans, and the populations of the senders.
type Options struct {
	Start, End  float64
	Populations []Population
}

// timeAxis makes the x axis span the simulated interval (when known) with round ticks.
func (o Options) timeAxis(p *plot.Plot) {
	if o.End > o.Start {
		p.X.Min, p.X.Max = o.Start, o.End
	}
}

// noEvents writes "no events" in the middle of an empty plot's frame.
func noEvents(p *plot.Plot, o Options) error {
	x0, x1 := 0.0, 1.0
	if o.End > o.Start {
		x0, x1 = o.Start, o.End
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = x0, x1, 0, 1
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: (x0 + x1) / 2, Y: 0.5}}, Labels: []string{"no events"}})
	if err != nil {
		return err
	}
	l.TextStyle[0].XAlign, l.TextStyle[0].YAlign = draw.XCenter, draw.YCenter
	l.TextStyle[0].Font.Size = vg.Points(16)
	p.Add(l)
	p.HideY()
	return nil
}

// population returns the index of the population holding id, or -1.
func (o Options) population(id int64) int {
	for i, pop := range o.Populations {
		if id >= pop.First && id <= pop.Last {
			return i
		}
	}
	return -1
}

// Raster draws spike times (x, ms) against the sending neuron's id (y), coloured by population,
// above a histogram of the population rate (spikes/s per neuron, the senders that fired counted
// as the population) in round bins of about a hundredth of the interval.
func Raster(w io.Writer, title string, times []float64, senders []int64, o Options) error {
	top := newPlot(title, "", "neuron id")
	o.timeAxis(top)
	if len(times) == 0 {
		if err := noEvents(top, o); err != nil {
			return err
		}
		top.X.Label.Text = "time (ms)"
		return save(w, top)
	}
	if err := o.addRasterPoints(top, times, senders); err != nil {
		return err
	}
	bottom := newPlot("", "time (ms)", "rate (spikes/s)")
	o.timeAxis(bottom)
	if err := o.addRateHistogram(bottom, times, senders); err != nil {
		return err
	}
	return saveStack(w, top, bottom)
}

// addRasterPoints adds one scatter per population (and one for ids outside every population).
func (o Options) addRasterPoints(p *plot.Plot, times []float64, senders []int64) error {
	stride := 1
	if len(times) > maxPoints {
		stride = (len(times) + maxPoints - 1) / maxPoints
		p.Title.Text = thinned(p.Title.Text, stride)
	}
	groups := make([]plotter.XYs, len(o.Populations)+1)
	hiID := 1.0
	for i := 0; i < len(times); i += stride {
		g := o.population(senders[i]) + 1
		if finite(times[i], float64(senders[i])) {
			groups[g] = append(groups[g], plotter.XY{X: times[i], Y: float64(senders[i])})
		}
	}
	for g, xys := range groups {
		if len(xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle.Shape = draw.BoxGlyph{}
		s.GlyphStyle.Radius = glyphRadius(len(times) / stride)
		s.GlyphStyle.Color = color.Black
		if g > 0 {
			s.GlyphStyle.Color = plotutil.Color(g - 1)
			thumb := *s // a legend glyph large enough to show the colour
			thumb.GlyphStyle.Radius = vg.Points(3)
			p.Legend.Add(o.Populations[g-1].Name, &thumb)
		}
		p.Add(s)
		for _, xy := range xys {
			hiID = math.Max(hiID, xy.Y)
		}
	}
	// The legend sits in a band above the highest id, not on the points.
	p.Y.Min, p.Y.Max = 0, hiID*(1+0.06*float64(len(o.Populations)+1))
	p.Legend.Top, p.Legend.Left = true, false
	return nil
}

// addRateHistogram adds the rate of the senders in round bins: spikes in a bin / (senders · bin s).
func (o Options) addRateHistogram(p *plot.Plot, times []float64, senders []int64) error {
	lo, hi := o.Start, o.End
	if !(hi > lo) {
		lo, hi = times[0], times[0]
		for _, t := range times {
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
		hi = math.Max(hi, lo+1)
	}
	bin := roundBin((hi - lo) / 100)
	n := int(math.Ceil((hi - lo) / bin))
	counts := make([]float64, n)
	ids := map[int64]bool{}
	for i, t := range times {
		if k := int((t - lo) / bin); k >= 0 && k < n {
			counts[k]++
		}
		ids[senders[i]] = true
	}
	xys := make(plotter.XYs, 0, 2*n)
	for k, c := range counts {
		r := c / float64(len(ids)) / (bin / 1000)
		xys = append(xys, plotter.XY{X: lo + float64(k)*bin, Y: r}, plotter.XY{X: lo + float64(k+1)*bin, Y: r})
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.FillColor = color.Gray{Y: 170}
	l.LineStyle.Width = vg.Points(0.5)
	p.Add(l)
	p.Y.Min = 0
	p.Title.Text = fmt.Sprintf("rate of the neurons that fired (%d), bins of %g ms", len(ids), bin)
	p.Title.TextStyle.Font.Size = vg.Points(9)
	return nil
}

// roundBin is the largest of 1, 2 or 5 times a power of ten not above x (at least the 0.1 ms
// step).
func roundBin(x float64) float64 {
	if !(x > 0.1) {
		return 0.1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{5, 2, 1} {
		if m*e <= x {
			return m * e
		}
	}
	return e
}

// saveStack writes top above bottom, their time axes aligned.
func saveStack(w io.Writer, top, bottom *plot.Plot) error {
	img := vgimg.New(width, 2*height*4/5)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(6), PadTop: vg.Points(2), PadBottom: vg.Points(2)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	png := vgimg.PngCanvas{Canvas: img}
	_, err := png.WriteTo(w)
	return err
}

// Traces draws one recorded variable over time, one line per sender (at most maxTraces senders).
func Traces(w io.Writer, title, variable string, times []float64, senders []int64, values []float64, o Options) error {
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
	p := newPlot(title, "time (ms)", withUnit(variable))
	o.timeAxis(p)
	if len(ids) == 0 {
		if err := noEvents(p, o); err != nil {
			return err
		}
		return save(w, p)
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
	if len(ids) > 1 { // the legend sits above the traces, not on them
		lo, hi := p.Y.Min, p.Y.Max
		p.Y.Max = hi + 0.35*(hi-lo)
	}
	return save(w, p)
}

// withUnit labels a recordable with its unit by NEST's naming: V_ and E_ are mV, I_ pA, g_ nS.
func withUnit(v string) string {
	for _, u := range []struct{ prefix, unit string }{{"V_", "mV"}, {"E_", "mV"}, {"I_", "pA"}, {"g_", "nS"}, {"U_m", "mV"}} {
		if strings.HasPrefix(v, u.prefix) {
			return v + " (" + u.unit + ")"
		}
	}
	return v
}

// Weights draws synaptic weights (y) against time (x).
func Weights(w io.Writer, title string, times, weights []float64, o Options) error {
	xys, stride := points(times, func(i int) float64 { return weights[i] }, maxPoints)
	p := newPlot(thinned(title, stride), "time (ms)", "weight (pA, or mV for delta synapses)")
	o.timeAxis(p)
	if len(xys) > 0 {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Radius = glyphRadius(len(xys))
		p.Add(s)
	} else if err := noEvents(p, o); err != nil {
		return err
	}
	return save(w, p)
}
