// Package estimate computes, from a network file and without building it, the nodes, connections
// and memory of a run per rank: neurons (their arrays, ring buffers and spike histories),
// connections per synapse model (models.SynapseModel.SizeOf), recorders, output tables, exchange
// buffers, and the runtime's overhead and transients (measured, see bench/NOTES.md). `nest-mpi
// estimate` prints it, `nest-mpi run` refuses a network that does not fit, and `nest-mpi
// jobscript --mem auto` asks for it.
package estimate

import (
	"fmt"
	"math"
	"sort"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

// Calibration of the runtime (bench/NOTES.md, "Memory estimate"): the resident size of a run
// that builds nothing, the peak bytes per byte of live neuron state, and the peak bytes of a
// synapse model's connections as a multiple of their stored size (connPeakScale): a store is
// reserved from the rule's count and sorted in place, so what adds to it is the growth of a store
// that later Connect calls enlarge (one column at a time) and the garbage collector's headroom;
// stores of models without per-connection state are allocated once (deferredPeakScale), and
// the calls into them keep what they drew until then (connGroup.kept).
const (
	baseBytes       = 11 << 20
	baseBytesMPI    = 35 << 20 // the MPI build: the MPI library's own memory
	neuronPeakScale = 2.0
	ringBuffers     = 3 // input buffers per neuron (spike excitatory, inhibitory, current)
	// tableGatherMPI is the extra share of a table's cells on rank 0 under MPI (the other ranks'
	// parts as received before they are merged).
	tableGatherMPI = 0.5
	// connPeakMPI scales the connections' peak under MPI (the presynaptic tables built at Prepare
	// and the larger runtime of the MPI build; measured on hpc_benchmark, Brunel and the
	// microcircuit on 2 ranks).
	connPeakMPI = 1.1
	// kernelConnBytes is a connection's size in the kernel's plain arrays (target, weight, delay
	// word): a model of that size has no per-connection state, and its connections between
	// neurons are counted at Connect and stored once, at Prepare, in their final order (no
	// growth, no sort), with the weight and delay columns coded: a byte for up to 256 distinct
	// values, nothing for one.
	kernelConnBytes = 16
	// deferredPeakScale is those connections' peak over their stored size (the batch they pass
	// through, the counts per source, the collector's headroom; measured on hpc_benchmark, Brunel
	// and the microcircuit on 1 and 2 ranks, bench/NOTES.md §31e), under MPI too.
	deferredPeakScale = 1.10
	// keptPeakScale is the share of the records the calls keep until Prepare (connGroup.kept)
	// that adds to the stored connections at the peak: a store's pages become resident as they
	// are written, and placed records are given back as placing goes on, so the peak is the
	// store and the records not yet given back (measured: 0.17 of them in hpc_benchmark, 0.26-0.29
	// in the microcircuit; bench/NOTES.md §33c).
	keptPeakScale = 0.25
	// placeBatchBytes is the batch through which each thread places such connections (its
	// buffers and their sorted copies, 256 Ki connections at most).
	placeBatchBytes = 9 << 20
	// tableGC is the garbage collector's headroom over a table's cells while it is formatted
	// (measured on the E/I network's 630,000-row table).
	tableGC = 0.8
	// assumedRate is the firing rate (spikes/s) used to size spike recordings and exchanges.
	assumedRate = 10.0
	eventBytes  = 48 // a recorded event: kept, gathered to rank 0 and formatted
	cellBytes   = 60 // a cell of a GetStatus/GetConnections table, gathered and formatted
)

// Options choose the split the estimate is for.
type Options struct {
	Ranks   int // MPI processes (default 1)
	Threads int // threads per rank; 0: the file's local_num_threads or 1
	// MPI is the MPI build (always with Ranks > 1; with Ranks 1 the build without MPI is meant
	// unless MPI is set).
	MPI bool
}

// Estimate is the estimate of one run.
type Estimate struct {
	Ranks       int              `json:"ranks"`
	Threads     int              `json:"threads"`
	Nodes       int64            `json:"nodes"`
	Neurons     int64            `json:"neurons"`
	Connections int64            `json:"connections"`
	BySynapse   map[string]int64 `json:"connections_by_synapse_model"`
	SimulatedMs float64          `json:"simulated_ms"`
	MinDelayMs  float64          `json:"min_delay_ms"`
	MaxDelayMs  float64          `json:"max_delay_ms"`
	// Memory is the largest rank's (the name run.json uses for the measured peak).
	Memory Memory   `json:"memory"`
	Notes  []string `json:"notes,omitempty"`
}

// Memory is the estimated memory of the largest rank, in bytes, by part.
type Memory struct {
	Neurons     int64 `json:"neurons_bytes"`
	RingBuffers int64 `json:"ring_buffers_bytes"`
	Histories   int64 `json:"spike_histories_bytes"`
	Connections int64 `json:"connections_bytes"`
	Recorders   int64 `json:"recorders_bytes"`
	// AssumedSpikes is the part of Recorders that holds spikes at the assumed rate (the rest, a
	// multimeter's samples, is known from the file).
	AssumedSpikes int64 `json:"assumed_spike_recordings_bytes"`
	Tables        int64 `json:"tables_bytes"`
	Exchange      int64 `json:"exchange_buffers_bytes"`
	Runtime       int64 `json:"runtime_and_transients_bytes"`
	PeakRSS       int64 `json:"peak_rss_bytes"`
}

// Of estimates the run of f.
func Of(f *netfile.File, o Options) (*Estimate, error) {
	w, err := walk(f, o)
	if err != nil {
		return nil, err
	}
	w.mpi = o.MPI || o.Ranks > 1
	e := w.result()
	if w.best != nil && w.best.Memory.PeakRSS > e.Memory.PeakRSS {
		e = w.best
	}
	return e, nil
}

// result turns the counts of a walk into the estimate of the largest rank.
func (w *walker) result() *Estimate {
	e := &Estimate{Ranks: w.ranks, Threads: w.threads, BySynapse: map[string]int64{}, SimulatedMs: w.simMs,
		MinDelayMs: w.minDelay, MaxDelayMs: w.maxDelay, Notes: w.notes}
	ranks := int64(w.ranks)
	perRank := func(n float64) float64 { return math.Ceil(n / float64(ranks)) }
	var m Memory
	minD, maxD := w.minDelay, w.maxDelay
	if minD == 0 {
		minD, maxD = w.resolution, w.resolution // no connections
	}
	e.MinDelayMs, e.MaxDelayMs = minD, maxD
	slots := math.Round((minD + maxD) / w.resolution)
	var neuronLive float64
	for _, p := range w.pops {
		e.Nodes += p.n
		if p.kind != neuronKind {
			continue
		}
		e.Neurons += p.n
		local := perRank(float64(p.n))
		neuronLive += local * p.bytes
		m.RingBuffers += int64(local * slots * ringBuffers * 8)
		if w.plastic {
			m.Histories += int64(local * 64)
		}
	}
	m.Neurons = int64(neuronLive)
	var connPeak, deferredPeak, batches float64 // the latter two not scaled under MPI: no sort's buffers
	calls := map[string]int{}
	weights, delays := map[string][]columnValues{}, map[string][]columnValues{}
	for _, c := range w.conns {
		if c.neural {
			calls[c.model]++
			weights[c.model] = append(weights[c.model], c.weights)
			delays[c.model] = append(delays[c.model], c.delays)
		}
	}
	// a model with per-connection state whose calls between neurons all have constant values is
	// built like a static one (the kernel's deferState)
	deferredState := map[string]bool{}
	for _, c := range w.conns {
		if c.neural && c.size > kernelConnBytes {
			all, seen := deferredState[c.model]
			deferredState[c.model] = (all || !seen) && c.constant
		}
	}
	for _, c := range w.conns {
		e.Connections += int64(c.n)
		e.BySynapse[c.model] += int64(c.n)
		local := perRank(c.n)
		if c.neural && c.size <= kernelConnBytes { // coded columns (the kernel's dictCol)
			size := 4 + codedBytes(weights[c.model], 8) + codedBytes(delays[c.model], 4)
			m.Connections += int64(local * float64(size))
			deferredPeak += local * (deferredPeakScale*float64(size) + keptPeakScale*c.kept)
			batches = placeBatchBytes * float64(w.threads)
			continue
		}
		if c.neural && deferredState[c.model] { // placed at Prepare from records, as above
			size := deferredStateBytes(c, codedBytes(delays[c.model], 4))
			m.Connections += int64(local * size)
			deferredPeak += local * (deferredPeakScale*size + keptPeakScale*c.kept)
			batches = placeBatchBytes * float64(w.threads)
			continue
		}
		m.Connections += int64(local * float64(c.size))
		connPeak += local * connPeakScale(calls[c.model]) * float64(c.size)
	}
	seconds := w.simMs / 1000
	m.AssumedSpikes = int64(w.recSpikeSources * assumedRate * seconds * eventBytes)
	m.Recorders = m.AssumedSpikes + int64(w.recSamples*w.simMs*eventBytes)
	m.Tables = int64(w.tableCells * cellBytes)
	base := float64(baseBytes)
	if w.mpi {
		base = baseBytesMPI
		connPeak *= connPeakMPI
		m.Tables = int64(w.tableCells * cellBytes * (1 + tableGatherMPI))
	}
	m.Exchange = int64(perRank(float64(e.Neurons)) * 16 * 2)
	live := m.Neurons + m.RingBuffers + m.Histories + m.Recorders + m.Tables + m.Exchange
	peak := base + neuronPeakScale*float64(m.Neurons) + float64(live-m.Neurons) + connPeak + deferredPeak + batches + tableGC*float64(m.Tables)
	m.PeakRSS = int64(peak)
	m.Runtime = m.PeakRSS - live - m.Connections
	e.Memory = m
	return e
}

// KnownPeak is the peak without the spikes recorded at the assumed rate: what the file alone
// makes certain (run refuses a network only when this does not fit).
func (e *Estimate) KnownPeak() int64 { return e.Memory.PeakRSS - e.Memory.AssumedSpikes }

// Summary is the estimate as lines for people.
func (e *Estimate) Summary() []string {
	mb := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	lines := []string{
		fmt.Sprintf("split: %d rank(s) x %d thread(s)", e.Ranks, e.Threads),
		fmt.Sprintf("nodes: %d (%d neurons); connections: %d; simulated: %g ms; delays %g..%g ms", e.Nodes, e.Neurons, e.Connections, e.SimulatedMs, e.MinDelayMs, e.MaxDelayMs),
	}
	models := make([]string, 0, len(e.BySynapse))
	for m := range e.BySynapse {
		models = append(models, m)
	}
	sort.Strings(models)
	for _, m := range models {
		lines = append(lines, fmt.Sprintf("  %s: %d connections", m, e.BySynapse[m]))
	}
	p := e.Memory
	lines = append(lines, "memory of the largest rank:",
		"  neurons "+mb(p.Neurons)+", ring buffers "+mb(p.RingBuffers)+", spike histories "+mb(p.Histories),
		"  connections "+mb(p.Connections)+", recorders "+mb(p.Recorders)+" (of which spikes at 10/s "+mb(p.AssumedSpikes)+"), tables "+mb(p.Tables)+", exchange "+mb(p.Exchange),
		"  runtime and transients "+mb(p.Runtime),
		"  peak resident memory "+mb(p.PeakRSS))
	for _, n := range e.Notes {
		lines = append(lines, "note: "+n)
	}
	return lines
}

// deferredStateBytes is the stored size of a connection of a model with per-connection state made
// from constant values: the kernel's columns (plain weights; the delay words plain, or nothing
// for one word: delayBytes, the coded size, is 0) and the model's state, without the 16 bytes of
// K+ and t_last that STDP models keep once per run of a source's connections (which then agree).
func deferredStateBytes(c connGroup, delayBytes int) float64 {
	kernel, size := kernelConnBytes, c.size
	if delayBytes == 0 { // one delay word: none per connection
		kernel, size = kernel-4, size-4
	}
	if c.stdp {
		size = max(kernel, size-16)
	}
	return float64(size)
}

// connPeakScale is the peak over the stored size of a synapse model's connections made by calls
// Connect calls (measured: hpc_benchmark, Brunel, the microcircuit; bench/NOTES.md).
func connPeakScale(calls int) float64 {
	switch {
	case calls <= 1:
		return 1.45
	case calls <= 3:
		return 1.65
	}
	return 1.9
}
