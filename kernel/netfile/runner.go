package netfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Options configure a run.
type Options struct {
	// Comm is the communicator (nil: a single-process comm.Local).
	Comm comm.Communicator
	// Log receives the kernel's notes and warnings (nil: discarded).
	Log io.Writer
	// Out receives print_time progress, the screen backend and the tables of GetStatus and
	// GetConnections calls without "to" (nil: discarded). Only rank 0 writes.
	Out io.Writer
	// Sink receives the output files on rank 0 (nil: outputs are formatted and dropped).
	Sink Sink
	// Threads > 0 overrides local_num_threads; Seed > 0 overrides rng_seed, in the file's kernel
	// block, in every SetKernelStatus that sets them, and after every ResetKernel.
	Threads int
	Seed    int64
	// Quiet turns print_time off.
	Quiet bool
	// Plot adds PNG plots of the recorders to the outputs.
	Plot bool
	// Source names the network file in run.json.
	Source string
	// OutDir is the output folder (Store writes its checkpoint under it at once).
	OutDir string
	// CheckpointEvery > 0 with CheckpointDir writes a checkpoint there every so many ms of
	// biological time; a stop by a signal writes one too (with CheckpointDir).
	CheckpointEvery float64
	CheckpointDir   string
	// Resume is a checkpoint (or a folder of them) to continue the same script from.
	Resume string
	// BaseDir is the folder that relative table and Restore paths start from (the network
	// file's folder; empty: the working directory).
	BaseDir string
	// BeforeCall, if set, is called before the kernel block is applied (with Pos -1 and Name
	// "kernel") and before every call; an error stops the run (used to bound fuzzing).
	BeforeCall func(c Call) error
	// Stop, when set (by a signal handler), makes Simulate stop at the next slice boundary that
	// every rank agrees on (kernel.SetStop); StopReason names the signal for run.json.
	Stop       *atomic.Bool
	StopReason func() string
	// DataDir, if set, is the folder the ascii backend writes into (the output folder's staging
	// folder, on every rank): the file's data_path must then be a folder inside it.
	DataDir string
}

// Result summarises a run.
type Result struct {
	Files          []string // output files written, sorted
	Nodes          int64
	Connections    int64
	Spikes         int64
	BiologicalTime float64 // ms
	SimulatedMs    float64 // sum of all Simulate times
	BuildS         float64
	SimulateS      float64
	// Summary holds one line per spike recorder (mean rate of its sources) and per plastic
	// synapse model (mean weight before the first Simulate and at the end).
	Summary []string
}

// Runner executes one network file on one kernel.
type Runner struct {
	opts  Options
	k     *kernel.Kernel
	names map[string]kernel.NodeCollection

	// Output files are claimed on every rank when a call asks for them (so that a clash is an
	// error of that call on all ranks) and buffered on rank 0; nothing is written to the sink
	// before the script has ended and every collective is done.
	claimed names
	pending []pendingFile

	start       time.Time
	firstSim    time.Time           // start of the first Simulate (zero before)
	weights0    []kernel.WeightStat // plastic weights before the first Simulate
	simWall     time.Duration
	simulatedMs float64
	last        kernel.NodeCollection // the nodes of the last Create
	tables      map[string]*csvTable  // tables read by table values, by path
	pos         int                   // index of the call being run
	digest      string                // the script's digest (checkpoints name it)
	interactive bool                  // a Session: Store and Restore take any path
	incomplete  string                // why the run ended early ("" when it ran to its end)
}

// CallError is an error of one call (or of the kernel block or the outputs), with its position.
type CallError struct {
	Where string // "script[3] Connect", "kernel", "output"
	Err   error
}

func (e *CallError) Error() string {
	msg := strings.ReplaceAll(e.Err.Error(), "\n", " ")
	if kind := status.KindOf(e.Err); kind != "" {
		return e.Where + ": " + string(kind) + ": " + stripKind(msg, kind)
	}
	return e.Where + ": " + msg
}

func (e *CallError) Unwrap() error { return e.Err }

// PanicError is a panic recovered while running a call: a bug in nest-mpi, never the file's fault.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("InternalError: unexpected failure (a bug in nest-mpi, please report it): %v", e.Value)
}

