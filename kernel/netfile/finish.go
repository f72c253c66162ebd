package netfile

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/kernel/netfile/internal/plot"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Version is written to run.json; the command sets it.
var Version = "dev"

// RunJSON is the layout of run.json (spec-format "Output"); tools read these names.
type RunJSON struct {
	Version string         `json:"version"`
	Source  string         `json:"source,omitempty"`
	Kernel  map[string]any `json:"kernel"`
	Counts  struct {
		Nodes       int64 `json:"nodes"`
		Connections int64 `json:"connections"`
		Spikes      int64 `json:"spikes"`
	} `json:"counts"`
	Timings struct {
		BuildS    float64 `json:"build_s"`
		SimulateS float64 `json:"simulate_s"`
		RTF       float64 `json:"rtf"`
		OutputS   float64 `json:"output_s"`
		TotalS    float64 `json:"total_s"`
		PhaseTimings
	} `json:"timings"`
	TimingsMean PhaseTimings `json:"timings_mean"`
	Memory      struct {
		PeakRSSBytes int64 `json:"peak_rss_bytes"`
	} `json:"memory"`
	Files []string `json:"files"`
	// Complete is false when the run stopped early (an error after the first Simulate, a signal)
	// or its outputs could not all be published; IncompleteReason then says why.
	Complete         bool   `json:"complete"`
	IncompleteReason string `json:"incomplete_reason,omitempty"`
}

// runKernelKeys are the kernel status keys run.json reports.
var runKernelKeys = []string{"biological_time", "num_processes", "local_num_threads", "total_num_virtual_procs",
	"rng_seed", "min_delay", "max_delay", "resolution"}

// finish writes the outputs: first every collective (the recorders' events, counts, timings,
// memory), then, on rank 0 only, the buffered tables, the recorder tables and plots, and run.json.
// A rank that fails in the collectives thus aborts the job before rank 0 has written anything.
func (r *Runner) finish() (*Result, error) {
	end := time.Now()
	recs, err := r.gatherRecorders()
	if err != nil {
		return nil, err
	}
	k := r.k
	ks, err := k.GetKernelStatus(append(runKernelKeys, "network_size", "num_connections", "local_spike_counter")...)
	if err != nil {
		return nil, err
	}
	nconn, _ := ks["num_connections"].(int64)
	nspk, _ := ks["local_spike_counter"].(int64)
	sums, err := sumInt64(k.Comm(), nconn, nspk)
	if err != nil {
		return nil, status.Errorf(status.InternalError, "summing counts over ranks: %v", err)
	}
	rss := []int64{peakRSS()}
	if err := k.Comm().AllreduceInt64(rss, rss, comm.Max); err != nil {
		return nil, status.Errorf(status.InternalError, "peak memory over ranks: %v", err)
	}
	build := end.Sub(r.start)
	if !r.firstSim.IsZero() {
		build = r.firstSim.Sub(r.start)
	}
	// The slowest rank's times.
	times := []float64{build.Seconds(), r.simWall.Seconds()}
	if err := k.Comm().AllreduceFloat64(times, times, comm.Max); err != nil {
		return nil, status.Errorf(status.InternalError, "timings over ranks: %v", err)
	}
	phaseMax, phaseMean, err := phaseTimings(k)
	if err != nil {
		return nil, err
	}

	var rj RunJSON
	rj.Version, rj.Source = Version, r.opts.Source
	rj.Kernel = map[string]any{}
	for _, key := range runKernelKeys {
		rj.Kernel[key] = ks[key]
	}
	rj.Counts.Nodes, _ = ks["network_size"].(int64)
	rj.Counts.Connections, rj.Counts.Spikes = sums[0], sums[1]
	rj.Timings.BuildS, rj.Timings.SimulateS = times[0], times[1]
	rj.Timings.PhaseTimings, rj.TimingsMean = phaseMax, phaseMean
	if r.simulatedMs > 0 {
		rj.Timings.RTF = times[1] / (r.simulatedMs / 1000)
	}
	rj.Memory.PeakRSSBytes = rss[0]
	rj.Complete, rj.IncompleteReason = r.incomplete == "", r.incomplete

	res := &Result{Nodes: rj.Counts.Nodes, Connections: rj.Counts.Connections, Spikes: rj.Counts.Spikes,
		SimulatedMs: r.simulatedMs, BuildS: times[0], SimulateS: times[1]}
	res.BiologicalTime, _ = ks["biological_time"].(float64)
	if res.Summary, err = r.summary(recs); err != nil {
		return nil, err
	}
	if !r.root() {
		return res, nil
	}

	// Rank 0 writes.
	for _, p := range r.pending {
		if err := r.writeFile(p.name, func(w io.Writer) error { _, err := w.Write(p.data); return err }); err != nil {
			return nil, err
		}
	}
	r.pending = nil
	for _, rec := range recs {
		if err := r.writeFile(rec.base+".csv", rec.data.writeCSV); err != nil {
			return nil, err
		}
		if r.opts.Plot {
			if err := r.plotRecorder(rec.base, rec.data); err != nil {
				return nil, err
			}
		}
	}
	if err := r.writeFile("run.json", func(w io.Writer) error {
		rj.Files = r.sinkNames() // run.json included: it is claimed before it is filled
		rj.Timings.OutputS, rj.Timings.TotalS = time.Since(end).Seconds(), time.Since(r.start).Seconds()
		b, err := json.MarshalIndent(sanitize(rj), "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return nil, err
	}
	res.Files = r.sinkNames()
	return res, nil
}

// summary describes the run in a few lines: the mean rate of the sources of every spike recorder
// and the change of the mean weight of every plastic synapse model (collective).
func (r *Runner) summary(recs []namedRecorder) ([]string, error) {
	var lines []string
	seconds := r.simulatedMs / 1000
	for _, rec := range recs {
		if rec.data.kind != spikeRec {
			continue
		}
		n, err := r.k.RecorderSources(rec.nc)
		if err != nil {
			return nil, err
		}
		if n > 0 && seconds > 0 {
			lines = append(lines, fmt.Sprintf("%s: %d spikes from %d neurons, mean rate %.2f spikes/s",
				rec.base, len(rec.data.senders), n, float64(len(rec.data.senders))/float64(n)/seconds))
		}
	}
	w1, err := r.k.WeightSummary()
	if err != nil {
		return nil, err
	}
	for _, w := range w1 {
		before := "n/a"
		for _, w0 := range r.weights0 {
			if w0.Model == w.Model {
				before = fmt.Sprintf("%.4g", w0.Mean)
			}
		}
		lines = append(lines, fmt.Sprintf("%s: %d connections, mean weight %s -> %.4g (sd %.3g)", w.Model, w.N, before, w.Mean, w.SD))
	}
	return lines, nil
}

// sinkNames lists the files written so far.
func (r *Runner) sinkNames() []string {
	switch s := r.opts.Sink.(type) {
	case *DirSink:
		return s.Files()
	case *MemSink:
		return s.Names()
	case interface{ Names() []string }:
		return s.Names()
	}
	return nil
}

// sanitize replaces non-finite floats of the kernel map (JSON has none) by strings.
func sanitize(rj RunJSON) RunJSON {
	for key, v := range rj.Kernel {
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			rj.Kernel[key] = formatFloat(f)
		}
	}
	for _, f := range []*float64{&rj.Timings.BuildS, &rj.Timings.SimulateS, &rj.Timings.RTF, &rj.Timings.OutputS, &rj.Timings.TotalS} {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = 0
		}
	}
	return rj
}

