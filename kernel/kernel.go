package kernel

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/clock"
	"github.com/nest-mpi/nest-mpi/models/record"
	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// Params is a status dictionary: parameter names mapped to values.
type Params = status.Dict

// DefaultSeed is NEST's default rng_seed.
const DefaultSeed = 143202461

// Options configure a new Kernel.
type Options struct {
	// Comm is the communicator; nil means a single-process comm.Local.
	Comm comm.Communicator
	// Log receives warnings and notes (nil: os.Stderr; rank > 0 never logs).
	Log io.Writer
	// Out receives print_time progress and the screen backend (nil: os.Stdout).
	Out io.Writer
}

// Kernel is one simulation. Its methods must be called from one goroutine; under MPI every rank
// makes the same calls in the same order.
type Kernel struct {
	comm     comm.Communicator
	log, out io.Writer

	gen uint64 // incremented by ResetKernel; node collections of older generations are invalid

	// kernel status
	grid            clock.Grid
	threads         int
	layout          vp.Layout
	seed            uint32
	dataPath        string
	dataPrefix      string
	overwrite       bool
	printTime       bool
	dictMissIsError bool
	userDelays      bool // min_delay/max_delay set by the user
	userMin         int64
	userMax         int64
	defaultsChanged bool

	models  *modelTable
	nodes   []nodeEntry // index: node id; entry 0 unused
	devices []*device
	syns    []*synModel
	vps     []*vpState // local VPs, index: thread
	streams *vp.Streams
	pool    *vp.Pool

	// time
	clock     int64 // origin of the current slice, in steps
	from      int64 // steps of the current slice already done
	minDelay  int64
	maxDelay  int64
	slots     int64
	simulated bool
	prepared  bool
	broken    error // set when an update failed; cleared only by ResetKernel

	pending      []spikeRec // spikes of the last complete slice, delivered at the next slice start
	exch         exchange
	notes        map[string]bool           // notes already printed (each once per kernel)
	backends     map[string]record.Factory // recording backends by record_to name
	connChanged  bool                      // connections or nodes changed since the presynaptic tables were built
	sliceTo      int64                     // end (exclusive lag) of the steps the VPs are running now
	updateVPFunc func(thread int)          // k.updateVP, bound once so that the pool call does not allocate
	eagerConns   bool                      // store every connection when it is made (tests: the reference for deferred ones)
	// stateVersion is the checkpoint state version being read (decodeGlobal) or, when set
	// before Store, to be written (tests of the older version); 0: the current one
	stateVersion int

	// stop, when set (by a signal handler), asks Run to stop at the next slice boundary;
	// stopAgreed is set when some rank asked at this boundary (every rank learns it in the same
	// exchange, so all stop after the same slice)
	stop       *atomic.Bool
	stopAgreed bool
	// cleanup tracks the removal of an earlier checkpoint's shards after a Store
	cleanup *sync.WaitGroup

	timers    timers
	lastPrint time.Time // when print_time last printed (see progressEvery)
}

// New returns a kernel with NEST's defaults.
func New(opts Options) (*Kernel, error) {
	k := &Kernel{comm: opts.Comm, log: opts.Log, out: opts.Out, cleanup: &sync.WaitGroup{}}
	if k.comm == nil {
		k.comm = comm.NewLocal()
	}
	if k.log == nil {
		k.log = os.Stderr
	}
	if k.out == nil {
		k.out = os.Stdout
	}
	if k.comm.Rank() != 0 {
		k.log, k.out = io.Discard, io.Discard
	}
	k.updateVPFunc = k.updateVP
	k.reset()
	return k, nil
}

// Close releases the worker goroutines.
func (k *Kernel) Close() {
	k.cleanup.Wait()
	k.closeFiles()
	if k.pool != nil {
		k.pool.Close()
		k.pool = nil
	}
}

// reset restores every default and forgets all nodes, connections and models.
func (k *Kernel) reset() {
	k.closeFiles()
	k.gen++
	k.grid = clock.Default
	k.threads = 1
	k.seed = DefaultSeed
	k.dataPath = os.Getenv("NEST_DATA_PATH")
	k.dataPrefix = os.Getenv("NEST_DATA_PREFIX")
	k.overwrite = false
	k.printTime = false
	k.dictMissIsError = true
	k.userDelays = false
	k.defaultsChanged = false
	k.models = newModelTable()
	k.syns = newSynTable()
	k.nodes = make([]nodeEntry, 1)
	k.devices = nil
	k.clock, k.from = 0, 0
	k.minDelay, k.maxDelay, k.slots = 1, 1, 0
	k.simulated, k.prepared, k.broken = false, false, nil
	k.pending = k.pending[:0]
	k.timers = timers{}
	k.notes = map[string]bool{}
	k.backends = record.Builtin()
	k.setLayout()
}

