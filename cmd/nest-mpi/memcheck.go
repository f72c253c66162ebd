package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/jobs"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
	"github.com/nest-mpi/nest-mpi/kernel/netfile/estimate"
)

// doesNotFitError is a network that the estimate says cannot fit in the memory the run may use.
type doesNotFitError struct{ msg string }

func (e *doesNotFitError) Error() string { return e.msg }

// cmdEstimate prints the estimate of a network file: nest-mpi estimate FILE [--ranks R]
// [--threads T] [--json].
func cmdEstimate(args []string, out io.Writer) error {
	fs := pflag.NewFlagSet("estimate", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ranks := fs.Int("ranks", 1, "MPI processes")
	threads := fs.Int("threads", 0, "threads per process (default: the file's local_num_threads)")
	asJSON := fs.Bool("json", false, "print a JSON object")
	if err := fs.Parse(args); err != nil {
		return &usageError{"estimate: " + err.Error()}
	}
	if fs.NArg() != 1 {
		return &usageError{fmt.Sprintf("estimate takes one network file, got %d arguments", fs.NArg())}
	}
	if *ranks < 1 || *threads < 0 || *threads > 1024 {
		return &usageError{"estimate: --ranks must be at least 1 and --threads between 1 and 1024"}
	}
	file := fs.Arg(0)
	nf, err := netfile.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	e, err := estimate.Of(nf, estimate.Options{Ranks: *ranks, Threads: *threads})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if *asJSON {
		b, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	for _, line := range e.Summary() {
		fmt.Fprintln(out, line)
	}
	return nil
}

// checkFits refuses, before anything is built, a network whose estimated peak exceeds the memory
// this rank may use, and sets the Go memory limit to that memory so that the collector works
// harder before the process gets near it.
func checkFits(c comm.Communicator, nf *netfile.File, threads int) (int64, error) {
	limit, source := memoryLimit()
	if limit <= 0 {
		return 0, nil
	}
	local := localRanks()
	perRank := limit / int64(local)
	debug.SetMemoryLimit(perRank)
	e, err := estimate.Of(nf, estimate.Options{Ranks: c.Size(), Threads: threads, MPI: c.Name() != "local"})
	if err != nil {
		return perRank, nil // the run reports the file's errors with their positions
	}
	if e.KnownPeak() <= perRank { // recorded spikes are assumed: the watch catches too many
		return perRank, nil
	}
	return 0, &doesNotFitError{fmt.Sprintf("the network does not fit: the estimate is %s per rank (%d nodes, %d connections, %d rank(s)), "+
		"but a rank may use %s (%s %s for %d rank(s) on this node); see 'nest-mpi estimate'",
		mib(e.KnownPeak()), e.Nodes, e.Connections, e.Ranks, mib(perRank), source, mib(limit), local)}
}

func mib(b int64) string {
	if b >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// memoryLimit returns the memory this node's ranks may use: NESTMPI_MEMORY_LIMIT if set (a size
// such as 8G), else the cgroup limit (memory.max, cgroup v2, or memory.limit_in_bytes, v1) or,
// when smaller or absent, MemAvailable.
func memoryLimit() (int64, string) {
	if v := os.Getenv("NESTMPI_MEMORY_LIMIT"); v != "" {
		if b, err := parseSize(v); err == nil && b > 0 {
			return b, "NESTMPI_MEMORY_LIMIT"
		}
	}
	limit, source := int64(0), ""
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if data, err := os.ReadFile(p); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && v > 0 && v < 1<<60 {
				limit, source = v, "the cgroup limit"
				break
			}
		}
	}
	if avail := memAvailable(); avail > 0 && (limit == 0 || avail < limit) {
		limit, source = avail, "available memory"
	}
	return limit, source
}

// parseSize reads a size in bytes with an optional unit K, M, G or T (powers of 1024).
func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	if n := len(s); n > 0 {
		if i := strings.IndexByte("KMGT", s[n-1]); i >= 0 {
			mult, s = int64(1)<<(10*(i+1)), s[:n-1]
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v * mult, err
}

func memAvailable() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && len(f) > 0 {
				return kb * 1024
			}
		}
	}
	return 0
}

// localRanks is the number of this job's ranks on this node (launcher variables; 1 if unknown).
func localRanks() int {
	for _, v := range []string{"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"} {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 0 {
			return n
		}
	}
	return 1
}

// autoMem is --mem auto: the estimated peak of the largest rank times the ranks per node, with a
// margin of 20% for the estimate's error and 256 MiB per node for the launcher, at least 1 GiB;
// the conservative default when the file cannot be estimated.
func autoMem(file string, f jobscriptFlags) int64 {
	nf, err := netfile.ReadFile(file)
	if err != nil {
		return jobs.DefaultMemPerNodeMB(f.tasks)
	}
	e, err := estimate.Of(nf, estimate.Options{Ranks: f.nodes * f.tasks, Threads: f.threads, MPI: true})
	if err != nil {
		return jobs.DefaultMemPerNodeMB(f.tasks)
	}
	perNode := float64(e.Memory.PeakRSS) * float64(f.tasks) * 1.2
	return max(int64(perNode/(1<<20))+256, 1024)
}

// memoryWatch ends the process with one line when its resident memory nears the limit (Go cannot
// recover from a failed allocation, whose crash prints every goroutine): the line names the
// phase (the call running) and the limit. Phase is set by the runner's BeforeCall hook.
type memoryWatch struct {
	limit int64
	phase atomic.Value // string
	done  chan struct{}
}

// watchMemory starts a watch for a rank that may use limit bytes (0: no watch); cleanup runs
// before the process ends (it removes the staged outputs).
func watchMemory(limit int64, stderr io.Writer, cleanup func()) *memoryWatch {
	w := &memoryWatch{limit: limit, done: make(chan struct{})}
	w.phase.Store("starting")
	if limit <= 0 {
		return w
	}
	debug.SetTraceback("none")
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-tick.C:
				if rss := currentRSS(); rss > w.limit/100*97 {
					fmt.Fprintf(stderr, "nest-mpi: out of memory in %s: the run uses %s of the %s a rank may use (see 'nest-mpi estimate')\n",
						w.phase.Load(), mib(rss), mib(w.limit))
					cleanup()
					os.Exit(exitDoesNotFit)
				}
			}
		}
	}()
	return w
}

// before is the runner's BeforeCall hook: it records the phase.
func (w *memoryWatch) before(c netfile.Call) error {
	if c.Pos < 0 {
		w.phase.Store("the kernel block")
	} else {
		w.phase.Store(c.Where())
	}
	return nil
}

func (w *memoryWatch) stop() { close(w.done) }

// currentRSS is the resident memory of this process (Linux; 0 elsewhere).
func currentRSS() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
