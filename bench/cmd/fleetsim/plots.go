package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/resilient-go/resilient/bench/fleetsim"
)

// plotName is the file of one fleet size's timeline through one trigger,
// relative to the page.
func plotName(n int, trig fleetsim.Trigger) string {
	return fmt.Sprintf("fleet-scale/n%d-%s.png", n, trig.Name())
}

// plot writes one timeline per fleet size and trigger.
func (r *report) plot(dir string) error {
	for _, f := range r.fleets {
		for _, trig := range fleetsim.Triggers() {
			path := filepath.Join(dir, filepath.Base(plotName(f.n, trig)))
			if err := timeline(f, trig, r.kinds, path); err != nil {
				return fmt.Errorf("plot %d clients, %s: %w", f.n, trig.Name(), err)
			}
		}
	}
	return nil
}

// panel is one quantity over time, drawn from each second of a run.
type panel struct {
	label string
	of    func(s fleetsim.Second) (float64, bool) // false: no point this second
	min   float64
	max   float64 // 0: from the data
}

var panels = []panel{
	{"goodput (% of the calls\nstarted that second)", func(s fleetsim.Second) (float64, bool) {
		return 100 * float64(s.GoodOfOffered) / float64(s.Offered), s.Offered > 0
	}, 0, 105},
	{"backend requests\n(× calls offered)", func(s fleetsim.Second) (float64, bool) { return s.Load(), s.Offered > 0 }, 0, 0},
	{"backend queue depth\n(deepest that second)", func(s fleetsim.Second) (float64, bool) { return float64(s.QueueMax), true }, 0, 0},
	// A second without work wasted none of it.
	{"backend work wasted\n(% of work, callers gone)", func(s fleetsim.Second) (float64, bool) { return 100 * s.Wasted(), true }, 0, 105},
}

// timeline draws the panels over the run's time, one line per kind, with
// the trigger's start and end marked.
func timeline(f *fleet, trig fleetsim.Trigger, kinds []fleetsim.Kind, path string) error {
	cfg := f.cfg
	end := cfg.Duration().Seconds()
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Y.Label.Text = pn.label
		p.Y.Min = pn.min
		top := pn.max
		for k, res := range f.runs[trig] {
			var pts plotter.XYs
			for sec, s := range res.Seconds {
				x := float64(sec) + 0.5
				if x > end {
					break
				}
				if v, ok := pn.of(s); ok {
					pts = append(pts, plotter.XY{X: x, Y: v})
					if pn.max == 0 {
						top = max(top, v)
					}
				}
			}
			if len(pts) == 0 {
				continue
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color = plotutil.Color(k)
			l.Width = vg.Points(1.2)
			if kinds[k].Ours {
				l.Width = vg.Points(2.2)
			} else {
				l.Dashes = plotutil.Dashes(k % 4)
			}
			p.Add(l)
			if i == 0 {
				p.Legend.Add(kinds[k].Name, l)
			}
		}
		if pn.max == 0 {
			top = max(1, top*1.1)
		}
		p.Y.Max = top
		p.X.Min, p.X.Max = 0, end
		if err := triggerLines(p, cfg, trig); err != nil {
			return err
		}
		p.Add(plotter.NewGrid())
		p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks{}, plainTicks{}
		plots[i] = p
	}
	first, last := plots[0], plots[len(plots)-1]
	first.Title.Text = fmt.Sprintf("%d clients of each kind: %s for %v", f.n, trig, cfg.TriggerFor)
	first.Legend.Top = false
	first.Legend.Left = true
	first.Legend.YOffs = vg.Points(-4)
	first.Legend.TextStyle.Font.Size = vg.Points(8)
	last.X.Label.Text = "time (s); calls by the second they started, the backend by the second it saw them"

	w, h := 9*vg.Inch, 2.4*vg.Inch*vg.Length(len(plots))
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadY: vg.Points(8)}
	grid := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		grid[i][0].Draw(canvases[i][0])
	}
	return writePNG(img, path)
}

// triggerLines marks the trigger's start and end, with its name.
func triggerLines(p *plot.Plot, cfg fleetsim.Config, trig fleetsim.Trigger) error {
	for i, at := range []float64{cfg.TriggerStart().Seconds(), cfg.TriggerEnd().Seconds()} {
		l, err := plotter.NewLine(plotter.XYs{{X: at, Y: p.Y.Min}, {X: at, Y: p.Y.Max}})
		if err != nil {
			return err
		}
		l.Color = color.Gray{Y: 120}
		l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		text := trig.String()
		if i == 1 {
			text = "over"
		}
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: at + 0.2, Y: p.Y.Max}}, Labels: []string{text}})
		if err != nil {
			return err
		}
		for j := range labels.TextStyle {
			labels.TextStyle[j].Color = color.Gray{Y: 90}
			labels.TextStyle[j].Font.Size = vg.Points(7)
			labels.TextStyle[j].YAlign = -1.2 // below the top edge
		}
		p.Add(labels)
	}
	return nil
}

// plainTicks are gonum's default ticks, labelled without trailing zeros.
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', -1, 64)
		}
	}
	return ts
}

func writePNG(img *vgimg.Canvas, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