// setLayout rebuilds the VPs, streams and worker pool for the current thread count and seed.
func (k *Kernel) setLayout() {
	k.layout = vp.Layout{NumProcesses: k.comm.Size(), Rank: k.comm.Rank(), Threads: k.threads}
	k.streams = vp.NewStreams(k.seed, k.layout)
	if k.pool != nil {
		k.pool.Close()
	}
	k.pool = vp.NewPool(k.threads)
	k.vps = make([]*vpState, k.threads)
	for t := range k.vps {
		k.vps[t] = newVPState(t, k.layout.VPOfThread(t), k.streams.ForThread(t))
	}
}

// ResetKernel destroys all nodes and connections and restores every default, including
// resolution, seed and threads. Node collections created before become invalid.
func (k *Kernel) ResetKernel() { k.reset() }

// GetKernelStatus returns the kernel status; with keys, only those.
func (k *Kernel) GetKernelStatus(keys ...string) (Params, error) {
	d := k.kernelStatus()
	if len(keys) == 0 {
		return d, nil
	}
	out := Params{}
	for _, key := range keys {
		v, ok := d[key]
		if !ok {
			return nil, status.Errorf(status.KeyError, "kernel: no kernel status key %q", key)
		}
		out[key] = v
	}
	return out, nil
}

func (k *Kernel) kernelStatus() Params {
	nconn, nspk := k.countConnections(), k.localSpikeCount()
	minD, maxD := k.minDelay, k.maxDelay
	if !k.simulated {
		minD, maxD = k.currentDelayExtrema()
	}
	p := Params{
		"resolution":              k.grid.H(),
		"tics_per_ms":             k.grid.TicsPerMs,
		"ms_per_tic":              1 / k.grid.TicsPerMs,
		"tics_per_step":           k.grid.TicsPerStep,
		"biological_time":         k.grid.Ms(k.clock + k.from),
		"min_delay":               k.grid.Ms(minD),
		"max_delay":               k.grid.Ms(maxD),
		"local_num_threads":       int64(k.threads),
		"total_num_virtual_procs": int64(k.layout.NumVPs()),
		"num_processes":           int64(k.comm.Size()),
		"rng_seed":                int64(k.seed),
		"rng_type":                "xoshiro256starstar",
		"rng_types":               []string{"xoshiro256starstar"},
		"print_time":              k.printTime,
		"data_path":               k.dataPath,
		"data_prefix":             k.dataPrefix,
		"overwrite_files":         k.overwrite,
		"dict_miss_is_error":      k.dictMissIsError,
		"network_size":            int64(len(k.nodes) - 1),
		"num_connections":         nconn,
		"local_spike_counter":     nspk,
		"off_grid_spiking":        false,
		"keep_source_table":       true,
		"use_compressed_spikes":   false,
		"recording_backends":      []string{"ascii", "memory", "screen"},
		"T_min":                   -math.MaxFloat64,
		"T_max":                   math.MaxFloat64,
		"communicator":            k.comm.Name(),
	}
	k.timerStatus(p)
	return p
}

// currentDelayExtrema returns min_delay and max_delay as they stand before the first Simulate:
// the user's values, or the extrema of this rank's connections (1 step without connections), as
// NEST's GetKernelStatus reports them (update_delay_extrema_). Under MPI the other ranks' delays
// are merged only at Prepare.
func (k *Kernel) currentDelayExtrema() (int64, int64) {
	if k.userDelays {
		return k.userMin, k.userMax
	}
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, st := range k.vps {
		if st.dmax > 0 {
			lo, hi = min(lo, st.dmin), max(hi, st.dmax)
		}
	}
	if hi == 0 {
		return 1, 1
	}
	return lo, hi
}

// SetKernelStatus sets kernel status keys, all or nothing.
func (k *Kernel) SetKernelStatus(p Params) error {
	r := status.NewReader(p, "kernel")
	c := *k // scratch copy of the scalar settings; applied at the end
	if err := c.readKernelStatus(r, k); err != nil {
		return err
	}
	if err := k.checkUnused(r); err != nil {
		return err
	}
	k.applyKernelStatus(&c)
	return nil
}

