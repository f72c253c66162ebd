package comm

import (
	"fmt"
	"math"
	"os"
	"unsafe"
)

// Op is a reduction operation.
type Op int

// The reduction operations of AllreduceInt64 and AllreduceFloat64.
const (
	Sum Op = iota
	Max
	Min
)

// Communicator is the kernel's only view of other processes. All methods must be called from the
// goroutine that called Init (for MPI: the main goroutine, locked to the main OS thread); a
// Communicator is not safe for concurrent use. Buffers are owned by the caller; the methods
// neither retain nor alias them after return. Empty buffers (nil, count 0) are allowed everywhere.
type Communicator interface {
	Rank() int
	Size() int
	Barrier() error
	AllreduceInt64(in, out []int64, op Op) error // len(in)==len(out); in and out may be the same slice
	AllreduceFloat64(in, out []float64, op Op) error
	// Allgather: every rank sends len(send) bytes (the same on all ranks); recv has Size()*len(send).
	Allgather(send, recv []byte) error
	// Allgatherv: rank r contributes counts[r] bytes placed at displs[r] of recv.
	Allgatherv(send []byte, recv []byte, counts, displs []int) error
	// Bcast sends the len(buf) bytes of root's buf to every rank's buf (the same length on all
	// ranks).
	Bcast(buf []byte, root int) error
	// Alltoall over uint32: send and recv have Size()*chunk elements; chunk elements go to each rank.
	AlltoallUint32(send, recv []uint32, chunk int) error
	// Alltoallv over uint32 with element counts and displacements per rank.
	AlltoallvUint32(send []uint32, sendCounts, sendDispls []int, recv []uint32, recvCounts, recvDispls []int) error
	// Alltoallv over bytes.
	AlltoallvBytes(send []byte, sendCounts, sendDispls []int, recv []byte, recvCounts, recvDispls []int) error
	// Abort ends every process of the job with the given exit code; it does not return.
	Abort(code int)
	// Finalize ends the communicator; further calls return an error.
	Finalize() error
	// Name is "local" or "mpi" (for logs and run.json).
	Name() string
}

// Launched reports whether this process was started by an MPI launcher (OMPI_COMM_WORLD_SIZE,
// PMIX_RANK or PMI_RANK set; not SLURM_PROCID, which a batch script sees too). Works in both builds.
func Launched() bool {
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"} {
		if _, ok := os.LookupEnv(v); ok {
			return true
		}
	}
	return false
}

// The checks below are shared by Local and the MPI communicator, so both reject the same calls.

func errFinalized(call string) error {
	return fmt.Errorf("comm: %s: communicator already finalized", call)
}

func checkOp(call string, op Op) error {
	if op < Sum || op > Min {
		return fmt.Errorf("comm: %s: unknown op %d", call, int(op))
	}
	return nil
}

// overlap reports whether the memory of a and b overlaps.
func overlap[T any](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	var z T
	sz := unsafe.Sizeof(z)
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return pa < pb+uintptr(len(b))*sz && pb < pa+uintptr(len(a))*sz
}

func checkAllreduce[T any](call string, in, out []T, op Op) error {
	if err := checkOp(call, op); err != nil {
		return err
	}
	if len(in) != len(out) {
		return fmt.Errorf("comm: %s: len(in)=%d != len(out)=%d", call, len(in), len(out))
	}
	if len(in) > math.MaxInt32 {
		return fmt.Errorf("comm: %s: %d elements exceed the MPI count limit", call, len(in))
	}
	if overlap(in, out) && unsafe.SliceData(in) != unsafe.SliceData(out) {
		return fmt.Errorf("comm: %s: in and out overlap but are not the same slice", call)
	}
	return nil
}

func checkNoOverlap[T any](call string, send, recv []T) error {
	if overlap(send, recv) {
		return fmt.Errorf("comm: %s: send and recv buffers overlap", call)
	}
	return nil
}

func checkAllgather(call string, size int, send, recv []byte) error {
	if len(send) > math.MaxInt32 {
		return fmt.Errorf("comm: %s: %d bytes exceed the MPI count limit", call, len(send))
	}
	if len(recv) != size*len(send) {
		return fmt.Errorf("comm: %s: len(recv)=%d != Size()*len(send)=%d*%d", call, len(recv), size, len(send))
	}
	return checkNoOverlap(call, send, recv)
}

func checkAlltoall(call string, size int, send, recv []uint32, chunk int) error {
	if chunk < 0 || chunk > math.MaxInt32 {
		return fmt.Errorf("comm: %s: chunk %d out of range", call, chunk)
	}
	if len(send) != size*chunk || len(recv) != size*chunk {
		return fmt.Errorf("comm: %s: len(send)=%d and len(recv)=%d must both be Size()*chunk=%d*%d",
			call, len(send), len(recv), size, chunk)
	}
	return checkNoOverlap(call, send, recv)
}

// checkCounts checks one counts/displs pair of a v-collective against a buffer of n elements.
func checkCounts(call, what string, size, n int, counts, displs []int) error {
	if len(counts) != size || len(displs) != size {
		return fmt.Errorf("comm: %s: len(%sCounts)=%d and len(%sDispls)=%d must be Size()=%d",
			call, what, len(counts), what, len(displs), size)
	}
	for r, c := range counts {
		d := displs[r]
		if c < 0 || d < 0 || c > math.MaxInt32 || d > math.MaxInt32 || (c > 0 && c > n-d) {
			return fmt.Errorf("comm: %s: rank %d: %s count %d at displacement %d does not fit a buffer of %d",
				call, r, what, c, d, n)
		}
	}
	return nil
}

func checkAllgatherv(call string, size, rank int, send, recv []byte, counts, displs []int) error {
	if err := checkCounts(call, "recv", size, len(recv), counts, displs); err != nil {
		return err
	}
	if counts[rank] != len(send) {
		return fmt.Errorf("comm: %s: counts[%d]=%d != len(send)=%d", call, rank, counts[rank], len(send))
	}
	return checkNoOverlap(call, send, recv)
}

func checkAlltoallv[T any](call string, size int, send []T, sc, sd []int, recv []T, rc, rd []int) error {
	if err := checkCounts(call, "send", size, len(send), sc, sd); err != nil {
		return err
	}
	if err := checkCounts(call, "recv", size, len(recv), rc, rd); err != nil {
		return err
	}
	return checkNoOverlap(call, send, recv)
}

func checkBcast(call string, size, root int, buf []byte) error {
	if root < 0 || root >= size {
		return fmt.Errorf("comm: %s: root %d out of range [0, %d)", call, root, size)
	}
	if len(buf) > math.MaxInt32 {
		return fmt.Errorf("comm: %s: %d bytes exceed the MPI count limit", call, len(buf))
	}
	return nil
}
