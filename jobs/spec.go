package jobs

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Launcher starts the ranks of a run.
type Launcher string

// The launchers.
const (
	// Srun starts the ranks as one Slurm job step with srun --mpi=pmix.
	Srun Launcher = "srun"
	// Mpirun starts the ranks with OpenMPI's mpirun (inside a Slurm allocation, or alone).
	Mpirun Launcher = "mpirun"
)

// DefaultMemPerTaskMB is the memory asked per rank when no figure is known: enough for the
// example networks and small benchmarks, modest enough to be granted on most nodes. Override it
// with an estimate (Spec.MemPerNodeMB) or an explicit size (Spec.Mem).
const DefaultMemPerTaskMB = 2048

// DefaultMemPerNodeMB is the conservative memory per node for tasksPerNode ranks.
func DefaultMemPerNodeMB(tasksPerNode int) int64 {
	return int64(tasksPerNode) * DefaultMemPerTaskMB
}

// Spec is the shape of one run and where its files are. Paths must be absolute: the script runs
// from any folder.
type Spec struct {
	Binary        string // the MPI build of nest-mpi
	NetFile       string // the network file
	Out           string // the run's output folder; "" leaves the run's default (out/<file name>)
	LogDir        string // folder of the job's %x-%j.out and %x-%j.err; "" is the submit folder
	CheckpointDir string // "" for no checkpoints; otherwise --checkpoint-dir, --resume, --requeue

	Nodes        int // nodes
	TasksPerNode int // MPI ranks per node
	Threads      int // threads per rank (local_num_threads), one core each

	JobName   string // Slurm job name
	Time      string // wall-clock limit HH:MM:SS; "" leaves the partition's default
	Partition string // "" for the default partition
	Account   string // "" for the default account

	// Memory per node: Mem is a Slurm size (4G, 500M) written as given; when Mem is "",
	// MemPerNodeMB (MiB, > 0) is written; when both are empty no --mem line is written.
	Mem          string
	MemPerNodeMB int64

	Launcher Launcher // Srun or Mpirun
	NoSlurm  bool     // a plain bash script for mpirun, without #SBATCH lines
}

// Ranks is the number of MPI ranks.
func (s Spec) Ranks() int { return s.Nodes * s.TasksPerNode }

// VPs is the number of virtual processes (ranks x threads).
func (s Spec) VPs() int { return s.Ranks() * s.Threads }

// Validate reports the first thing wrong with s.
func (s Spec) Validate() error {
	checks := []func() error{s.checkShape, s.checkPaths, s.checkSlurmFields, s.checkLauncher}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (s Spec) checkShape() error {
	for _, v := range []struct {
		name string
		n    int
	}{{"nodes", s.Nodes}, {"tasks-per-node", s.TasksPerNode}, {"threads", s.Threads}} {
		if v.n < 1 {
			return fmt.Errorf("--%s must be at least 1, got %d", v.name, v.n)
		}
	}
	if s.Threads > 1024 {
		return fmt.Errorf("--threads must be at most 1024, got %d", s.Threads)
	}
	if s.MemPerNodeMB < 0 {
		return fmt.Errorf("memory per node must not be negative, got %d MiB", s.MemPerNodeMB)
	}
	return nil
}

func (s Spec) checkPaths() error {
	paths := []struct{ name, path string }{{"binary", s.Binary}, {"network file", s.NetFile},
		{"output folder", s.Out}, {"log folder", s.LogDir}, {"checkpoint folder", s.CheckpointDir}}
	for i, p := range paths {
		if p.path == "" && i >= 2 {
			continue
		}
		if !filepath.IsAbs(p.path) {
			return fmt.Errorf("the %s must be an absolute path, got %q", p.name, p.path)
		}
		if strings.ContainsAny(p.path, "\n\r\x00") {
			return fmt.Errorf("the %s %q contains a line break", p.name, p.path)
		}
	}
	if strings.ContainsAny(s.LogDir, " \t'\"\\%") {
		return fmt.Errorf("the log folder %q contains blanks, quotes or %%, which #SBATCH --output cannot carry", s.LogDir)
	}
	return nil
}

var slurmWord = regexp.MustCompile(`^[A-Za-z0-9._+-]*$`)

func (s Spec) checkSlurmFields() error {
	for _, f := range []struct{ name, v string }{{"job-name", s.JobName}, {"partition", s.Partition}, {"account", s.Account}} {
		if !slurmWord.MatchString(f.v) {
			return fmt.Errorf("--%s %q: use letters, digits and . _ + - only", f.name, f.v)
		}
	}
	if s.Time != "" {
		if err := CheckTime(s.Time); err != nil {
			return err
		}
	}
	if s.Mem != "" {
		if err := CheckMem(s.Mem); err != nil {
			return err
		}
	}
	return nil
}

func (s Spec) checkLauncher() error {
	switch s.Launcher {
	case Srun:
		if s.NoSlurm {
			return errors.New("--launcher srun needs Slurm; without Slurm use --launcher mpirun")
		}
	case Mpirun:
	default:
		return fmt.Errorf("unknown launcher %q (srun, mpirun)", s.Launcher)
	}
	return nil
}

var timeRE = regexp.MustCompile(`^([0-9]+):([0-9]{2}):([0-9]{2})$`)

// CheckTime accepts a wall-clock limit HH:MM:SS (hours may exceed 24; minutes and seconds below
// 60; not zero).
func CheckTime(t string) error {
	m := timeRE.FindStringSubmatch(t)
	if m == nil {
		return fmt.Errorf("--time %q: want HH:MM:SS, for instance 02:30:00", t)
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	ss, _ := strconv.Atoi(m[3])
	if mm > 59 || ss > 59 {
		return fmt.Errorf("--time %q: minutes and seconds must be below 60", t)
	}
	if h == 0 && mm == 0 && ss == 0 {
		return fmt.Errorf("--time %q: the limit must be longer than zero", t)
	}
	return nil
}

var memRE = regexp.MustCompile(`^[0-9]+[KMGT]?$`)

// CheckMem accepts a Slurm memory size: a whole number with an optional unit K, M, G or T
// (Slurm's default unit is M), for instance 4G or 500M.
func CheckMem(m string) error {
	if !memRE.MatchString(m) {
		return fmt.Errorf("--mem %q: want auto or a size such as 4G or 500M (units K, M, G, T)", m)
	}
	if strings.TrimLeft(strings.TrimRight(m, "KMGT"), "0") == "" {
		return fmt.Errorf("--mem %q: the size must be larger than zero", m)
	}
	return nil
}