// namedRecorder is the merged data of one recorder and its output name.
type namedRecorder struct {
	base string // <name> or <name>-<i>
	nc   kernel.NodeCollection
	data *recorderData
}

// gatherRecorders merges the events of every named recorder that records to memory, in name order
// (DIR/<name>.csv, or <name>-<i>.csv for a Create of n > 1). Collective; the data is kept on rank 0.
func (r *Runner) gatherRecorders() ([]namedRecorder, error) {
	k := r.k
	var out []namedRecorder
	for _, name := range sortedKeys(r.names) {
		nc := r.names[name]
		if nc.Len() == 0 {
			continue
		}
		info, err := k.GetStatus(nc, "element_type", "model")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := 0; i < nc.Len(); i++ {
			if et, _ := info[i]["element_type"].(string); et != "recorder" {
				continue
			}
			one, err := nc.Slice(i, i+1, 1)
			if err != nil {
				return nil, err
			}
			st, err := k.GetStatus(one, "record_to")
			if err != nil {
				return nil, err
			}
			if rt, _ := st[0]["record_to"].(string); rt != "memory" {
				continue
			}
			model, _ := info[i]["model"].(string)
			kind, vars, err := r.recorderKind(one, model)
			if err != nil {
				return nil, err
			}
			data, err := r.gatherRecorder(one, kind, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			base := name
			if nc.Len() > 1 {
				base = fmt.Sprintf("%s-%d", name, i)
			}
			if err := r.claimed.claim(base + ".csv"); err != nil {
				return nil, err
			}
			out = append(out, namedRecorder{base: base, nc: one, data: data}) // the same list on every rank
		}
	}
	return out, nil
}

// recorderKind tells spike recorders, multimeters (record_from) and weight recorders (targets)
// apart by their model's parameters, which also covers copies made with CopyModel.
func (r *Runner) recorderKind(one kernel.NodeCollection, model string) (recKind, []string, error) {
	def, err := r.k.GetDefaults(model)
	if err != nil {
		return 0, nil, err
	}
	if _, ok := def["record_from"]; ok {
		st, err := r.k.GetStatus(one, "record_from")
		if err != nil {
			return 0, nil, err
		}
		vars, err := status.ToStrings(st[0]["record_from"])
		if err != nil && st[0]["record_from"] != nil {
			return 0, nil, status.Errorf(status.InternalError, "record_from of node %v: %v", one.IDs(), err)
		}
		return meterRec, vars, nil
	}
	if _, ok := def["targets"]; ok {
		return weightRec, nil, nil
	}
	return spikeRec, nil, nil
}

// plotRecorder adds the PNG plots of one recorder: a raster for spike recorders, one trace plot per
// recorded variable for multimeters, the weights over time for weight recorders.
func (r *Runner) plotRecorder(base string, d *recorderData) error {
	switch d.kind {
	case spikeRec:
		return r.writeFile(base+".png", func(w io.Writer) error {
			return plot.Raster(w, base+": spikes", d.times, d.senders, r.plotOptions())
		})
	case meterRec:
		for j, v := range d.vars {
			vals := d.values[j]
			if err := r.writeFile(base+"_"+v+".png", func(w io.Writer) error {
				return plot.Traces(w, base+": "+v, v, d.times, d.senders, vals, r.plotOptions())
			}); err != nil {
				return err
			}
		}
	case weightRec:
		return r.writeFile(base+".png", func(w io.Writer) error {
			return plot.Weights(w, base+": weights", d.times, d.weights, r.plotOptions())
		})
	}
	return nil
}
