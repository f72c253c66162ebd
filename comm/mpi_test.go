//go:build mpi

package comm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/comm/mpitest"
)

// TestMain re-executes this binary under mpirun (NESTMPI_TEST_NP ranks, default 2) unless an MPI
// launcher started it; see package mpitest. Every test below makes the same collective calls on
// every rank, whatever fails, and checks results afterwards.
func TestMain(m *testing.M) { mpitest.Main(m) }

func world(t testing.TB) (c comm.Communicator, rank, size int) {
	c = mpitest.Comm()
	if c.Name() != "mpi" {
		t.Fatalf("communicator is %q, want mpi", c.Name())
	}
	return c, c.Rank(), c.Size()
}

func TestMPIWorld(t *testing.T) {
	_, rank, size := world(t)
	want := 2
	if s := os.Getenv("NESTMPI_TEST_NP"); s != "" {
		fmt.Sscan(s, &want)
	}
	if size != want || rank < 0 || rank >= size {
		t.Errorf("rank %d of %d; want a rank of %d", rank, size, want)
	}
	if !comm.Launched() {
		t.Errorf("Launched() = false under mpirun")
	}
}

func TestMPIBarrier(t *testing.T) {
	c, rank, _ := world(t)
	time.Sleep(time.Duration(rank) * 30 * time.Millisecond) // the last rank enters last
	enter := []float64{float64(time.Now().UnixNano())}
	if err := c.Barrier(); err != nil {
		t.Error(err)
	}
	left := float64(time.Now().UnixNano())
	if err := c.AllreduceFloat64(enter, enter, comm.Max); err != nil {
		t.Fatal(err)
	}
	if left < enter[0] {
		t.Errorf("rank %d left the Barrier %.0f ns before the last rank entered", rank, enter[0]-left)
	}
}

func TestMPIAllreduce(t *testing.T) {
	c, rank, size := world(t)
	// Element i of rank r is (r+1)*(i+1) - 3*r: sum, max and min have closed forms checked below.
	val := func(r, i int) int64 { return int64((r+1)*(i+1) - 3*r) }
	for _, op := range []comm.Op{comm.Sum, comm.Max, comm.Min} {
		for _, n := range []int{0, 1, 5} {
			in := make([]int64, n)
			fin := make([]float64, n)
			for i := range in {
				in[i] = val(rank, i)
				fin[i] = float64(in[i]) + 0.25
			}
			out := make([]int64, n)
			fout := make([]float64, n)
			inPlace := append([]int64(nil), in...)
			if err := c.AllreduceInt64(in, out, op); err != nil {
				t.Error(err)
			}
			if err := c.AllreduceFloat64(fin, fout, op); err != nil {
				t.Error(err)
			}
			if err := c.AllreduceInt64(inPlace, inPlace, op); err != nil {
				t.Error(err)
			}
			for i := range n {
				want := val(0, i)
				for r := 1; r < size; r++ {
					switch v := val(r, i); op {
					case comm.Sum:
						want += v
					case comm.Max:
						want = max(want, v)
					case comm.Min:
						want = min(want, v)
					}
				}
				fwant := float64(want) + 0.25
				if op == comm.Sum {
					fwant = float64(want) + 0.25*float64(size)
				}
				if out[i] != want || inPlace[i] != want || fout[i] != fwant {
					t.Errorf("op %d n %d [%d]: int64 %d, in place %d, float64 %g; want %d, %g",
						op, n, i, out[i], inPlace[i], fout[i], want, fwant)
				}
			}
		}
	}
}

func TestMPIAllgather(t *testing.T) {
	c, rank, size := world(t)
	for _, k := range []int{0, 1, 7} {
		send := bytes.Repeat([]byte{byte('a' + rank)}, k)
		recv := make([]byte, size*k)
		if err := c.Allgather(send, recv); err != nil {
			t.Error(err)
		}
		for r := range size {
			if want := bytes.Repeat([]byte{byte('a' + r)}, k); !bytes.Equal(recv[r*k:(r+1)*k], want) {
				t.Errorf("k %d: block of rank %d is %q, want %q", k, r, recv[r*k:(r+1)*k], want)
			}
		}
	}
}

func TestMPIBcast(t *testing.T) {
	c, rank, size := world(t)
	for _, tc := range []struct {
		name string
		root int
		n    int
	}{{"empty", 0, 0}, {"one byte from 0", 0, 1}, {"from the last rank", size - 1, 9}, {"large", size / 2, 1 << 20}} {
		buf := bytes.Repeat([]byte{byte('a' + rank)}, tc.n)
		if err := c.Bcast(buf, tc.root); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if want := bytes.Repeat([]byte{byte('a' + tc.root)}, tc.n); !bytes.Equal(buf, want) {
			t.Errorf("%s: rank %d got %.20q..., want the root's bytes", tc.name, rank, buf)
		}
	}
}

