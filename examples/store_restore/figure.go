package main

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// palette gives each run its colour (matplotlib's first five, as the example's figure).
var palette = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255}}

// drawFigure writes the rasters of every run (left column: the initial one; right: the others)
// and the excitatory weight distributions at their ends.
func drawFigure(runs []runResult, name string) error {
	const rows = 4
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, 2)
	}
	for i, r := range runs {
		p, err := raster(r, palette[i%len(palette)])
		if err != nil {
			return err
		}
		if i == 0 {
			grid[0][0] = p
		} else {
			grid[i-1][1] = p
		}
	}
	h, err := weightHistograms(runs)
	if err != nil {
		return err
	}
	grid[1][0] = h
	img := vgimg.New(10*vg.Inch, 8*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: 2, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 4, PadBottom: vg.Millimeter * 4, PadLeft: vg.Millimeter * 4, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return writePNG(img, name)
}

func raster(r runResult, c color.RGBA) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = r.label
	p.X.Label.Text = "time (ms)"
	p.Y.Label.Text = "neuron id"
	p.X.Min, p.X.Max = r.t0, r.t1
	p.Y.Min, p.Y.Max = 0, 101
	if len(r.times) == 0 {
		return p, nil
	}
	pts := make(plotter.XYs, len(r.times))
	for i := range r.times {
		pts[i].X, pts[i].Y = r.times[i], r.senders[i]
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Radius = vg.Points(0.8)
	s.GlyphStyle.Color = c
	p.Add(s)
	return p, nil
}

func weightHistograms(runs []runResult) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "excitatory weights at the end of each run"
	p.X.Label.Text = "weight (mV)"
	p.Y.Label.Text = "probability density"
	p.Legend.Top, p.Legend.Left = true, true
	for i, r := range runs {
		h, err := plotter.NewHist(plotter.Values(r.weights), 70)
		if err != nil {
			return nil, err
		}
		h.Normalize(1)
		h.FillColor = nil
		h.LineStyle.Color = palette[i%len(palette)]
		h.LineStyle.Width = vg.Points(1.2)
		p.Add(h)
		p.Legend.Add(r.label, h)
	}
	return p, nil
}

func writePNG(img *vgimg.Canvas, name string) error {
	f, err := createFile(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(f)
	return err
}
