package estimate

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
	"github.com/nest-mpi/nest-mpi/models/status"
)

type nodeKind int

const (
	neuronKind nodeKind = iota
	deviceKind
	spikeRecorderKind
	meterKind
)

// pop is the nodes of one Create.
type pop struct {
	model string
	kind  nodeKind
	n     int64
	bytes float64 // live bytes per neuron (neurons only)
	vars  int     // recorded variables (multimeters)
	every float64 // sampling interval in ms (multimeters)
}

// part is a share of a pop in a node collection.
type part struct {
	pop int // index into walker.pops, -1 for ids of unknown nodes (counted as neurons)
	n   float64
}

type coll []part

func (c coll) len() float64 {
	var n float64
	for _, p := range c {
		n += p.n
	}
	return n
}

// connGroup is the connections of one Connect.
type connGroup struct {
	model string
	n     float64
	size  int
	// neural marks connections between neurons (stored in the synapse model's stores; those
	// from devices and to recorders are kept by the devices)
	neural bool
	// weights and delays are the values the call gives its connections (see columnValues)
	weights, delays columnValues
	// kept is the bytes per connection of the record the call keeps from Connect to Prepare
	// (keptBytes)
	kept float64
	// constant: every value of the syn_spec is a number; stdp: the model keeps STDP traces
	constant, stdp bool
}

// walker follows the script, counting what each call makes.
type walker struct {
	k                *kernel.Kernel
	mpi              bool
	ranks, threads   int
	resolution       float64
	minDelay         float64
	maxDelay         float64
	fixedDelays      bool // min_delay/max_delay set in the kernel status
	simMs            float64
	pops             []pop
	names            map[string]coll
	conns            []connGroup
	plastic          bool
	recSpikeSources  float64
	recSamples       float64
	tableCells       float64
	notes            []string
	neuronBytesCache map[string]float64
	best             *Estimate
}

func walk(f *netfile.File, o Options) (*walker, error) {
	k, err := kernel.New(kernel.Options{Comm: comm.NewLocal()})
	if err != nil {
		return nil, err
	}
	defer k.Close()
	w := &walker{k: k, ranks: max(o.Ranks, 1), threads: o.Threads, resolution: 0.1,
		names: map[string]coll{}, neuronBytesCache: map[string]float64{}}
	if err := w.kernelStatus(f.Kernel); err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	for _, c := range f.Script {
		if err := w.call(c); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Where(), err)
		}
	}
	if w.threads == 0 {
		w.threads = 1
	}
	return w, nil
}

func (w *walker) call(c netfile.Call) error {
	m, _ := c.Value.(map[string]any)
	switch c.Name {
	case "SetKernelStatus":
		return w.kernelStatus(m)
	case "CopyModel":
		return w.copyModel(m)
	case "SetDefaults":
		return w.setDefaults(m)
	case "Create":
		return w.create(m)
	case "Connect":
		return w.connect(m)
	case "Simulate":
		t, err := status.ToFloat(c.Value)
		if err == nil && t > 0 && !math.IsInf(t, 0) {
			w.simMs += t
		}
	case "GetStatus":
		nodes := w.ref(m["nodes"])
		w.tableCells += nodes.len() * float64(keyCount(m["keys"], 30))
	case "GetConnections":
		w.tableCells += w.connRows(m) * float64(keyCount(m["keys"], 9))
	case "ResetKernel":
		w.reset()
	}
	return nil
}

// reset keeps the largest estimate so far and forgets the network.
func (w *walker) reset() {
	if e := w.result(); w.best == nil || e.Memory.PeakRSS > w.best.Memory.PeakRSS {
		w.best = e
	}
	w.pops, w.conns, w.names = nil, nil, map[string]coll{}
	w.simMs, w.recSpikeSources, w.recSamples, w.tableCells = 0, 0, 0, 0
}

func keyCount(v any, all int) int {
	switch x := v.(type) {
	case string:
		return 1
	case []any:
		return len(x)
	}
	return all
}

func (w *walker) kernelStatus(m map[string]any) error {
	if v, ok := num(m["resolution"]); ok && v > 0 {
		w.resolution = v
	}
	if v, ok := num(m["local_num_threads"]); ok && w.threads == 0 && v >= 1 {
		w.threads = int(v)
	}
	if v, ok := num(m["min_delay"]); ok {
		w.minDelay, w.fixedDelays = v, true
	}
	if v, ok := num(m["max_delay"]); ok {
		w.maxDelay, w.fixedDelays = v, true
	}
	return nil
}

