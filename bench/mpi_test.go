//go:build mpi

package bench

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/comm/mpitest"
	"github.com/nest-mpi/nest-mpi/kernel"
)

func TestMain(m *testing.M) { mpitest.Main(m) }

// BenchmarkBrunelSplit reports the whole-run time of the same Brunel network (static synapses,
// 201 ms) as ranks × threads = P×1 under MPI and as 1×P threads in one process, on the same
// machine:
//
//	NESTMPI_TEST_NP=2 CC=mpicc go test -tags mpi -run xxx -bench BrunelSplit ./bench/
func BenchmarkBrunelSplit(b *testing.B) {
	world := mpitest.Comm()
	p := world.Size()
	cfg := DefaultBrunel()
	cfg.NI, cfg.Record = 1000, 0
	run := func(b *testing.B, c comm.Communicator, threads int) {
		k, err := kernel.New(kernel.Options{Comm: c, Log: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		defer k.Close()
		cfg := cfg
		cfg.Threads = threads
		if _, err := cfg.Build(k); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := k.Simulate(201); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "simulate_s")
	}
	mpitest.BenchRun(b, fmt.Sprintf("%dx1", p), func(b *testing.B, n int) {
		for range n {
			run(b, world, 1)
		}
	})
	mpitest.BenchRun(b, fmt.Sprintf("1x%d", p), func(b *testing.B, n int) {
		if world.Rank() != 0 {
			return
		}
		for range n {
			run(b, comm.NewLocal(), p)
		}
	})
}