func TestMPIAllgatherv(t *testing.T) {
	c, rank, size := world(t)
	// Rank r sends r bytes (rank 0 sends none); blocks are placed in reverse rank order with a gap.
	counts, displs := make([]int, size), make([]int, size)
	at := 0
	for r := size - 1; r >= 0; r-- {
		counts[r], displs[r] = r, at+1
		at += r + 1
	}
	recv := bytes.Repeat([]byte{'.'}, at+1)
	if err := c.Allgatherv(bytes.Repeat([]byte{byte('A' + rank)}, rank), recv, counts, displs); err != nil {
		t.Error(err)
	}
	want := bytes.Repeat([]byte{'.'}, at+1)
	for r := range size {
		copy(want[displs[r]:], bytes.Repeat([]byte{byte('A' + r)}, r))
	}
	if !bytes.Equal(recv, want) {
		t.Errorf("recv %q, want %q", recv, want)
	}
}

func TestMPIAlltoallUint32(t *testing.T) {
	c, rank, size := world(t)
	for _, chunk := range []int{0, 1, 3} {
		send, recv := make([]uint32, size*chunk), make([]uint32, size*chunk)
		for d := range size {
			for j := range chunk {
				send[d*chunk+j] = uint32(rank*10000 + d*100 + j)
			}
		}
		if err := c.AlltoallUint32(send, recv, chunk); err != nil {
			t.Error(err)
		}
		for s := range size {
			for j := range chunk {
				if got, want := recv[s*chunk+j], uint32(s*10000+rank*100+j); got != want {
					t.Errorf("chunk %d: from rank %d [%d] = %d, want %d", chunk, s, j, got, want)
				}
			}
		}
	}
}

// vLayout gives the element counts from rank s to rank d (uneven, some zero; all zero if empty)
// and the displacements: blocks in reverse rank order with one element of gap in between.
func vLayout(size, me int, fromMe bool, empty bool) (counts, displs []int, n int) {
	counts, displs = make([]int, size), make([]int, size)
	for r := size - 1; r >= 0; r-- {
		s, d := me, r
		if !fromMe {
			s, d = r, me
		}
		if !empty {
			counts[r] = (s + 2*d) % 3 * (s + 1)
		}
		displs[r] = n
		n += counts[r] + 1
	}
	return counts, displs, n
}

func value(s, d, j int) uint32 { return uint32(s<<20 | d<<10 | j) }

func testAlltoallv[T uint32 | byte](t *testing.T, call func(send []T, sc, sd []int, recv []T, rc, rd []int) error,
	conv func(uint32) T) {
	_, rank, size := world(t)
	for _, empty := range []bool{false, true} {
		sc, sd, ns := vLayout(size, rank, true, empty)
		rc, rd, nr := vLayout(size, rank, false, empty)
		send, recv := make([]T, ns), make([]T, nr)
		if empty {
			send, recv = nil, nil
			for r := range size {
				sd[r], rd[r] = 0, 0
			}
		}
		for d := range size {
			for j := range sc[d] {
				send[sd[d]+j] = conv(value(rank, d, j))
			}
		}
		if err := call(send, sc, sd, recv, rc, rd); err != nil {
			t.Error(err)
		}
		for s := range size {
			for j := range rc[s] {
				if got, want := recv[rd[s]+j], conv(value(s, rank, j)); got != want {
					t.Errorf("empty=%v: from rank %d [%d] = %d, want %d", empty, s, j, got, want)
				}
			}
		}
	}
}

func TestMPIAlltoallvUint32(t *testing.T) {
	c := mpitest.Comm()
	testAlltoallv(t, c.AlltoallvUint32, func(v uint32) uint32 { return v })
}

func TestMPIAlltoallvBytes(t *testing.T) {
	c := mpitest.Comm()
	testAlltoallv(t, c.AlltoallvBytes, func(v uint32) byte { return byte(v*7 + v>>10 + v>>20) })
}