func (k *Kernel) applyKernelStatus(c *Kernel) {
	relayout, reseed := c.threads != k.threads, c.seed != k.seed
	k.grid, k.threads, k.seed = c.grid, c.threads, c.seed
	k.dataPath, k.dataPrefix, k.overwrite, k.printTime = c.dataPath, c.dataPrefix, c.overwrite, c.printTime
	k.dictMissIsError = c.dictMissIsError
	k.userDelays, k.userMin, k.userMax, k.minDelay, k.maxDelay = c.userDelays, c.userMin, c.userMax, c.minDelay, c.maxDelay
	if c.from == 0 && c.clock == 0 && k.clock != 0 {
		k.clock = 0
	}
	if relayout {
		k.setLayout()
	} else if reseed {
		k.reseed()
	}
}

// reseed restarts every random stream from the current seed, keeping the VPs with their nodes and
// connections (a new rng_seed after Create must not drop the network).
func (k *Kernel) reseed() {
	k.streams = vp.NewStreams(k.seed, k.layout)
	for t, st := range k.vps {
		st.rng = k.streams.ForThread(t)
	}
}

// checkUnused reports keys nobody read, as an error or (dict_miss_is_error false) a warning.
func (k *Kernel) checkUnused(r *status.Reader) error {
	err := r.CheckUnused()
	if err != nil && !k.dictMissIsError {
		fmt.Fprintln(k.log, "Warning:", err)
		return nil
	}
	return err
}

// readKernelStatus reads r into the scratch copy c, validating against the live kernel k.
func (c *Kernel) readKernelStatus(r *status.Reader, k *Kernel) error {
	hasNodes := len(k.nodes) > 1
	var res, tpm float64
	gotRes, err := r.Float("resolution", &res)
	if err != nil {
		return err
	}
	gotTpm, err := r.Float("tics_per_ms", &tpm)
	if err != nil {
		return err
	}
	if gotRes || gotTpm {
		if hasNodes || k.simulated || k.defaultsChanged {
			return status.Errorf(status.KernelException, "kernel: the resolution cannot be changed after nodes have been created, the network was simulated or model defaults were changed")
		}
		if gotTpm && !gotRes {
			return status.Errorf(status.BadProperty, "kernel: tics_per_ms can only be changed together with resolution")
		}
		if !gotTpm {
			tpm = k.grid.TicsPerMs
		}
		g := clock.NewGrid(res, tpm)
		if res <= 0 || g.TicsPerStep < 1 || math.Abs(float64(g.TicsPerStep)/tpm-res) > 1e-12*res {
			return status.Errorf(status.BadProperty, "kernel: resolution %g ms must be a positive multiple of the tic (%g ms)", res, 1/tpm)
		}
		c.grid = g
	}
	var threads, vps int64
	gotThreads, err := r.StrictInt("local_num_threads", &threads)
	if err != nil {
		return err
	}
	gotVPs, err := r.StrictInt("total_num_virtual_procs", &vps)
	if err != nil {
		return err
	}
	if gotVPs {
		if vps < 1 || vps%int64(k.comm.Size()) != 0 {
			return status.Errorf(status.BadProperty, "kernel: total_num_virtual_procs (%d) must be a positive multiple of the number of processes (%d)", vps, k.comm.Size())
		}
		threads, gotThreads = vps/int64(k.comm.Size()), true
	}
	if gotThreads {
		if threads < 1 || threads > 1024 {
			return status.Errorf(status.BadProperty, "kernel: local_num_threads must be between 1 and 1024, got %d", threads)
		}
		if int(threads) != k.threads && (hasNodes || k.simulated || k.defaultsChanged || k.userDelays) {
			return status.Errorf(status.KernelException, "kernel: the number of threads cannot be changed after nodes have been created, delays were set, the network was simulated or model defaults were changed")
		}
		c.threads = int(threads)
	}
	var seed int64
	if ok, err := r.Int("rng_seed", &seed); err != nil {
		return err
	} else if ok {
		if seed <= 0 || seed >= 1<<32 {
			return status.Errorf(status.BadProperty, "kernel: rng_seed must satisfy 0 < seed < 2^32, got %d", seed)
		}
		c.seed = uint32(seed)
	}
	var rngType string
	if ok, err := r.String("rng_type", &rngType); err != nil {
		return err
	} else if ok && rngType != "xoshiro256starstar" {
		return status.Errorf(status.BadProperty, "kernel: unknown rng_type %q; available: [xoshiro256starstar]", rngType)
	}
	if err := c.readPaths(r); err != nil {
		return err
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{"overwrite_files", &c.overwrite}, {"print_time", &c.printTime}, {"dict_miss_is_error", &c.dictMissIsError}} {
		if _, err := r.Bool(b.key, b.dst); err != nil {
			return err
		}
	}
	if err := c.readDelays(r, k); err != nil {
		return err
	}
	var bt float64
	if ok, err := r.Float("biological_time", &bt); err != nil {
		return err
	} else if ok {
		if bt != 0 {
			return status.Errorf(status.BadProperty, "kernel: biological_time can only be set to 0.0, got %g", bt)
		}
		if k.clock+k.from > 0 {
			fmt.Fprintln(k.log, "Warning: kernel: resetting biological_time to 0 while nodes keep their state")
		}
		c.clock, c.from = 0, 0
	}
	// Keys NEST accepts whose value this kernel's design fixes; accepted only with that value.
	for key, want := range map[string]any{"off_grid_spiking": false, "keep_source_table": true} {
		if v, ok := r.Raw(key); ok && v != want {
			return status.Errorf(status.NotImplemented, "kernel: %s can only be %v in nest-mpi", key, want)
		}
	}
	return nil
}

