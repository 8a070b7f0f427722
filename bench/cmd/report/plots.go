package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/resilient-go/resilient/bench/scenario"
)

// timelineStep is the width of one point of the timelines.
const timelineStep = 250 * time.Millisecond

// plot writes one timeline per scenario and the attempts-per-call chart.
func (r *report) plot(dir string) error {
	colors := r.clientColors()
	for _, res := range r.scenarios {
		if err := timeline(res, colors, filepath.Join(dir, res.Scenario.Name+".png")); err != nil {
			return fmt.Errorf("plot %s: %w", res.Scenario.Name, err)
		}
	}
	// The replicas' scenarios have clients of their own, and their
	// attempts per call in their timelines: the chart compares libraries.
	var single []*scenario.Result
	for _, res := range r.scenarios {
		if res.Scenario.Replicas <= 1 {
			single = append(single, res)
		}
	}
	if len(single) > 0 {
		if err := attemptsChart(single, colors, filepath.Join(dir, "attempts.png")); err != nil {
			return fmt.Errorf("plot attempts: %w", err)
		}
	}
	return nil
}

// clientColors gives each client one color across every plot.
func (r *report) clientColors() map[string]color.Color {
	out := map[string]color.Color{}
	for _, res := range r.scenarios {
		for _, c := range res.Clients {
			if _, ok := out[c.Client.Name]; !ok {
				out[c.Client.Name] = plotutil.Color(len(out))
			}
		}
	}
	return out
}

// timeline draws three panels over the scenario's time, one line per
// client: the success rate, the p99 latency (log scale) and the attempts
// per call of the calls started in each step, with the phase boundaries;
// and, with several replicas, a fourth: the faulty replica's share of the
// requests that arrived in each step.
func timeline(res *scenario.Result, colors map[string]color.Color, path string) error {
	sc := res.Scenario
	success, latency, attempts, share := plot.New(), plot.New(), plot.New(), plot.New()
	panels := []*plot.Plot{success, latency, attempts}
	if sc.Replicas > 1 {
		panels = append(panels, share)
		share.Y.Label.Text = fmt.Sprintf("replica %d's share (%%)", sc.Faulty+1)
		share.Y.Min, share.Y.Max = 0, 105
	}
	last := panels[len(panels)-1]
	success.Title.Text = sc.Title
	success.Y.Label.Text = "success (%)"
	latency.Y.Label.Text = "p99 latency (ms)"
	latency.Y.Scale = plot.LogScale{}
	latency.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	attempts.Y.Label.Text = "attempts per call"
	last.X.Label.Text = fmt.Sprintf("time (s), calls grouped by start in %v steps", timelineStep)
	success.Y.Min, success.Y.Max = 0, 105
	attempts.Y.Min = 0

	maxLat := 1.0
	for i := range res.Clients {
		c := &res.Clients[i]
		pts := c.Timeline(sc, timelineStep)
		var ok, lat, att, shr plotter.XYs
		for _, p := range pts {
			if p.Calls == 0 {
				continue
			}
			x := (p.T + timelineStep/2).Seconds()
			if sc.Faulty < len(p.Shares) {
				shr = append(shr, plotter.XY{X: x, Y: 100 * p.Shares[sc.Faulty]})
			}
			ok = append(ok, plotter.XY{X: x, Y: 100 * p.SuccessRate})
			ms := math.Max(0.1, float64(p.P99)/float64(time.Millisecond)) // a log axis has no zero
			maxLat = math.Max(maxLat, ms)
			lat = append(lat, plotter.XY{X: x, Y: ms})
			att = append(att, plotter.XY{X: x, Y: p.AttemptsPerCall})
		}
		for k, xy := range []struct {
			p   *plot.Plot
			pts plotter.XYs
		}{{success, ok}, {latency, lat}, {attempts, att}, {share, shr}} {
			if xy.p == share && sc.Replicas <= 1 {
				continue
			}
			l, err := plotter.NewLine(xy.pts)
			if err != nil {
				return err
			}
			l.Color = colors[c.Client.Name]
			l.Width = vg.Points(1.2)
			if isOurs(c.Client) {
				l.Width = vg.Points(2.2)
			} else {
				l.Dashes = plotutil.Dashes(1 + i%3)
			}
			xy.p.Add(l)
			if k == 0 {
				success.Legend.Add(c.Client.Name, l)
			}
		}
	}
	latency.Y.Min, latency.Y.Max = 0.1, maxLat*1.5
	for _, p := range panels {
		p.X.Min, p.X.Max = 0, sc.Duration().Seconds()
		if err := phaseLines(p, sc); err != nil {
			return err
		}
		p.Add(plotter.NewGrid())
	}
	success.Legend.Top = false
	success.Legend.Left = true
	success.Legend.YOffs = vg.Points(-4)
	success.Legend.TextStyle.Font.Size = vg.Points(8)

	w, h := 9*vg.Inch, 3*vg.Inch*vg.Length(len(panels))
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadY: vg.Points(8)}
	var plots [][]*plot.Plot
	for _, p := range panels {
		plots = append(plots, []*plot.Plot{p})
	}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	return writePNG(img, path)
}