// calls maps call names to their implementations.
var calls = map[string]func(*Runner, any) error{
	"SetKernelStatus": (*Runner).callSetKernelStatus,
	"Create":          (*Runner).callCreate,
	"CopyModel":       (*Runner).callCopyModel,
	"SetDefaults":     (*Runner).callSetDefaults,
	"SetStatus":       (*Runner).callSetStatus,
	"Connect":         (*Runner).callConnect,
	"Simulate":        (*Runner).callSimulate,
	"ResetKernel":     (*Runner).callResetKernel,
	"GetKernelStatus": (*Runner).callGetKernelStatus,
	"GetDefaults":     (*Runner).callGetDefaults,
	"Store":           (*Runner).callStore,
	"Restore":         (*Runner).callRestore,
	"GetStatus":       (*Runner).callGetStatus,
	"GetConnections":  (*Runner).callGetConnections,
}

// CallNames lists the calls a script may make, in the order of the spec-format table.
func CallNames() []string {
	return []string{"SetKernelStatus", "Create", "CopyModel", "SetDefaults", "SetStatus", "Connect",
		"Simulate", "ResetKernel", "GetStatus", "GetConnections", "GetKernelStatus", "GetDefaults", "Store", "Restore"}
}

// Run executes f on a new kernel and writes its outputs to opts.Sink. Errors are *CallError.
func Run(f *File, opts Options) (*Result, error) {
	if opts.Comm == nil {
		opts.Comm = comm.NewLocal()
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	r, err := newRunner(opts)
	if err != nil {
		return nil, &CallError{Where: "kernel", Err: err}
	}
	defer r.k.Close()

	r.digest = scriptDigest(f)
	first := 0
	if opts.Resume != "" {
		if err := r.guard(Call{Pos: -1, Name: "resume"}, func() (err error) {
			first, err = r.resume(f)
			return err
		}); err != nil {
			var ce *CallError
			if errors.As(err, &ce) {
				return nil, ce
			}
			return nil, &CallError{Where: "resume", Err: err}
		}
	} else {
		kc := Call{Pos: -1, Name: "kernel", Value: f.Kernel}
		if err := r.guard(kc, func() error {
			return r.setKernel(f.Kernel, true)
		}); err != nil {
			return nil, &CallError{Where: "kernel", Err: err}
		}
	}
	for _, c := range f.Script[first:] {
		r.pos = c.Pos
		fn := calls[c.Name]
		if fn == nil {
			return r.stopped(&CallError{Where: fmt.Sprintf("script[%d]", c.Pos), Err: status.Errorf(status.BadProperty, "unknown call %q", c.Name)})
		}
		if err := r.guard(c, func() error {
			v, err := r.expandTables(c.Name, c.Value)
			if err != nil {
				return err
			}
			return fn(r, v)
		}); err != nil {
			return r.stopped(&CallError{Where: c.Where(), Err: err})
		}
	}
	var res *Result
	if err := r.guard(Call{Pos: -1, Name: "output"}, func() (err error) {
		res, err = r.finish()
		return err
	}); err != nil {
		return nil, &CallError{Where: "output", Err: err}
	}
	return res, nil
}

// newRunner starts a kernel for a runner.
func newRunner(opts Options) (*Runner, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	k, err := kernel.New(kernel.Options{Comm: opts.Comm, Log: opts.Log, Out: opts.Out})
	if err != nil {
		return nil, err
	}
	if opts.Stop != nil {
		k.SetStop(opts.Stop)
	}
	return &Runner{opts: opts, k: k, names: map[string]kernel.NodeCollection{}, start: time.Now()}, nil
}

// guard runs the BeforeCall hook and fn, turning a panic into a *PanicError.
func (r *Runner) guard(c Call, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if r.opts.BeforeCall != nil && c.Name != "output" {
		if err := r.opts.BeforeCall(c); err != nil {
			return err
		}
	}
	return fn()
}

func (r *Runner) root() bool { return r.k.Comm().Rank() == 0 }

// ---- argument helpers ----

// object checks that v is an object whose keys are all accepted.
func object(v any, call string, accepted ...string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, status.Errorf(status.TypeMismatch, "expects an object with the keys %s, got %s", strings.Join(accepted, ", "), status.Describe(v))
	}
	var unknown []string
	for key := range m {
		if !slices.Contains(accepted, key) {
			unknown = append(unknown, fmt.Sprintf("%q", key))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, status.Errorf(status.UnaccessedDictionaryEntry, "unknown key %s; %s takes %s", strings.Join(unknown, ", "), call, strings.Join(accepted, ", "))
	}
	return m, nil
}

// str reads a string argument; required ones must be present.
func str(m map[string]any, key string, required bool) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		if required {
			return "", status.Errorf(status.BadProperty, "the argument %s is missing", key)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", status.Errorf(status.TypeMismatch, "%s: expects a string, got %s", key, status.Describe(v))
	}
	if required && s == "" {
		return "", status.Errorf(status.BadProperty, "%s: must not be empty", key)
	}
	return s, nil
}

