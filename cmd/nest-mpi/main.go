package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// MPI requires every call from the thread that initialised it: keep the main goroutine on the main
// OS thread.
func init() { runtime.LockOSThread() }

func main() { os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr)) }

// exitError is the exit status of every error.
const exitError = 2

// otherRankDelay is how long a rank other than 0 waits before reporting its error, so that an
// error every rank meets is printed once (by rank 0, whose Abort ends the others first).
var otherRankDelay = 2 * time.Second

// waitedError is an error of a rank other than 0 that has waited otherRankDelay already.
type waitedError struct{ err error }

func (e *waitedError) Error() string { return e.err.Error() }
func (e *waitedError) Unwrap() error { return e.err }

// usageError is a command-line mistake: the usage follows the message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg + " (see 'nest-mpi help')" }

// realMain runs the command and returns the exit status.
func realMain(args []string, stdout, stderr io.Writer) (code int) {
	c, err := comm.Init()
	if err != nil {
		fmt.Fprintf(stderr, "nest-mpi: %s\n", oneLine(err.Error()))
		return exitError
	}
	defer func() {
		if v := recover(); v != nil {
			code = fail(c, stderr, fmt.Errorf("InternalError: unexpected failure (a bug in nest-mpi, please report it): %v", v))
		}
		if err := c.Finalize(); err != nil && code == 0 {
			fmt.Fprintf(stderr, "nest-mpi: %s\n", oneLine(err.Error()))
			code = exitError
		}
	}()
	if err := dispatch(c, args, stdout, stderr); err != nil {
		return fail(c, stderr, err)
	}
	return 0
}

// fail reports err as one line and, under MPI, aborts every rank. A run stopped by a signal
// stopped on every rank at the same slice: rank 0 reports it, and nobody aborts.
func fail(c comm.Communicator, stderr io.Writer, err error) int {
	code := exitCode(err)
	msg := oneLine(err.Error())
	if code == exitInterrupted {
		if c.Rank() == 0 {
			fmt.Fprintf(stderr, "nest-mpi: %s\n", msg)
		}
		return code
	}
	if c.Size() > 1 && c.Rank() != 0 {
		if !errors.As(err, new(*waitedError)) {
			time.Sleep(otherRankDelay)
		}
		msg = fmt.Sprintf("rank %d: %s", c.Rank(), msg)
	}
	fmt.Fprintf(stderr, "nest-mpi: %s\n", msg)
	if c.Size() > 1 {
		c.Abort(code)
	}
	return code
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", " ")), " ")
}

const usage = `nest-mpi runs NEST-compatible spiking network simulations.

Usage:
  nest-mpi run FILE [--out DIR] [--threads N] [--seed S] [--plot] [--quiet] [--cpuprofile FILE]
      Run a network file (a PyNEST script as JSON). Outputs go to DIR (default out/<file name>):
      <name>.csv for each recorder named with "as", the GetStatus/GetConnections tables and
      run.json. DIR is created and checked first; an error before the first Simulate leaves it
      untouched, a later error or a signal (SIGTERM, SIGUSR1, SIGINT) publishes what was
      recorded with run.json "complete": false. Exit status 0 ok, 2 an error in the file or a
      NEST error, 3 the network does not fit in memory, 4 stopped by a signal, 1 anything else.
      --cpuprofile FILE writes a Go CPU profile of the run (FILE.rankN on rank N > 0).
  nest-mpi serve
      Run one kernel driven call by call: one JSON call a line on stdin, one JSON answer a line
      on stdout (the protocol of the Python package nestmpi; see kernel/serve). Under mpirun,
      rank 0 reads and answers, every rank executes.
  nest-mpi jobscript FILE --nodes N --tasks-per-node R --threads T [--out DIR] [--time HH:MM:SS]
          [--partition P] [--account A] [--mem auto|SIZE] [--launcher srun|mpirun] [--no-slurm]
          [--binary PATH] [--job-name NAME] [--checkpoint-dir DIR]
      Write a Slurm job script (or with --no-slurm a bash script for mpirun) that runs FILE with the
      MPI build on N nodes x R ranks x T threads.
  nest-mpi estimate FILE [--ranks R] [--threads T] [--json]
      Estimate the nodes, connections and peak memory per rank of a network file without
      building it (--json: an object whose memory.peak_rss_bytes is the largest rank's peak).
      run refuses a network that does not fit in the memory it may use (exit status 3).
  nest-mpi bench NAME [--scale S] [--plastic] [--threads T] [--out DIR] [--dry-run N]
      Run NEST's benchmark network NAME (hpc_benchmark, microcircuit, brunel) from its generated
      network file (DIR/network.json, default DIR out/bench/NAME); writes run.json and bench.csv
      (beNNch's columns). --dry-run N stands in for rank 0 of N ranks in one process;
      --cpuprofile FILE writes a Go CPU profile (FILE.rankN on rank N > 0).
  nest-mpi bench scaling NAME --configs 1x1,1x2,2x1 [--weak] [flags of bench]
      Run NAME in every configuration RANKSxTHREADS (more than one rank through mpirun and the MPI
      build) and write scaling.csv, scaling.md and the plots rtf_phases.png and speedup.png.
  nest-mpi models [--long]
      List every model (neurons, devices, synapses).
  nest-mpi help MODEL
      Show a model's documentation, parameters with defaults and units, and recordables.
  nest-mpi version
      Print the version.
`