// phaseLines marks where each phase starts, with its name.
func phaseLines(p *plot.Plot, sc *scenario.Scenario) error {
	for i, ph := range sc.Phases {
		x := sc.PhaseStart(i).Seconds()
		if i > 0 {
			l, err := plotter.NewLine(plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}})
			if err != nil {
				return err
			}
			l.Color = color.Gray{Y: 120}
			l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(l)
		}
		labels, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    plotter.XYs{{X: x + 0.05, Y: p.Y.Max}},
			Labels: []string{ph.Name},
		})
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

// attemptsPhase is the phase whose attempts per call each scenario's bar
// shows; empty means the whole run.
var attemptsPhase = map[string]string{"outage": "outage", "refused": "refused", "longoutage": "outage", "brownout": "brownout", "quota": "quota", "overload": "overload", "partial": "30% errors"}

// attemptsChart draws attempts per call: one group of bars per scenario,
// one bar per client.
func attemptsChart(results []*scenario.Result, colors map[string]color.Color, path string) error {
	p := plot.New()
	p.Title.Text = "Attempts per call (load amplification)"
	p.Y.Label.Text = "attempts sent per call"
	var names []string
	for _, res := range results {
		label := res.Scenario.Name
		if ph := attemptsPhase[res.Scenario.Name]; ph != "" && ph != label {
			label += " (" + ph + ")"
		}
		names = append(names, label)
	}
	// Every client that appears anywhere, in order of appearance.
	var clients []string
	seen := map[string]bool{}
	for _, res := range results {
		for _, c := range res.Clients {
			if !seen[c.Client.Name] {
				seen[c.Client.Name] = true
				clients = append(clients, c.Client.Name)
			}
		}
	}
	top := 0.0
	width := vg.Points(float64(300) / float64(len(clients)*len(results)+1))
	width = min(width, vg.Points(14))
	for k, name := range clients {
		vals := make(plotter.Values, len(results))
		for i, res := range results {
			vals[i] = 0
			for j := range res.Clients {
				c := &res.Clients[j]
				if c.Client.Name != name {
					continue
				}
				phases := scenario.All(res.Scenario)
				if ph := attemptsPhase[res.Scenario.Name]; ph != "" {
					phases = phaseIndexes(res.Scenario, ph)
				}
				vals[i] = c.Summarize(res.Scenario, phases...).AttemptsPerCall()
				top = max(top, vals[i])
			}
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		bars.Color = colors[name]
		bars.LineStyle.Width = 0
		bars.Offset = vg.Length(float64(k)-float64(len(clients)-1)/2) * width
		p.Add(bars)
		p.Legend.Add(name, bars)
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Y.Min, p.Y.Max = 0, 1.35*top // room for the legend above the bars
	p.NominalX(names...)
	p.Add(plotter.NewGrid())
	img := vgimg.New(9*vg.Inch, 4.5*vg.Inch)
	p.Draw(draw.New(img))
	return writePNG(img, path)
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