// dict reads an optional object argument.
func dict(m map[string]any, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, status.Errorf(status.TypeMismatch, "%s: expects an object, got %s", key, status.Describe(v))
	}
	return d, nil
}

// dictOrList reads an argument that is an object or a list of objects (one per node).
func dictOrList(m map[string]any, key string) (map[string]any, []map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil, nil
	}
	switch x := v.(type) {
	case map[string]any:
		return x, nil, nil
	case []any:
		list := make([]map[string]any, len(x))
		for i, e := range x {
			d, ok := e.(map[string]any)
			if !ok {
				return nil, nil, status.Errorf(status.TypeMismatch, "%s[%d]: a list of %s holds objects (one per node), got %s", key, i, key, status.Describe(e))
			}
			list[i] = d
		}
		return nil, list, nil
	}
	return nil, nil, status.Errorf(status.TypeMismatch, "%s: expects an object or a list of objects (one per node), got %s", key, status.Describe(v))
}

// keyList reads keys: a string or a list of strings.
func keyList(m map[string]any, key string) ([]string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, status.Errorf(status.TypeMismatch, "%s[%d]: expects a string, got %s", key, i, status.Describe(e))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, status.Errorf(status.TypeMismatch, "%s: expects a key or a list of keys, got %s", key, status.Describe(v))
}

// ---- kernel status ----

// setKernel applies a kernel status dictionary with the command-line overrides. initial marks the
// file's kernel block (and the state after ResetKernel): the overrides apply even when the
// dictionary does not name them.
func (r *Runner) setKernel(p map[string]any, initial bool) error {
	d := make(map[string]any, len(p)+3)
	for key, v := range p {
		d[key] = v
	}
	_, hasThreads := d["local_num_threads"]
	_, hasVPs := d["total_num_virtual_procs"]
	if r.opts.Threads > 0 && (initial || hasThreads || hasVPs) {
		delete(d, "total_num_virtual_procs")
		d["local_num_threads"] = int64(r.opts.Threads)
	}
	if _, ok := d["rng_seed"]; r.opts.Seed > 0 && (initial || ok) {
		d["rng_seed"] = r.opts.Seed
	}
	if _, ok := d["print_time"]; r.opts.Quiet && (initial || ok) {
		d["print_time"] = false
	}
	if err := r.dataPath(d, initial); err != nil {
		return err
	}
	if len(d) == 0 {
		return nil
	}
	if err := r.k.SetKernelStatus(d); err != nil {
		return err
	}
	r.ensureProcs()
	return nil
}

// ensureProcs raises GOMAXPROCS to the number of threads (mpirun may bind a rank to one core).
func (r *Runner) ensureProcs() {
	st, err := r.k.GetKernelStatus("local_num_threads")
	if err != nil {
		return
	}
	if n, ok := st["local_num_threads"].(int64); ok && n > 0 && n <= 1024 && runtime.GOMAXPROCS(0) < int(n) {
		runtime.GOMAXPROCS(int(n))
	}
}

func (r *Runner) callSetKernelStatus(v any) error {
	p, ok := v.(map[string]any)
	if !ok {
		return status.Errorf(status.TypeMismatch, "expects an object of kernel status keys, got %s", status.Describe(v))
	}
	return r.setKernel(p, false)
}

// ---- calls ----