func dispatch(c comm.Communicator, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{"no command given (run, serve, bench, jobscript, estimate, models, help, version)"}
	}
	out := stdout
	if c.Rank() != 0 {
		out = io.Discard
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		return cmdRun(c, rest, stdout, stderr)
	case "serve":
		return cmdServe(c, rest, os.Stdin, stdout, stderr)
	case "bench":
		return cmdBench(c, rest, stdout, stderr)
	case "jobscript":
		return cmdJobscript(rest, out)
	case "estimate":
		return cmdEstimate(rest, out)
	case "models":
		return cmdModels(rest, out)
	case "help", "-h", "--help":
		if len(rest) == 0 {
			fmt.Fprint(out, usage)
			return nil
		}
		if len(rest) > 1 {
			return &usageError{"help takes one model name"}
		}
		return cmdHelp(rest[0], out)
	case "version", "--version":
		if len(rest) > 0 {
			return &usageError{"version takes no arguments"}
		}
		fmt.Fprintln(out, versionString(c))
		return nil
	default:
		return &usageError{fmt.Sprintf("unknown command %q (run, serve, bench, jobscript, estimate, models, help, version)", cmd)}
	}
}

func versionString(c comm.Communicator) string {
	s := "nest-mpi " + version
	var extra []string
	extra = append(extra, runtime.Version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, st := range bi.Settings {
			if st.Key == "vcs.revision" && len(st.Value) >= 12 {
				extra = append(extra, "revision "+st.Value[:12])
			}
		}
	}
	extra = append(extra, "communicator "+c.Name())
	return s + " (" + strings.Join(extra, ", ") + ")"
}

// runFlags are the flags of nest-mpi run.
type runFlags struct {
	out             string
	threads         int
	seed            int64
	plot            bool
	quiet           bool
	checkpointEvery float64
	checkpointDir   string
	resume          string
	cpuProf         string
}

