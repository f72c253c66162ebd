package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nest-mpi/nest-mpi/bench"
	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

const benchUsage = "usage: nest-mpi bench NAME [--scale S] [--plastic] [--threads T] [--seed S] [--out DIR] [--dry-run N] [--plot] [--quiet] [--cpuprofile FILE] (NAME: " +
	"hpc_benchmark, microcircuit, brunel); nest-mpi bench scaling NAME --configs RxT,... [--weak] [flags of bench]"

// benchFlags are the flags of nest-mpi bench.
type benchFlags struct {
	scale   float64
	kScale  float64
	plastic bool
	threads int
	seed    int64
	out     string
	dryRun  int
	plot    bool
	quiet   bool
	cpuProf string
}

func (f *benchFlags) register(fs *pflag.FlagSet) {
	fs.Float64Var(&f.scale, "scale", 1, "network size relative to the published network (hpc_benchmark's S, the microcircuit's N_scaling)")
	fs.Float64Var(&f.kScale, "k-scaling", 1, "the microcircuit's K_scaling (in-degrees relative to the published network)")
	fs.BoolVar(&f.plastic, "plastic", false, "plastic excitatory synapses (hpc_benchmark: stdp_pl_synapse_hom E->E; brunel: stdp_synapse_hom)")
	fs.IntVarP(&f.threads, "threads", "t", 1, "local_num_threads per rank")
	fs.Int64VarP(&f.seed, "seed", "s", kernel.DefaultSeed, "rng_seed")
	fs.StringVarP(&f.out, "out", "o", "", "output folder (default out/bench/NAME)")
	fs.IntVar(&f.dryRun, "dry-run", 0, "stand in for rank 0 of N ranks in one process (memory and cost per rank)")
	fs.BoolVar(&f.plot, "plot", false, "write PNG plots of the recorders")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress line or notes")
	fs.StringVar(&f.cpuProf, "cpuprofile", "", "write a Go CPU profile of the run to this file (FILE.rankN on rank N > 0); read it with 'go tool pprof'")
}

func parseBenchFlags(args []string) (string, benchFlags, error) {
	var f benchFlags
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return "", f, &usageError{benchUsage}
		}
		return "", f, &usageError{"bench: " + err.Error()}
	}
	if fs.NArg() != 1 {
		return "", f, &usageError{fmt.Sprintf("bench takes one network name (%s), got %d arguments", strings.Join(bench.Names(), ", "), fs.NArg())}
	}
	if err := f.check(); err != nil {
		return "", f, err
	}
	name := fs.Arg(0)
	if f.out == "" {
		f.out = filepath.Join("out", "bench", name)
	}
	return name, f, nil
}

func (f *benchFlags) check() error {
	switch {
	case f.threads < 1 || f.threads > 1024:
		return &usageError{fmt.Sprintf("bench: --threads must be between 1 and 1024, got %d", f.threads)}
	case f.seed < 1 || f.seed >= 1<<32:
		return &usageError{fmt.Sprintf("bench: --seed must satisfy 0 < seed < 2^32, got %d", f.seed)}
	case f.dryRun < 0 || f.dryRun > 65536:
		return &usageError{fmt.Sprintf("bench: --dry-run must be between 1 and 65536 ranks, got %d", f.dryRun)}
	case !(f.scale > 0):
		return &usageError{fmt.Sprintf("bench: --scale must be positive, got %g", f.scale)}
	case !(f.kScale > 0 && f.kScale <= 1):
		return &usageError{fmt.Sprintf("bench: --k-scaling must be in (0, 1], got %g", f.kScale)}
	}
	return nil
}

// benchRun is what one benchmark run reports (run.json and the communicator's exchange volume).
type benchRun struct {
	Name   string
	Flags  benchFlags
	Ranks  int
	Volume comm.Volume
	Run    benchRunJSON
	Rates  []popRate
}

// benchRunJSON is the part of run.json a benchmark reports.
type benchRunJSON struct {
	Kernel struct {
		BiologicalTime float64 `json:"biological_time"`
	} `json:"kernel"`
	Counts struct {
		Connections int64 `json:"connections"`
		Spikes      int64 `json:"spikes"`
	} `json:"counts"`
	Timings     map[string]float64 `json:"timings"`
	TimingsMean map[string]float64 `json:"timings_mean"`
	Memory      struct {
		PeakRSSBytes int64 `json:"peak_rss_bytes"`
	} `json:"memory"`
}

