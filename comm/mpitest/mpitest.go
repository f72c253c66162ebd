// Package mpitest runs the tests and benchmarks of a package on several MPI ranks.
//
// A test package uses it from TestMain (in a file with build tag mpi, package xxx_test):
//
//	func TestMain(m *testing.M) { mpitest.Main(m) }
//
// Built with -tags mpi and started by `go test` (no MPI launcher), Main re-executes the test binary
// under `mpirun --oversubscribe --bind-to none -np N` (N from NESTMPI_TEST_NP, default 2) and exits
// with mpirun's status. In each rank, Main initialises comm at MPI_THREAD_SERIALIZED (go test runs
// every test on a goroutine of its own), runs the tests, combines the exit codes of all ranks with
// an Allreduce(Max), finalises and exits. Only rank 0 prints; another rank prints its output only
// when its own tests failed. In the default build, Main runs the tests on comm.Local.
//
// Rules for tests: never t.Parallel; every rank must make the same collective calls in the same
// order whatever fails (check results after the collectives, prefer t.Error to t.Fatal); run
// `go test` with -timeout so that a stuck collective fails instead of hanging. Benchmarks that
// call collectives must use BenchRun, which keeps the ranks in step.
package mpitest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
)

var world comm.Communicator = comm.NewLocal()

// Comm returns the communicator of this test process (comm.Local before Main or in the default build).
func Comm() comm.Communicator { return world }

// Main is the TestMain of an MPI test package; it does not return.
func Main(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if !mpiBuild {
		return m.Run()
	}
	flag.Parse()
	if !comm.Launched() {
		return relaunch()
	}
	c, err := comm.InitSerialized()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mpitest:", err)
		return 1
	}
	world = c
	stdout, stderr := os.Stdout, os.Stderr
	var log *os.File
	if c.Rank() != 0 {
		// Keep this rank's output aside, and let rank 0's testing framework choose benchmark
		// iteration counts: here every benchmark function runs once and follows rank 0 (BenchRun).
		if log, err = os.CreateTemp("", "mpitest-rank*.log"); err == nil {
			defer os.Remove(log.Name())
			os.Stdout, os.Stderr = log, log
		}
		flag.Set("test.benchtime", "1x")
		for _, f := range []string{"coverprofile", "cpuprofile", "memprofile", "blockprofile", "mutexprofile", "trace"} {
			flag.Set("test."+f, "")
		}
	}
	code := m.Run()
	os.Stdout, os.Stderr = stdout, stderr
	worst := []int64{int64(code)}
	if err := c.AllreduceInt64(worst, worst, comm.Max); err != nil {
		fmt.Fprintln(os.Stderr, "mpitest: combining exit codes:", err)
		c.Abort(1)
	}
	switch {
	case c.Rank() != 0 && code != 0 && log != nil:
		fmt.Fprintf(os.Stderr, "--- output of rank %d (failed) ---\n", c.Rank())
		log.Seek(0, io.SeekStart)
		io.Copy(os.Stderr, log)
	case c.Rank() == 0 && code == 0 && worst[0] != 0:
		fmt.Println("FAIL: tests failed on another rank")
	}
	if log != nil {
		log.Close()
	}
	if err := c.Finalize(); err != nil {
		fmt.Fprintln(os.Stderr, "mpitest:", err)
		return 1
	}
	return int(worst[0])
}

// relaunch runs this test binary under mpirun and returns mpirun's exit status.
func relaunch() int {
	np := 2
	if s := os.Getenv("NESTMPI_TEST_NP"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "mpitest: NESTMPI_TEST_NP=%q is not a positive number\n", s)
			return 2
		}
		np = n
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mpitest:", err)
		return 2
	}
	args := []string{"--oversubscribe", "--bind-to", "none", "-np", strconv.Itoa(np), exe}
	for i := 1; i < len(os.Args); i++ {
		// Ranks must not share the file through which go test caches results (a cached result
		// would also ignore NESTMPI_TEST_NP), so MPI test results are never cached.
		if a := os.Args[i]; strings.HasPrefix(a, "-test.testlogfile") {
			if !strings.Contains(a, "=") {
				i++
			}
			continue
		}
		args = append(args, os.Args[i])
	}
	ctx := context.Background()
	if f := flag.Lookup("test.timeout"); f != nil {
		if d := f.Value.(flag.Getter).Get().(time.Duration); d > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d+30*time.Second) // the ranks time out first
			defer cancel()
		}
	}
	cmd := exec.CommandContext(ctx, "mpirun", args...)
	cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) } // mpirun forwards it
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "mpitest: mpirun timed out")
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "mpitest: mpirun %s: %v\n", strings.Join(args, " "), err)
		return 1
	}
}

// BenchRun runs fn as the sub-benchmark name of b on all ranks in step: rank 0's testing framework
// chooses each iteration count n and every rank runs fn(b, n) with the same n. fn does its set-up,
// calls b.ResetTimer if needed and runs n iterations. In the default build it is b.Run(name, ...).
func BenchRun(b *testing.B, name string, fn func(b *testing.B, n int)) {
	c := world
	ran, followed := false, false
	b.Run(name, func(b *testing.B) {
		ran = true
		if c.Size() == 1 {
			fn(b, b.N)
			return
		}
		if c.Rank() == 0 {
			if err := step(c, int64(b.N)); err != nil {
				b.Fatal(err)
			}
			fn(b, b.N)
			return
		}
		// With -test.benchtime=1x the framework calls this once per -count and -cpu value. The
		// first call follows every call of rank 0 until rank 0's b.Run is over; the rest do nothing.
		if followed {
			return
		}
		followed = true
		for {
			n, err := follow(c)
			if err != nil {
				b.Fatal(err)
			}
			if n < 0 {
				return
			}
			fn(b, int(n))
		}
	})
	if ran && c.Size() > 1 && c.Rank() == 0 {
		if err := step(c, -1); err != nil { // tell the other ranks this benchmark is over
			b.Fatal(err)
		}
	}
}

// step sends n (an iteration count, or -1 for "done") from rank 0 to every rank.
func step(c comm.Communicator, n int64) error {
	buf := []int64{n}
	return c.AllreduceInt64(buf, buf, comm.Max)
}

func follow(c comm.Communicator) (int64, error) {
	buf := []int64{math.MinInt64}
	err := c.AllreduceInt64(buf, buf, comm.Max)
	return buf[0], err
}
