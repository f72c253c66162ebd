package comm

import (
	"fmt"
	"os"
)

// Local is the single-process communicator (no cgo): Size 1, Rank 0, collectives copy send to recv.
// It checks its arguments exactly as the MPI communicator does.
type Local struct {
	done bool
}

// NewLocal returns a single-process communicator.
func NewLocal() *Local { return &Local{} }

func (l *Local) check(call string) error {
	if l.done {
		return errFinalized(call)
	}
	return nil
}

// Rank is always 0.
func (l *Local) Rank() int { return 0 }

// Size is always 1.
func (l *Local) Size() int { return 1 }

// Name is "local".
func (l *Local) Name() string { return "local" }

// Barrier returns at once.
func (l *Local) Barrier() error { return l.check("Barrier") }

// AllreduceInt64 copies in to out: the reduction over one rank.
func (l *Local) AllreduceInt64(in, out []int64, op Op) error {
	if err := l.check("AllreduceInt64"); err != nil {
		return err
	}
	if err := checkAllreduce("AllreduceInt64", in, out, op); err != nil {
		return err
	}
	copy(out, in)
	return nil
}

// AllreduceFloat64 copies in to out: the reduction over one rank.
func (l *Local) AllreduceFloat64(in, out []float64, op Op) error {
	if err := l.check("AllreduceFloat64"); err != nil {
		return err
	}
	if err := checkAllreduce("AllreduceFloat64", in, out, op); err != nil {
		return err
	}
	copy(out, in)
	return nil
}

// Allgather copies send to recv.
func (l *Local) Allgather(send, recv []byte) error {
	if err := l.check("Allgather"); err != nil {
		return err
	}
	if err := checkAllgather("Allgather", 1, send, recv); err != nil {
		return err
	}
	copy(recv, send)
	return nil
}

// Allgatherv copies send to recv[displs[0]:].
func (l *Local) Allgatherv(send []byte, recv []byte, counts, displs []int) error {
	if err := l.check("Allgatherv"); err != nil {
		return err
	}
	if err := checkAllgatherv("Allgatherv", 1, 0, send, recv, counts, displs); err != nil {
		return err
	}
	copy(recv[displs[0]:], send)
	return nil
}

// Bcast leaves buf as it is: the root is the only rank.
func (l *Local) Bcast(buf []byte, root int) error {
	if err := l.check("Bcast"); err != nil {
		return err
	}
	return checkBcast("Bcast", 1, root, buf)
}

// AlltoallUint32 copies send to recv.
func (l *Local) AlltoallUint32(send, recv []uint32, chunk int) error {
	if err := l.check("AlltoallUint32"); err != nil {
		return err
	}
	if err := checkAlltoall("AlltoallUint32", 1, send, recv, chunk); err != nil {
		return err
	}
	copy(recv, send)
	return nil
}

// AlltoallvUint32 copies the block of send for rank 0 to its place in recv.
func (l *Local) AlltoallvUint32(send []uint32, sendCounts, sendDispls []int, recv []uint32, recvCounts, recvDispls []int) error {
	if err := l.check("AlltoallvUint32"); err != nil {
		return err
	}
	return alltoallvLocal("AlltoallvUint32", send, sendCounts, sendDispls, recv, recvCounts, recvDispls)
}

// AlltoallvBytes copies the block of send for rank 0 to its place in recv.
func (l *Local) AlltoallvBytes(send []byte, sendCounts, sendDispls []int, recv []byte, recvCounts, recvDispls []int) error {
	if err := l.check("AlltoallvBytes"); err != nil {
		return err
	}
	return alltoallvLocal("AlltoallvBytes", send, sendCounts, sendDispls, recv, recvCounts, recvDispls)
}

func alltoallvLocal[T any](call string, send []T, sc, sd []int, recv []T, rc, rd []int) error {
	if err := checkAlltoallv(call, 1, send, sc, sd, recv, rc, rd); err != nil {
		return err
	}
	if sc[0] != rc[0] {
		return fmt.Errorf("comm: %s: sendCounts[0]=%d != recvCounts[0]=%d", call, sc[0], rc[0])
	}
	copy(recv[rd[0]:rd[0]+rc[0]], send[sd[0]:sd[0]+sc[0]])
	return nil
}

// Abort exits the process with the given code.
func (l *Local) Abort(code int) { os.Exit(code) }

// Finalize ends the communicator; further calls return an error.
func (l *Local) Finalize() error {
	if err := l.check("Finalize"); err != nil {
		return err
	}
	l.done = true
	return nil
}