func (c *Kernel) readPaths(r *status.Reader) error {
	if ok, err := r.String("data_path", &c.dataPath); err != nil {
		return err
	} else if ok && c.dataPath != "" {
		if st, err := os.Stat(c.dataPath); err != nil || !st.IsDir() {
			return status.Errorf(status.BadProperty, "kernel: data_path %q must be an existing directory", c.dataPath)
		}
	}
	if ok, err := r.String("data_prefix", &c.dataPrefix); err != nil {
		return err
	} else if ok {
		for _, ch := range c.dataPrefix {
			if ch == '/' {
				return status.Errorf(status.BadProperty, "kernel: data_prefix %q must not contain a path separator", c.dataPrefix)
			}
		}
	}
	return nil
}

func (c *Kernel) readDelays(r *status.Reader, k *Kernel) error {
	var minD, maxD float64
	gotMin, err := r.Float("min_delay", &minD)
	if err != nil {
		return err
	}
	gotMax, err := r.Float("max_delay", &maxD)
	if err != nil {
		return err
	}
	if !gotMin && !gotMax {
		return nil
	}
	if gotMin != gotMax {
		return status.Errorf(status.BadProperty, "kernel: min_delay and max_delay must be set together")
	}
	if k.countConnections() > 0 || k.simulated {
		return status.Errorf(status.BadProperty, "kernel: min_delay and max_delay cannot be set after connections were created or the network was simulated")
	}
	lo, hi := k.grid.DelaySteps(minD), k.grid.DelaySteps(maxD)
	if lo < 1 {
		return status.Errorf(status.BadDelay, "kernel: min_delay (%g ms) must be greater than or equal to the resolution (%g ms)", minD, k.grid.H())
	}
	if hi < lo {
		return status.Errorf(status.BadDelay, "kernel: max_delay (%g ms) must not be smaller than min_delay (%g ms)", maxD, minD)
	}
	c.userDelays, c.userMin, c.userMax = true, lo, hi
	c.minDelay, c.maxDelay = lo, hi
	return nil
}

// ErrInterrupted is wrapped by the error of a Run that stopped because SetStop's flag was set.
var ErrInterrupted = errors.New("interrupted")

// SetStop installs a flag that a signal handler may set: Run then stops at the next slice
// boundary, the same one on every rank, and returns an error wrapping ErrInterrupted. The
// kernel stays usable: the time is that boundary, and a later Run continues from it.
func (k *Kernel) SetStop(flag *atomic.Bool) { k.stop = flag }

func (k *Kernel) stopRequested() bool { return k.stop != nil && k.stop.Load() }

// Resolution returns h in ms.
func (k *Kernel) Resolution() float64 { return k.grid.H() }

// Time returns the biological time in ms.
func (k *Kernel) Time() float64 { return k.grid.Ms(k.clock + k.from) }

// NumProcesses returns the number of MPI processes.
func (k *Kernel) NumProcesses() int { return k.comm.Size() }

// Rank returns this process's rank.
func (k *Kernel) Rank() int { return k.comm.Rank() }

// Comm returns the kernel's communicator.
func (k *Kernel) Comm() comm.Communicator { return k.comm }

// Grid returns the time grid.
func (k *Kernel) Grid() clock.Grid { return k.grid }

// Models lists all model names: neuron and device models, then synapse models, sorted.
func (k *Kernel) Models() []string { return k.models.names(k.syns) }

// NeuronModel exposes a neuron model for documentation (help).
func (k *Kernel) NeuronModel(name string) (models.NeuronModel, bool) {
	e, ok := k.models.lookup(name)
	if !ok || e.neuron == nil {
		return nil, false
	}
	return e.neuron, true
}