func num(v any) (float64, bool) {
	f, err := status.ToFloat(v)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func (w *walker) copyModel(m map[string]any) error {
	old, _ := m["old"].(string)
	neu, _ := m["new"].(string)
	p := kernel.Params{}
	if params, ok := m["params"].(map[string]any); ok {
		if d, ok := num(params["delay"]); ok {
			p["delay"] = d
		}
	}
	return w.k.CopyModel(old, neu, p)
}

func (w *walker) setDefaults(m map[string]any) error {
	model, _ := m["model"].(string)
	params, _ := m["params"].(map[string]any)
	if d, ok := num(params["delay"]); ok && w.isSynapse(model) {
		return w.k.SetDefaults(model, kernel.Params{"delay": d})
	}
	return nil
}

func (w *walker) isSynapse(model string) bool {
	d, err := w.k.GetDefaults(model, "sizeof")
	return err == nil && d["sizeof"] != nil
}

func (w *walker) create(m map[string]any) error {
	model, _ := m["model"].(string)
	if cur, ok := oldNames[model]; ok {
		model = cur
	}
	n := int64(1)
	if v, ok := num(m["n"]); ok {
		n = int64(v)
	} else if list, ok := m["params"].([]any); ok {
		n = int64(len(list))
	}
	d, err := w.k.GetDefaults(model)
	if err != nil {
		return err
	}
	p := pop{model: model, n: n}
	switch et, _ := d["element_type"].(string); {
	case et == "neuron":
		p.kind = neuronKind
		if p.bytes, err = w.neuronBytes(model, n); err != nil {
			return err
		}
	case et == "recorder" && d["record_from"] != nil:
		p.kind, p.every, p.vars = meterKind, 1.0, 1
		params, _ := m["params"].(map[string]any)
		if v, ok := num(params["interval"]); ok && v > 0 {
			p.every = v
		}
		if rf, ok := params["record_from"].([]any); ok {
			p.vars = len(rf)
		}
	case et == "recorder" && d["targets"] == nil:
		p.kind = spikeRecorderKind
	default:
		p.kind = deviceKind
	}
	w.pops = append(w.pops, p)
	if name, _ := m["as"].(string); name != "" {
		w.names[name] = coll{{pop: len(w.pops) - 1, n: float64(n)}}
	}
	return nil
}

var oldNames = map[string]string{"spike_detector": "spike_recorder"}

// neuronBytes measures the live heap of one neuron of model (its arrays, node entry and
// archiving state) by creating a sample on the scratch kernel: 20,000 neurons (the size the
// calibration used), or the population itself when it is smaller, so that estimating a small
// network costs little.
func (w *walker) neuronBytes(model string, n int64) (float64, error) {
	const full = 20000
	if b, ok := w.neuronBytesCache[model]; ok {
		return b, nil
	}
	sample := int(min(max(n, 1000), full))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	nc, err := w.k.Create(model, sample)
	if err != nil {
		return 0, err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(nc)
	b := math.Max(float64(after.HeapAlloc)-float64(before.HeapAlloc), 0) / float64(sample)
	if sample == full {
		w.neuronBytesCache[model] = b
	}
	return b, nil
}

// ref resolves a node reference to a collection (counts only).
func (w *walker) ref(v any) coll {
	switch x := v.(type) {
	case string:
		return w.named(x)
	case []any:
		var out coll
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, w.named(s)...)
			} else {
				out = append(out, part{pop: w.popOfID(e), n: 1})
			}
		}
		return out
	case map[string]any:
		if ids, ok := x["ids"].([]any); ok {
			return coll{{pop: -1, n: float64(len(ids))}}
		}
	case nil:
		return nil
	}
	if _, err := status.ToInt(v); err == nil {
		return coll{{pop: w.popOfID(v), n: 1}}
	}
	return nil
}

// popOfID finds the Create a node id belongs to.
func (w *walker) popOfID(v any) int {
	id, err := status.ToInt(v)
	if err != nil {
		return -1
	}
	first := int64(1)
	for i, p := range w.pops {
		if id >= first && id < first+p.n {
			return i
		}
		first += p.n
	}
	return -1
}

// named resolves "name" or "name[slice]" (a slice scales every part by its share).
func (w *walker) named(s string) coll {
	name, rest, sliced := strings.Cut(s, "[")
	c := w.names[strings.TrimSpace(name)]
	for sliced {
		expr, after, _ := strings.Cut(rest, "]")
		c = slice(c, expr)
		_, rest, sliced = strings.Cut(after, "[")
	}
	return c
}

func slice(c coll, expr string) coll {
	n := c.len()
	parts := strings.Split(expr, ":")
	if len(parts) == 1 {
		return scale(c, 1/math.Max(n, 1))
	}
	val := func(i int, def float64) float64 {
		if i >= len(parts) {
			return def
		}
		x, err := strconv.Atoi(strings.TrimSpace(parts[i]))
		if err != nil {
			return def
		}
		f := float64(x)
		if f < 0 {
			f += n
		}
		return math.Min(math.Max(f, 0), n)
	}
	start, stop, step := val(0, 0), val(1, n), val(2, 1)
	count := math.Max(math.Ceil((stop-start)/math.Max(step, 1)), 0)
	if n == 0 {
		return c
	}
	return scale(c, count/n)
}

func scale(c coll, f float64) coll {
	out := make(coll, len(c))
	for i, p := range c {
		out[i] = part{pop: p.pop, n: p.n * f}
	}
	return out
}

// count returns the nodes of c of the given kind.
func (w *walker) count(c coll, kind nodeKind) float64 {
	var n float64
	for _, p := range c {
		k := neuronKind
		if p.pop >= 0 {
			k = w.pops[p.pop].kind
		}
		if k == kind {
			n += p.n
		}
	}
	return n
}
