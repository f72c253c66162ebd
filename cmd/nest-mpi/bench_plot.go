package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// scalingTable holds the rows of a scaling run, one per configuration, in bench.csv's columns.
type scalingTable struct {
	name string
	weak bool
	cfgs []scalingConfig
	rows []map[string]string
}

func newScalingTable(name string, f scalingFlags, rows []map[string]string) *scalingTable {
	return &scalingTable{name: name, weak: f.weak, cfgs: f.configs, rows: rows}
}

func (t *scalingTable) num(i int, col string) float64 {
	x, err := strconv.ParseFloat(t.rows[i][col], 64)
	if err != nil {
		return math.NaN()
	}
	return x
}

// speedup is T_first/T_i of the simulation wall time: the speed-up (strong scaling; ideal
// VPs_i/VPs_first) or the efficiency (weak scaling; ideal 1).
func (t *scalingTable) speedup(i int) (got, ideal float64) {
	got = t.num(0, "simulate_s") / t.num(i, "simulate_s")
	if t.weak {
		return got, 1
	}
	return got, float64(t.cfgs[i].VPs()) / float64(t.cfgs[0].VPs())
}

// phases are the real-time factor's parts (wall seconds per simulated second): update, deliver,
// exchange (collocate + communicate), Prepare (where deferred connections are placed) and the
// rest of Simulate.
func (t *scalingTable) phases(i int) [5]float64 {
	bio := t.num(i, "model_time_sim") / 1000
	up, del := t.num(i, "time_update")/bio, t.num(i, "time_deliver_spike_data")/bio
	ex := (t.num(i, "time_collocate_spike_data") + t.num(i, "time_communicate_spike_data")) / bio
	prep := t.num(i, "time_communicate_prepare") / bio
	return [5]float64{up, del, ex, prep, max(0, t.num(i, "rtf")-up-del-ex-prep)}
}

var phaseNames = [5]string{"update", "deliver", "exchange (collocate + communicate)", "prepare (placing connections)", "other"}

func (t *scalingTable) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench scaling: %w", err)
	}
	var csvb, md strings.Builder
	cols := benchColumns()
	csvb.WriteString("config," + strings.Join(cols, ",") + "\n")
	kind := "speed-up (ideal)"
	if t.weak {
		kind = "efficiency (ideal 1)"
	}
	fmt.Fprintf(&md, "| config (ranks x threads) | VPs | scale | build (s) | simulate (s) | rtf | update (s) | deliver (s) | exchange (s) | peak per rank (GiB) | %s |\n|---|---|---|---|---|---|---|---|---|---|---|\n", kind)
	for i, cfg := range t.cfgs {
		vals := make([]string, len(cols))
		for j, c := range cols {
			vals[j] = t.rows[i][c]
		}
		csvb.WriteString(cfg.String() + "," + strings.Join(vals, ",") + "\n")
		s, ideal := t.speedup(i)
		fmt.Fprintf(&md, "| %s | %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f (%.0f) |\n", cfg, cfg.VPs(), t.rows[i]["scale"],
			t.num(i, "build_s"), t.num(i, "simulate_s"), t.num(i, "rtf"), t.num(i, "time_update"), t.num(i, "time_deliver_spike_data"),
			t.num(i, "time_collocate_spike_data")+t.num(i, "time_communicate_spike_data"), t.num(i, "peak_rss_bytes")/(1<<30), s, ideal)
	}
	for name, data := range map[string]string{"scaling.csv": csvb.String(), "scaling.md": md.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			return fmt.Errorf("bench scaling: %w", err)
		}
	}
	if err := t.plotPhases(filepath.Join(dir, "rtf_phases.png")); err != nil {
		return err
	}
	return t.plotSpeedup(filepath.Join(dir, "speedup.png"))
}

var phaseColors = [5]color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {148, 103, 189, 255}, {160, 160, 160, 255}}