// TestMPIErrors checks that bad arguments give errors before any communication.
func TestMPIErrors(t *testing.T) {
	c, rank, size := world(t)
	zeros := make([]int, size)
	ones, ramp := make([]int, size), make([]int, size)
	for i := range ones {
		ones[i], ramp[i] = 1, i
	}
	errs := []error{
		c.AllreduceInt64(make([]int64, 2), make([]int64, 1), comm.Sum),
		c.AllreduceFloat64(nil, nil, comm.Op(3)),
		c.Allgather(make([]byte, 2), make([]byte, 2*size+1)),
		c.Allgatherv(make([]byte, rank+1), make([]byte, size), zeros, zeros),
		c.Allgatherv(nil, nil, zeros[1:], zeros),
		c.AlltoallUint32(make([]uint32, size), make([]uint32, size), 2),
		c.AlltoallvUint32(make([]uint32, size-1), ones, ramp, make([]uint32, size), ones, ramp),
		c.AlltoallvUint32(nil, zeros, zeros, nil, zeros, append(zeros[1:], -1)),
		c.AlltoallvBytes(nil, zeros, zeros, nil, zeros[1:], zeros),
		c.Bcast(nil, size),
		c.Bcast(nil, -1),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

// TestMPINoAllocs checks that the exchange path allocates nothing in steady state.
func TestMPINoAllocs(t *testing.T) {
	c, _, size := world(t)
	counts, recvCounts := make([]uint32, size), make([]uint32, size)
	sc, sd := make([]int, size), make([]int, size)
	send, recv := make([]uint32, size), make([]uint32, size)
	for r := range size {
		counts[r], sc[r], sd[r] = 1, 1, r
	}
	red := []int64{1}
	allocs := testing.AllocsPerRun(20, func() {
		if err := c.AlltoallUint32(counts, recvCounts, 1); err != nil {
			panic(err)
		}
		if err := c.AlltoallvUint32(send, sc, sd, recv, sc, sd); err != nil {
			panic(err)
		}
		if err := c.AllreduceInt64(red, red, comm.Max); err != nil {
			panic(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per exchange, want 0", allocs)
	}
}

// TestMPIAbort runs internal/aborttest under `mpirun -np 2` (from rank 0 only): rank 1 calls
// Abort(3) while rank 0 waits in a Barrier; the job must end with a non-zero code within 10 s.
func TestMPIAbort(t *testing.T) {
	if _, rank, _ := world(t); rank != 0 {
		t.Skip("rank 0 runs the abort job")
	}
	var env []string // a clean environment: a launcher's variables would confuse the inner mpirun
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMPI_") && !strings.HasPrefix(kv, "PMIX_") && !strings.HasPrefix(kv, "PMI_") &&
			!strings.HasPrefix(kv, "OPAL_") && !strings.HasPrefix(kv, "ORTE_") {
			env = append(env, kv)
		}
	}
	if os.Getenv("CC") == "" {
		env = append(env, "CC=mpicc")
	}
	exe := filepath.Join(t.TempDir(), "aborttest")
	build := exec.Command("go", "build", "-tags", "mpi", "-o", exe, "./internal/aborttest")
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building aborttest: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", exe)
	cmd.Env = append(env, "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("abort job did not end within 10 s\n%s", out)
	case err == nil:
		t.Fatalf("abort job exited 0\n%s", out)
	case !errors.As(err, &exit):
		t.Fatalf("running mpirun: %v\n%s", err, out)
	case bytes.Contains(out, []byte("passed the Barrier")) || bytes.Contains(out, []byte("Abort returned")):
		t.Errorf("a rank went on after Abort\n%s", out)
	}
	t.Logf("abort job exited with code %d after %v", exit.ExitCode(), elapsed.Round(time.Millisecond))
}

// BenchmarkAlltoallvRound measures one spike-exchange round as the kernel does it: an Alltoall of
// the counts, then an Alltoallv of the spikes. Every rank emits `spikes` spikes per round (2 uint32
// each), split evenly over all destination ranks; MB/s counts the bytes each rank sends.
func BenchmarkAlltoallvRound(b *testing.B) {
	c, rank, size := world(b)
	for _, spikes := range []int{0, 100, 10000} {
		mpitest.BenchRun(b, fmt.Sprintf("spikes=%d", spikes), func(b *testing.B, n int) {
			counts, recvCounts := make([]uint32, size), make([]uint32, size)
			sc, sd, rc, rd := make([]int, size), make([]int, size), make([]int, size), make([]int, size)
			send := make([]uint32, 2*spikes)
			for i := range send {
				send[i] = uint32(rank<<24 | i)
			}
			recv := make([]uint32, 2*spikes+2*size) // every rank sends at most ceil(spikes/size) to us
			b.SetBytes(int64(8 * spikes))
			b.ReportAllocs()
			b.ResetTimer()
			for range n {
				for d := range size {
					k := spikes / size
					if d < spikes%size {
						k++
					}
					counts[d] = uint32(2 * k)
				}
				if err := c.AlltoallUint32(counts, recvCounts, 1); err != nil {
					b.Fatal(err)
				}
				at, in := 0, 0
				for r := range size {
					sc[r], sd[r] = int(counts[r]), at
					rc[r], rd[r] = int(recvCounts[r]), in
					at += sc[r]
					in += rc[r]
				}
				if err := c.AlltoallvUint32(send, sc, sd, recv, rc, rd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMPIInitOnce(t *testing.T) {
	world(t)
	if c, err := comm.InitSerialized(); err == nil {
		t.Errorf("second InitSerialized returned %v and no error", c)
	}
}