func cmdBench(c comm.Communicator, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "scaling" {
		return cmdBenchScaling(c, args[1:], stdout, stderr)
	}
	name, f, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	if err := launchChecks(c, f.threads, stderr); err != nil {
		return err
	}
	stop, err := startCPUProfile("bench", f.cpuProf, c.Rank())
	if err != nil {
		return err
	}
	r, err := runBench(c, name, f, stderr)
	if perr := stop(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if c.Rank() != 0 {
		return nil
	}
	if err := writeBenchCSV(filepath.Join(f.out, "bench.csv"), []benchRun{*r}); err != nil {
		return err
	}
	printBench(stdout, r)
	return nil
}

// runBench writes the benchmark's network file to f.out/network.json and runs it through the
// network-file runner (the path of `nest-mpi run`), under a dry-run communicator when asked.
func runBench(c comm.Communicator, name string, f benchFlags, stderr io.Writer) (*benchRun, error) {
	b, err := bench.Lookup(name, bench.Options{Scale: f.scale, Plastic: f.plastic, KScaling: f.kScale})
	if err != nil {
		return nil, &usageError{"bench: " + err.Error()}
	}
	var dry *comm.DryRun
	if f.dryRun > 0 {
		if c.Size() > 1 {
			return nil, &usageError{"bench: --dry-run runs in one process, not under mpirun"}
		}
		if dry, err = comm.NewDryRun(f.dryRun, 0); err != nil {
			return nil, err
		}
		c = dry
	}
	script := b.Script(f.threads, f.seed)
	if dry != nil { // the recorders' events would be mirrored copies: a dry run measures, it does not record
		script = script.WithoutRecorders()
	}
	data, err := script.JSON()
	if err != nil {
		return nil, err
	}
	nf, err := netfile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("bench %s: the generated network file: %w", name, err)
	}
	opts := netfile.Options{Comm: c, Log: stderr, Out: os.Stdout, Quiet: f.quiet, Plot: f.plot, Source: "network.json"}
	if f.quiet || c.Rank() != 0 {
		opts.Log = nil
	}
	if c.Rank() != 0 {
		opts.Out = nil
	}
	if !f.quiet && c.Rank() == 0 {
		nf.Kernel["print_time"] = true
	}
	var sink *netfile.DirSink
	if c.Rank() == 0 {
		if sink, err = netfile.NewDirSink(f.out); err != nil {
			return nil, err
		}
		if err := writeSinkFile(sink, "network.json", data); err != nil {
			sink.Abort()
			return nil, err
		}
		opts.Sink = sink
	}
	netfile.Version = version
	if _, err := netfile.Run(nf, opts); err != nil {
		if sink != nil {
			sink.Abort()
		}
		return nil, err
	}
	r := &benchRun{Name: name, Flags: f, Ranks: c.Size()}
	if dry != nil {
		r.Volume = dry.Volume()
	}
	if sink == nil {
		return r, nil
	}
	if err := sink.Commit(); err != nil {
		sink.Abort()
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(f.out, "run.json"))
	if err != nil {
		return nil, fmt.Errorf("bench: reading run.json: %w", err)
	}
	if err := json.Unmarshal(raw, &r.Run); err != nil {
		return nil, fmt.Errorf("bench: reading run.json: %w", err)
	}
	if m, ok := b.(bench.Microcircuit); ok && dry == nil {
		if r.Rates, err = microcircuitRates(m, f.out); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func writeSinkFile(s netfile.Sink, name string, data []byte) error {
	w, err := s.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return w.Close()
}

// benchColumns are the columns of bench.csv: beNNch's (rng_seed, num_nodes, tasks_per_node,
// threads_per_task, model_time_sim, the phase timers, memory) and the network's configuration.
func benchColumns() []string {
	cols := []string{"network", "scale", "plastic", "rng_seed", "num_nodes", "tasks_per_node", "threads_per_task",
		"dry_run_ranks", "model_time_sim", "num_connections", "spikes", "build_s", "simulate_s", "rtf"}
	cols = append(cols, kernel.PhaseTimerKeys()...)
	return append(cols, "peak_rss_bytes", "exchange_sent_bytes", "exchange_recv_bytes")
}

// numNodes is the number of hosts of the job (Slurm's count, else 1).
func numNodes() int {
	for _, v := range []string{"SLURM_JOB_NUM_NODES", "SLURM_NNODES"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 0 {
			return n
		}
	}
	return 1
}

func (r *benchRun) row() []string {
	f, t := r.Flags, r.Run.Timings
	nodes := numNodes()
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	row := []string{r.Name, g(f.scale), strconv.FormatBool(f.plastic), strconv.FormatInt(f.seed, 10),
		strconv.Itoa(nodes), strconv.Itoa((r.Ranks + nodes - 1) / nodes), strconv.Itoa(f.threads),
		strconv.Itoa(f.dryRun), g(r.Run.Kernel.BiologicalTime), strconv.FormatInt(r.Run.Counts.Connections, 10),
		strconv.FormatInt(r.Run.Counts.Spikes, 10), g(t["build_s"]), g(t["simulate_s"]), g(t["rtf"])}
	for _, key := range kernel.PhaseTimerKeys() {
		row = append(row, g(t[key]))
	}
	return append(row, strconv.FormatInt(r.Run.Memory.PeakRSSBytes, 10),
		strconv.FormatInt(r.Volume.SentBytes, 10), strconv.FormatInt(r.Volume.RecvBytes, 10))
}

// writeBenchCSV writes the header and one row per run.
func writeBenchCSV(path string, runs []benchRun) error {
	var b strings.Builder
	b.WriteString(strings.Join(benchColumns(), ",") + "\n")
	for i := range runs {
		b.WriteString(strings.Join(runs[i].row(), ",") + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

func printBench(w io.Writer, r *benchRun) {
	t, gib := r.Run.Timings, float64(1<<30)
	fmt.Fprintf(w, "%s (scale %g, %s, %d ranks x %d threads): build %.2f s, simulate %.2f s (%g ms, rtf %.2f), peak %.2f GiB per rank, %d connections, %d spikes\n",
		r.Name, r.Flags.scale, map[bool]string{true: "plastic", false: "static"}[r.Flags.plastic], r.Ranks, r.Flags.threads,
		t["build_s"], t["simulate_s"], r.Run.Kernel.BiologicalTime, t["rtf"], float64(r.Run.Memory.PeakRSSBytes)/gib,
		r.Run.Counts.Connections, r.Run.Counts.Spikes)
	fmt.Fprintf(w, "  phases (s, slowest rank): create %.2f, connect %.2f, prepare %.2f, update %.2f, deliver %.2f, collocate %.3f, communicate %.3f\n",
		t["time_construction_create"], t["time_construction_connect"], t["time_communicate_prepare"], t["time_update"],
		t["time_deliver_spike_data"], t["time_collocate_spike_data"], t["time_communicate_spike_data"])
	if r.Flags.dryRun > 0 {
		fmt.Fprintf(w, "  dry run: rank 0 of %d; exchange per rank: %d rounds, %.3g MB sent, %.3g MB received\n",
			r.Flags.dryRun, r.Volume.Rounds, float64(r.Volume.SentBytes)/1e6, float64(r.Volume.RecvBytes)/1e6)
	}
	for _, p := range r.Rates {
		fmt.Fprintf(w, "  %-5s %7.3f spikes/s (published %.3f, %+.1f%%)\n", p.Name, p.Rate, p.Published, 100*(p.Rate/p.Published-1))
	}
}

// startCPUProfile starts a CPU profile written to path (path.rankN on rank N > 0) and returns
// the function that stops it and closes the file; errors name the command cmd. An empty path
// profiles nothing.
func startCPUProfile(cmd, path string, rank int) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if rank > 0 {
		path = fmt.Sprintf("%s.rank%d", path, rank)
	}
	file, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: --cpuprofile: %w", cmd, err)
	}
	if err := pprof.StartCPUProfile(file); err != nil {
		file.Close()
		return nil, fmt.Errorf("%s: --cpuprofile %s: %w", cmd, path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := file.Close(); err != nil {
			return fmt.Errorf("%s: --cpuprofile %s: %w", cmd, path, err)
		}
		return nil
	}, nil
}