func (r *Runner) callCreate(v any) error {
	m, err := object(v, "Create", "model", "n", "params", "as")
	if err != nil {
		return err
	}
	model, err := str(m, "model", true)
	if err != nil {
		return err
	}
	name, err := str(m, "as", false)
	if err != nil {
		return err
	}
	if _, given := m["as"]; given && !validName(name) {
		return status.Errorf(status.BadProperty, "as: %q cannot name nodes: use letters, digits, '_', '-' and '.' (it becomes the file name <name>.csv)", name)
	}
	if _, taken := r.names[name]; taken && name != "" {
		return status.Errorf(status.BadProperty, "as: the name %q is already given to nodes created earlier; every Create names its own nodes (ResetKernel forgets the names)", name)
	}
	n := int64(1)
	nv, hasN := m["n"]
	if hasN {
		if n, err = status.ToInt(nv); err != nil {
			return status.Errorf(status.TypeMismatch, "n: expects a positive integer, got %s", status.Describe(nv))
		}
		if n < 1 || n > math.MaxInt32 {
			return status.Errorf(status.BadParameter, "n: the number of nodes must be between 1 and %d, got %d", math.MaxInt32, n)
		}
	}
	common, each, err := dictOrList(m, "params")
	if err != nil {
		return err
	}
	var nc kernel.NodeCollection
	if each != nil {
		if hasN && int(n) != len(each) {
			return status.Errorf(status.DimensionMismatch, "params: a list of %d dictionaries for n = %d nodes", len(each), n)
		}
		if len(each) == 0 {
			return status.Errorf(status.BadParameter, "params: an empty list creates no nodes")
		}
		list := make([]kernel.Params, len(each))
		for i, d := range each {
			if list[i], err = r.resolveParams(d, fmt.Sprintf("params[%d].", i)); err != nil {
				return err
			}
		}
		nc, err = r.k.CreateEach(model, list)
	} else {
		p, err2 := r.resolveParams(common, "params.")
		if err2 != nil {
			return err2
		}
		if p == nil {
			nc, err = r.k.Create(model, int(n))
		} else {
			nc, err = r.k.Create(model, int(n), p)
		}
	}
	if err != nil {
		return err
	}
	if name != "" {
		r.names[name] = nc
	}
	r.last = nc
	return nil
}

func (r *Runner) callCopyModel(v any) error {
	m, err := object(v, "CopyModel", "old", "new", "params")
	if err != nil {
		return err
	}
	old, err := str(m, "old", true)
	if err != nil {
		return err
	}
	neu, err := str(m, "new", true)
	if err != nil {
		return err
	}
	p, err := dict(m, "params")
	if err != nil {
		return err
	}
	if p, err = r.resolveParams(p, "params."); err != nil {
		return err
	}
	return r.k.CopyModel(old, neu, p)
}

func (r *Runner) callSetDefaults(v any) error {
	m, err := object(v, "SetDefaults", "model", "params")
	if err != nil {
		return err
	}
	model, err := str(m, "model", true)
	if err != nil {
		return err
	}
	p, err := dict(m, "params")
	if err != nil {
		return err
	}
	if p == nil {
		return status.Errorf(status.BadProperty, "the argument params is missing")
	}
	if p, err = r.resolveParams(p, "params."); err != nil {
		return err
	}
	return r.k.SetDefaults(model, p)
}

func (r *Runner) callSetStatus(v any) error {
	m, err := object(v, "SetStatus", "nodes", "params")
	if err != nil {
		return err
	}
	if _, ok := m["nodes"]; !ok {
		return status.Errorf(status.BadProperty, "the argument nodes is missing")
	}
	nc, err := r.nodes(m["nodes"], "nodes")
	if err != nil {
		return err
	}
	common, each, err := dictOrList(m, "params")
	if err != nil {
		return err
	}
	if common == nil && each == nil {
		return status.Errorf(status.BadProperty, "the argument params is missing")
	}
	if each != nil {
		list := make([]kernel.Params, len(each))
		for i, d := range each {
			if list[i], err = r.resolveParams(d, fmt.Sprintf("params[%d].", i)); err != nil {
				return err
			}
		}
		return r.k.SetStatusEach(nc, list)
	}
	p, err := r.resolveParams(common, "params.")
	if err != nil {
		return err
	}
	return r.k.SetStatus(nc, p)
}

func (r *Runner) callConnect(v any) error {
	m, err := object(v, "Connect", "pre", "post", "conn_spec", "syn_spec")
	if err != nil {
		return err
	}
	if done, err := r.connectArrays(m); done {
		return err
	}
	var pre, post kernel.NodeCollection
	for _, a := range []struct {
		key string
		dst *kernel.NodeCollection
	}{{"pre", &pre}, {"post", &post}} {
		if _, ok := m[a.key]; !ok {
			return status.Errorf(status.BadProperty, "the argument %s is missing", a.key)
		}
		if *a.dst, err = r.nodes(m[a.key], a.key); err != nil {
			return err
		}
	}
	var connSpec any
	switch x := m["conn_spec"].(type) {
	case nil:
	case string, map[string]any:
		connSpec = x
	default:
		return status.Errorf(status.TypeMismatch, "conn_spec: expects a rule name or an object, got %s", status.Describe(x))
	}
	synSpec, err := r.synSpec(m["syn_spec"])
	if err != nil {
		return err
	}
	return r.k.Connect(pre, post, connSpec, synSpec)
}