// plotPhases draws the real-time factor of every configuration as a bar stacked from its phases.
func (t *scalingTable) plotPhases(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: real-time factor by phase", t.name)
	p.X.Label.Text = "configuration (ranks x threads)"
	p.Y.Label.Text = "real-time factor (wall s per simulated s)"
	p.Add(plotter.NewGrid())
	var below *plotter.BarChart
	top := 0.0
	for k := range phaseNames {
		vals := make(plotter.Values, len(t.cfgs))
		for i := range t.cfgs {
			vals[i] = t.phases(i)[k]
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(28))
		if err != nil {
			return fmt.Errorf("bench scaling: plot: %w", err)
		}
		bars.Color, bars.LineStyle.Width = phaseColors[k], 0
		if below != nil {
			bars.StackOn(below)
		}
		p.Add(bars)
		p.Legend.Add(phaseNames[k], bars)
		below = bars
	}
	for i := range t.cfgs {
		top = max(top, t.num(i, "rtf"))
	}
	names := make([]string, len(t.cfgs))
	for i, c := range t.cfgs {
		names[i] = c.String()
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.Y.Min, p.Y.Max = 0, roundUp(1.45*top) // room above the bars for the legend
	p.Legend.Top, p.Legend.Left = true, false
	return savePlot(p, path)
}

// plotSpeedup draws the speed-up (or weak-scaling efficiency) against the number of VPs, with
// the ideal.
func (t *scalingTable) plotSpeedup(path string) error {
	p := plot.New()
	p.Add(plotter.NewGrid())
	p.X.Label.Text = "virtual processes (ranks x threads)"
	if t.weak {
		p.Title.Text = fmt.Sprintf("%s: weak scaling", t.name)
		p.Y.Label.Text = "efficiency T(first) / T (1: ideal)"
	} else {
		p.Title.Text = fmt.Sprintf("%s: strong scaling", t.name)
		p.Y.Label.Text = "speed-up T(first) / T"
	}
	ideal := make(plotter.XYs, len(t.cfgs))
	top := 0.0
	for i, c := range t.cfgs {
		s, id := t.speedup(i)
		ideal[i] = plotter.XY{X: float64(c.VPs()), Y: id}
		top = max(top, s, id)
	}
	lid, err := plotter.NewLine(ideal)
	if err != nil {
		return fmt.Errorf("bench scaling: plot: %w", err)
	}
	lid.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	lid.Color = color.Gray{Y: 90}
	p.Add(lid)
	for k, g := range t.groups() {
		lg, pts, err := plotter.NewLinePoints(g.xy)
		if err != nil {
			return fmt.Errorf("bench scaling: plot: %w", err)
		}
		lg.Color, pts.Color, pts.Shape = phaseColors[k%3], phaseColors[k%3], draw.CircleGlyph{}
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: g.xy, Labels: g.names})
		if err != nil {
			return fmt.Errorf("bench scaling: plot: %w", err)
		}
		labels.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(4)}
		p.Add(lg, pts, labels)
		p.Legend.Add(g.title, lg, pts)
	}
	p.Legend.Add("ideal", lid)
	p.Legend.Top, p.Legend.Left = true, true
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0, roundUp(1.4*top)
	for _, c := range t.cfgs {
		p.X.Max = max(p.X.Max, float64(c.VPs())+1)
	}
	return savePlot(p, path)
}

// roundUp is the smallest of 1, 2, 2.5, 5 times a power of ten at or above x (x > 0), so the
// axis ends on a round value.
func roundUp(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*e >= x {
			return m * e
		}
	}
	return 10 * e
}

func savePlot(p *plot.Plot, path string) error {
	if err := p.Save(8*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return fmt.Errorf("bench scaling: %s: %w", path, err)
	}
	return nil
}

// speedupGroup is one line of the speed-up plot: the configurations with one number of threads
// per rank, in the order given.
type speedupGroup struct {
	title string
	xy    plotter.XYs
	names []string
}

// groups splits the configurations by threads per rank (ranks vary along a line), and adds the
// single-rank configurations as a line of their own when threads vary there.
func (t *scalingTable) groups() []speedupGroup {
	var out []speedupGroup
	add := func(title string, keep func(scalingConfig) bool) {
		g := speedupGroup{title: title}
		for i, c := range t.cfgs {
			if keep(c) {
				s, _ := t.speedup(i)
				g.xy = append(g.xy, plotter.XY{X: float64(c.VPs()), Y: s})
				g.names = append(g.names, c.String())
			}
		}
		if len(g.xy) > 0 {
			out = append(out, g)
		}
	}
	seen := map[int]bool{}
	for _, c := range t.cfgs {
		if !seen[c.Threads] {
			seen[c.Threads] = true
			th := c.Threads
			add(fmt.Sprintf("ranks x %d thread(s)", th), func(x scalingConfig) bool { return x.Threads == th })
		}
	}
	if len(seen) > 1 {
		add("1 rank x threads", func(x scalingConfig) bool { return x.Ranks == 1 })
	}
	return out
}