func parseRunFlags(args []string) (string, runFlags, error) {
	var f runFlags
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&f.out, "out", "o", "", "output folder (default out/<file name>)")
	fs.IntVarP(&f.threads, "threads", "t", 0, "local_num_threads (overrides the file)")
	fs.Int64VarP(&f.seed, "seed", "s", 0, "rng_seed (overrides the file)")
	fs.BoolVar(&f.plot, "plot", false, "write PNG plots of the recorders")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress, notes or summary")
	fs.Float64Var(&f.checkpointEvery, "checkpoint-every", 0, "write a checkpoint every MS of biological time (with --checkpoint-dir)")
	fs.StringVar(&f.checkpointDir, "checkpoint-dir", "", "folder for checkpoints (the newest two are kept)")
	fs.StringVar(&f.resume, "resume", "", "continue the script from a checkpoint (a checkpoint, or a folder of them: the newest)")
	fs.StringVar(&f.cpuProf, "cpuprofile", "", "write a Go CPU profile of the run to this file (FILE.rankN on rank N > 0); read it with 'go tool pprof'")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return "", f, &usageError{"usage: nest-mpi run FILE [--out DIR] [--threads N] [--seed S] [--plot] [--quiet] [--checkpoint-every MS --checkpoint-dir DIR] [--resume DIR] [--cpuprofile FILE]"}
		}
		return "", f, &usageError{"run: " + err.Error()}
	}
	if fs.NArg() != 1 {
		return "", f, &usageError{fmt.Sprintf("run takes one network file, got %d arguments", fs.NArg())}
	}
	if fs.Changed("threads") && (f.threads < 1 || f.threads > 1024) {
		return "", f, &usageError{fmt.Sprintf("run: --threads must be between 1 and 1024, got %d", f.threads)}
	}
	if fs.Changed("seed") && (f.seed < 1 || f.seed >= 1<<32) {
		return "", f, &usageError{fmt.Sprintf("run: --seed must satisfy 0 < seed < 2^32, got %d", f.seed)}
	}
	if fs.Changed("checkpoint-every") && (!(f.checkpointEvery > 0) || math.IsInf(f.checkpointEvery, 0) || f.checkpointDir == "") {
		return "", f, &usageError{fmt.Sprintf("run: --checkpoint-every takes a positive time in ms and needs --checkpoint-dir, got %g", f.checkpointEvery)}
	}
	file := fs.Arg(0)
	if f.out == "" {
		stem := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		f.out = filepath.Join("out", stem)
	}
	return file, f, nil
}

func cmdRun(c comm.Communicator, args []string, stdout, stderr io.Writer) error {
	file, f, err := parseRunFlags(args)
	if err != nil {
		return err
	}
	stopFlag, reason, stopHandlers := stopSignals(c) // at once: a signal during building stops the run too
	defer stopHandlers()
	if err := launchChecks(c, f.threads, stderr); err != nil {
		return err
	}
	nf, err := netfile.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	limit, err := checkFits(c, nf, f.threads)
	if err != nil {
		return err
	}

	opts := netfile.Options{Comm: c, Log: stderr, Out: stdout, Threads: f.threads, Seed: f.seed,
		Quiet: f.quiet, Plot: f.plot, Source: file, BaseDir: filepath.Dir(file), OutDir: f.out,
		CheckpointEvery: f.checkpointEvery, CheckpointDir: f.checkpointDir, Resume: f.resume}
	if f.quiet {
		opts.Log = nil
	}
	if c.Rank() != 0 {
		opts.Log, opts.Out = nil, nil
	}
	prep, err := prepareOutput(c, f.out)
	if err != nil {
		return err
	}
	sink := prep.sink
	if sink != nil {
		opts.Sink = sink
	}
	opts.DataDir = prep.staging
	watch := watchMemory(limit, stderr, prep.abort)
	defer watch.stop()
	opts.BeforeCall = watch.before
	opts.Stop, opts.StopReason = stopFlag, reason
	netfile.Version = version
	stopProf, err := startCPUProfile("run", f.cpuProf, c.Rank())
	if err != nil {
		prep.abort()
		return err
	}
	res, err := netfile.Run(nf, opts)
	if perr := stopProf(); err == nil {
		err = perr
	}
	if res == nil {
		if c.Size() > 1 && c.Rank() != 0 {
			// An error every rank meets is rank 0's to report (see fail): removing the staging
			// folder at once could make rank 0, still setting data_path to it, fail otherwise.
			time.Sleep(otherRankDelay)
			err = &waitedError{err}
		}
		prep.abort()
		return err
	}
	if sink != nil {
		if cerr := sink.Commit(); cerr != nil {
			sink.Abort()
			return errors.Join(err, cerr)
		}
	}
	if err != nil { // stopped early: what was recorded is published, run.json says so
		return fmt.Errorf("%w (the outputs recorded up to %g ms are in %s, run.json says complete: false)", err, res.BiologicalTime, f.out)
	}
	if c.Rank() == 0 && !f.quiet {
		fmt.Fprintf(stdout, "%s: %g ms simulated in %.3g s (build %.3g s); %d nodes, %d connections, %d spikes; wrote %d files to %s\n",
			file, res.SimulatedMs, res.SimulateS, res.BuildS, res.Nodes, res.Connections, res.Spikes, len(res.Files), f.out)
		for _, line := range res.Summary {
			fmt.Fprintln(stdout, "  "+line)
		}
	}
	return nil
}