// synSpec reads Connect's syn_spec: nil, a synapse model name or an object.
func (r *Runner) synSpec(v any) (any, error) {
	var synSpec any
	switch x := v.(type) {
	case nil:
	case string:
		synSpec = x
	case map[string]any:
		p, err := r.resolveParams(x, "syn_spec.")
		if err != nil {
			return nil, err
		}
		synSpec = kernel.Params(p)
	default:
		return nil, status.Errorf(status.TypeMismatch, "syn_spec: expects a synapse model name or an object, got %s", status.Describe(x))
	}
	return synSpec, nil
}

// connectArrays makes NEST's array connection when pre or post is {"ids": [...]}: pre[i] to
// post[i], ids may repeat, the rule is one_to_one. done is false for other forms of Connect.
func (r *Runner) connectArrays(m map[string]any) (done bool, err error) {
	pre, isPre, err := idArray(m["pre"], "pre")
	if err != nil {
		return true, err
	}
	post, isPost, err := idArray(m["post"], "post")
	if err != nil {
		return true, err
	}
	if !isPre && !isPost {
		return false, nil
	}
	for _, a := range []struct {
		key  string
		is   bool
		dst  *[]uint64
		orig any
	}{{"pre", isPre, &pre, m["pre"]}, {"post", isPost, &post, m["post"]}} {
		if !a.is {
			nc, err := r.nodes(a.orig, a.key)
			if err != nil {
				return true, err
			}
			*a.dst = nc.IDs()
		}
	}
	switch x := m["conn_spec"].(type) {
	case nil:
	case string:
		if x != "one_to_one" {
			return true, status.Errorf(status.BadProperty, "conn_spec: Connect with id arrays uses the rule one_to_one, got %q", x)
		}
	case map[string]any:
		if rule, _ := x["rule"].(string); rule != "one_to_one" || len(x) != 1 {
			return true, status.Errorf(status.BadProperty, "conn_spec: Connect with id arrays takes only {\"rule\": \"one_to_one\"}")
		}
	default:
		return true, status.Errorf(status.TypeMismatch, "conn_spec: expects a rule name or an object, got %s", status.Describe(x))
	}
	synSpec, err := r.synSpec(m["syn_spec"])
	if err != nil {
		return true, err
	}
	return true, r.k.ConnectArrays(pre, post, synSpec)
}

func (r *Runner) callSimulate(v any) error {
	var t float64
	switch x := v.(type) {
	case int64:
		t = float64(x)
	case float64:
		t = x
	default:
		return status.Errorf(status.TypeMismatch, "expects the time in ms (a number), got %s", status.Describe(v))
	}
	if r.firstSim.IsZero() {
		w, err := r.k.WeightSummary()
		if err != nil {
			return err
		}
		r.weights0 = w
	}
	start := time.Now()
	if r.firstSim.IsZero() {
		r.firstSim = start
	}
	t0 := r.k.Time()
	err := r.simulate(t, r.pos)
	r.simWall += time.Since(start)
	r.simulatedMs += r.k.Time() - t0
	return err
}

func (r *Runner) callResetKernel(v any) error {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		if len(x) > 0 {
			return status.Errorf(status.UnaccessedDictionaryEntry, "ResetKernel takes no arguments ({}), got the keys %s", strings.Join(sortedKeys(x), ", "))
		}
	default:
		return status.Errorf(status.TypeMismatch, "expects {}, got %s", status.Describe(v))
	}
	r.k.ResetKernel()
	r.names = map[string]kernel.NodeCollection{}
	return r.setKernel(nil, true)
}

