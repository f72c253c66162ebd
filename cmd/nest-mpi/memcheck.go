package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

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
func checkFits(c comm.Communicator, nf *netfile.File, threads int) error {
	limit, source := memoryLimit()
	if limit <= 0 {
		return nil
	}
	local := localRanks()
	perRank := limit / int64(local)
	debug.SetMemoryLimit(perRank)
	e, err := estimate.Of(nf, estimate.Options{Ranks: c.Size(), Threads: threads, MPI: c.Name() != "local"})
	if err != nil {
		return nil // the run reports the file's errors with their positions
	}
	if e.Memory.PeakRSS <= perRank {
		return nil
	}
	return &doesNotFitError{fmt.Sprintf("the network does not fit: the estimate is %s per rank (%d nodes, %d connections, %d rank(s)), "+
		"but a rank may use %s (%s %s for %d rank(s) on this node); see 'nest-mpi estimate'",
		mib(e.Memory.PeakRSS), e.Nodes, e.Connections, e.Ranks, mib(perRank), source, mib(limit), local)}
}

func mib(b int64) string {
	if b >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// memoryLimit returns the memory this node's ranks may use: the cgroup limit (memory.max,
// cgroup v2, or memory.limit_in_bytes, v1) or, when smaller or absent, MemAvailable.
func memoryLimit() (int64, string) {
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
