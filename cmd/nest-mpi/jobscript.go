package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nest-mpi/nest-mpi/jobs"
)

const jobscriptUsage = "usage: nest-mpi jobscript FILE --nodes N --tasks-per-node R --threads T [--out DIR] " +
	"[--time HH:MM:SS] [--partition P] [--account A] [--mem auto|SIZE] [--launcher srun|mpirun] [--no-slurm] " +
	"[--binary PATH] [--job-name NAME] [--checkpoint-dir DIR]"

// jobscriptFlags are the flags of nest-mpi jobscript, as given.
type jobscriptFlags struct {
	nodes, tasks, threads                    int
	out, time, partition, account, mem       string
	launcher, binary, jobName, checkpointDir string
	noSlurm                                  bool
}

func parseJobscriptFlags(args []string) (string, jobscriptFlags, error) {
	var f jobscriptFlags
	fs := pflag.NewFlagSet("jobscript", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVarP(&f.nodes, "nodes", "N", 0, "nodes")
	fs.IntVarP(&f.tasks, "tasks-per-node", "R", 0, "MPI ranks per node")
	fs.IntVarP(&f.threads, "threads", "t", 0, "threads per rank")
	fs.StringVarP(&f.out, "out", "o", "", "the run's output folder")
	fs.StringVar(&f.time, "time", "", "wall-clock limit HH:MM:SS")
	fs.StringVar(&f.partition, "partition", "", "Slurm partition")
	fs.StringVar(&f.account, "account", "", "Slurm account")
	fs.StringVar(&f.mem, "mem", "auto", "memory per node: auto or a size such as 4G")
	fs.StringVar(&f.launcher, "launcher", "", "srun or mpirun (default srun; mpirun with --no-slurm)")
	fs.BoolVar(&f.noSlurm, "no-slurm", false, "a plain bash script for mpirun, without Slurm")
	fs.StringVar(&f.binary, "binary", "", "the MPI build (default nest-mpi-mpi beside this program)")
	fs.StringVar(&f.jobName, "job-name", "", "Slurm job name (default the file name)")
	fs.StringVar(&f.checkpointDir, "checkpoint-dir", "", "checkpoint folder: resume when requeued")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return "", f, &usageError{jobscriptUsage}
		}
		return "", f, &usageError{"jobscript: " + err.Error()}
	}
	if fs.NArg() != 1 {
		return "", f, &usageError{fmt.Sprintf("jobscript takes one network file, got %d arguments", fs.NArg())}
	}
	for _, name := range []string{"nodes", "tasks-per-node", "threads"} {
		if !fs.Changed(name) {
			return "", f, &usageError{fmt.Sprintf("jobscript: --%s is required", name)}
		}
	}
	return fs.Arg(0), f, nil
}

// cmdJobscript writes a job script for the network file to stdout.
func cmdJobscript(args []string, stdout io.Writer) error {
	file, f, err := parseJobscriptFlags(args)
	if err != nil {
		return err
	}
	spec, err := jobSpec(file, f)
	if err != nil {
		return fmt.Errorf("jobscript: %w", err)
	}
	return jobs.Write(stdout, spec)
}

// jobSpec turns the flags into a jobs.Spec with absolute paths.
func jobSpec(file string, f jobscriptFlags) (jobs.Spec, error) {
	s := jobs.Spec{Nodes: f.nodes, TasksPerNode: f.tasks, Threads: f.threads, Time: f.time,
		Partition: f.partition, Account: f.account, JobName: f.jobName, NoSlurm: f.noSlurm,
		Launcher: jobs.Launcher(f.launcher)}
	if s.Launcher == "" {
		s.Launcher = jobs.Srun
		if f.noSlurm {
			s.Launcher = jobs.Mpirun
		}
	}
	if s.JobName == "" {
		s.JobName = jobName(file)
	}
	if f.mem == "auto" {
		s.MemPerNodeMB = autoMem(file, f)
	} else {
		s.Mem = strings.ToUpper(f.mem)
	}
	var err error
	if s.NetFile, err = existingFile("network file", file); err != nil {
		return s, err
	}
	if s.Binary, err = mpiBuild(f.binary); err != nil {
		return s, err
	}
	if err := absPaths(&s, f); err != nil {
		return s, err
	}
	return s, s.Validate()
}

func absPaths(s *jobs.Spec, f jobscriptFlags) error {
	var err error
	if f.out != "" {
		if s.Out, err = filepath.Abs(f.out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		s.LogDir = filepath.Dir(s.Out)
	}
	if f.checkpointDir != "" {
		if s.CheckpointDir, err = filepath.Abs(f.checkpointDir); err != nil {
			return fmt.Errorf("--checkpoint-dir: %w", err)
		}
	}
	return nil
}

// mpiBuild is the absolute path of the MPI build: --binary, or nest-mpi-mpi beside the running
// program.
func mpiBuild(binary string) (string, error) {
	if binary != "" {
		return existingFile("--binary", binary)
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("finding this program to look for the MPI build beside it: %w (give --binary)", err)
	}
	path := filepath.Join(filepath.Dir(exe), "nest-mpi-mpi")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the MPI build %s is missing: build it with 'make build-mpi' or give --binary", path)
	}
	return path, nil
}

func existingFile(what, path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", what, path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if st.IsDir() {
		return "", fmt.Errorf("%s %s is a folder", what, abs)
	}
	return abs, nil
}

var notJobName = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// jobName is the network file's name without extension, in the characters Slurm takes.
func jobName(file string) string {
	stem := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if stem = notJobName.ReplaceAllString(stem, "_"); stem == "" || stem == "_" {
		return "nest-mpi"
	}
	return stem
}