func (r *Runner) callGetStatus(v any) error {
	m, err := object(v, "GetStatus", "nodes", "keys", "to")
	if err != nil {
		return err
	}
	if _, ok := m["nodes"]; !ok {
		return status.Errorf(status.BadProperty, "the argument nodes is missing")
	}
	nc, err := r.nodes(m["nodes"], "nodes")
	if err != nil {
		return err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return err
	}
	to, err := str(m, "to", false)
	if err != nil {
		return err
	}
	t, err := r.statusTable(nc, keys)
	if err != nil {
		return err
	}
	return r.emitTable(t, to)
}

func (r *Runner) callGetConnections(v any) error {
	m, err := object(v, "GetConnections", "source", "target", "synapse_model", "keys", "to")
	if err != nil {
		return err
	}
	var f connFilter
	for _, a := range []struct {
		key string
		dst **kernel.NodeCollection
	}{{"source", &f.source}, {"target", &f.target}} {
		if raw, ok := m[a.key]; ok && raw != nil {
			nc, err := r.nodes(raw, a.key)
			if err != nil {
				return err
			}
			*a.dst = &nc
		}
	}
	if f.synapseModel, err = str(m, "synapse_model", false); err != nil {
		return err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return err
	}
	to, err := str(m, "to", false)
	if err != nil {
		return err
	}
	t, err := r.connectionTable(f, keys)
	if err != nil {
		return err
	}
	return r.emitTable(t, to)
}

// pendingFile is an output buffered until the end of the script.
type pendingFile struct {
	name string
	data []byte
}

// emitTable buffers a table for the output file to (rank 0), or prints it to Out when to is empty.
func (r *Runner) emitTable(t *table, to string) error {
	if to != "" && !validOutputName(to) {
		return status.Errorf(status.BadProperty, "to: %q must be a file name inside the output folder (a relative path without '..')", to)
	}
	if to == "run.json" {
		return status.Errorf(status.BadProperty, "to: run.json is the run summary; choose another name")
	}
	if to == "" {
		if r.root() {
			return t.writeCSV(r.opts.Out)
		}
		return nil
	}
	if err := r.claimed.claim(to); err != nil {
		return err
	}
	if r.root() {
		var b bytes.Buffer
		if err := t.writeCSV(&b); err != nil {
			return err
		}
		r.pending = append(r.pending, pendingFile{name: to, data: b.Bytes()})
	}
	return nil
}

// writeFile creates an output file on the sink and fills it.
func (r *Runner) writeFile(name string, fill func(io.Writer) error) error {
	sink := r.opts.Sink
	if sink == nil {
		sink = &MemSink{Discard: true}
		r.opts.Sink = sink
	}
	w, err := sink.Create(name)
	if err != nil {
		return err
	}
	if err := fill(w); err != nil {
		w.Close()
		return status.Errorf(status.IOError, "writing %s: %v", name, err)
	}
	if err := w.Close(); err != nil {
		return status.Errorf(status.IOError, "writing %s: %v", name, err)
	}
	return nil
}

func (r *Runner) callGetKernelStatus(v any) error {
	m, err := object(v, "GetKernelStatus", "keys", "to")
	if err != nil {
		return err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return err
	}
	to, err := str(m, "to", false)
	if err != nil {
		return err
	}
	st, err := r.kernelStatus(keys)
	if err != nil {
		return err
	}
	return r.emitJSON(st, to)
}

func (r *Runner) callGetDefaults(v any) error {
	m, err := object(v, "GetDefaults", "model", "keys", "to")
	if err != nil {
		return err
	}
	model, err := str(m, "model", true)
	if err != nil {
		return err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return err
	}
	to, err := str(m, "to", false)
	if err != nil {
		return err
	}
	d, err := r.k.GetDefaults(model, keys...)
	if err != nil {
		return err
	}
	return r.emitJSON(d, to)
}

// emitJSON buffers a JSON object for the output file to (a .json name; rank 0), or prints it to
// Out when to is empty.
func (r *Runner) emitJSON(v map[string]any, to string) error {
	data := append(appendJSON(nil, v, true), '\n')
	if to == "" {
		if r.root() {
			_, err := r.opts.Out.Write(data)
			return err
		}
		return nil
	}
	if !validOutputName(to) || !strings.HasSuffix(to, ".json") || to == "run.json" {
		return status.Errorf(status.BadProperty, "to: %q must be a .json file name inside the output folder (a relative path without '..', not run.json)", to)
	}
	if err := r.claimed.claim(to); err != nil {
		return err
	}
	if r.root() {
		r.pending = append(r.pending, pendingFile{name: to, data: data})
	}
	return nil
}
