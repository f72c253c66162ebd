package comm

import (
	"fmt"
	"os"
)

// DryRun is a communicator with which one process stands in for rank Rank of Size ranks (as
// Arbor's dry_run_context does): it runs only its own rank's share of the network and synthesises
// what the other ranks would send from its own, assuming the network looks the same from every
// rank (translation invariance of rank numbers):
//
//   - rank q sends to this rank r what r sends to rank (2r − q) mod N, so the blocks of an
//     Alltoall(v) are mirrored: recv block q = send block (2r − q) mod N; node ids in the data
//     must be moved by the caller to the nodes they stand for (the node at the same thread and
//     local index of the rank translated by q − r; see Mirror);
//   - every rank holds values like this rank's: Allreduce Sum multiplies by N, Max and Min return
//     the value itself; Allgather(v) replicates this rank's block into every block.
//
// The memory, the construction and the per-rank cost of update, delivery and exchange are then
// those of rank r of an N-rank run, measured on one machine. DryRun counts the bytes of every
// Alltoall(v) (Volume).
type DryRun struct {
	n, r   int
	done   bool
	volume Volume
}

// Volume is what the exchange collectives moved for this rank: bytes sent to and received from
// other ranks (its own block not counted), and the number of Alltoallv rounds.
type Volume struct {
	SentBytes, RecvBytes int64
	Rounds               int64
}

// NewDryRun returns the dry-run communicator of rank r of n ranks.
func NewDryRun(n, r int) (*DryRun, error) {
	if n < 1 || r < 0 || r >= n || n > 1<<16 {
		return nil, fmt.Errorf("comm: dry run: rank %d of %d ranks is not valid (1 <= ranks <= 65536)", r, n)
	}
	return &DryRun{n: n, r: r}, nil
}

// MirrorOf is the rank (2r − q) mod N whose send block stands for what rank q sends to this rank.
func (d *DryRun) MirrorOf(q int) int { return ((2*d.r-q)%d.n + d.n) % d.n }

// Volume returns the bytes exchanged so far.
func (d *DryRun) Volume() Volume { return d.volume }

func (d *DryRun) check(call string) error {
	if d.done {
		return errFinalized(call)
	}
	return nil
}

// Rank is the rank this process stands in for.
func (d *DryRun) Rank() int { return d.r }

// Size is the number of ranks simulated.
func (d *DryRun) Size() int { return d.n }

// Name is "dryrun".
func (d *DryRun) Name() string { return "dryrun" }

// Barrier returns at once.
func (d *DryRun) Barrier() error { return d.check("Barrier") }

// AllreduceInt64: Sum gives N·in, Max and Min give in.
func (d *DryRun) AllreduceInt64(in, out []int64, op Op) error {
	if err := d.check("AllreduceInt64"); err != nil {
		return err
	}
	if err := checkAllreduce("AllreduceInt64", in, out, op); err != nil {
		return err
	}
	for i, v := range in {
		if op == Sum {
			v *= int64(d.n)
		}
		out[i] = v
	}
	return nil
}

// AllreduceFloat64: Sum gives N·in, Max and Min give in.
func (d *DryRun) AllreduceFloat64(in, out []float64, op Op) error {
	if err := d.check("AllreduceFloat64"); err != nil {
		return err
	}
	if err := checkAllreduce("AllreduceFloat64", in, out, op); err != nil {
		return err
	}
	for i, v := range in {
		if op == Sum {
			v *= float64(d.n)
		}
		out[i] = v
	}
	return nil
}

// Allgather copies send into every block of recv.
func (d *DryRun) Allgather(send, recv []byte) error {
	if err := d.check("Allgather"); err != nil {
		return err
	}
	if err := checkAllgather("Allgather", d.n, send, recv); err != nil {
		return err
	}
	for q := range d.n {
		copy(recv[q*len(send):], send)
	}
	return nil
}

// Allgatherv copies send into every block of recv (each count must be len(send)).
func (d *DryRun) Allgatherv(send []byte, recv []byte, counts, displs []int) error {
	if err := d.check("Allgatherv"); err != nil {
		return err
	}
	if err := checkAllgatherv("Allgatherv", d.n, d.r, send, recv, counts, displs); err != nil {
		return err
	}
	for q, c := range counts {
		if c != len(send) {
			return fmt.Errorf("comm: Allgatherv: dry run: rank %d's count %d differs from this rank's %d", q, c, len(send))
		}
		copy(recv[displs[q]:], send)
	}
	return nil
}

// Bcast leaves buf as it is: every rank holds what this one holds.
func (d *DryRun) Bcast(buf []byte, root int) error {
	if err := d.check("Bcast"); err != nil {
		return err
	}
	return checkBcast("Bcast", d.n, root, buf)
}

// AlltoallUint32 fills recv block q with send block (2r − q) mod N.
func (d *DryRun) AlltoallUint32(send, recv []uint32, chunk int) error {
	if err := d.check("AlltoallUint32"); err != nil {
		return err
	}
	if err := checkAlltoall("AlltoallUint32", d.n, send, recv, chunk); err != nil {
		return err
	}
	for q := range d.n {
		m := d.MirrorOf(q)
		copy(recv[q*chunk:(q+1)*chunk], send[m*chunk:(m+1)*chunk])
	}
	d.count(4*int64(chunk)*int64(d.n-1), 4*int64(chunk)*int64(d.n-1), false)
	return nil
}

// AlltoallvUint32 fills recv block q with send block (2r − q) mod N.
func (d *DryRun) AlltoallvUint32(send []uint32, sendCounts, sendDispls []int, recv []uint32, recvCounts, recvDispls []int) error {
	if err := d.check("AlltoallvUint32"); err != nil {
		return err
	}
	return alltoallvMirror(d, "AlltoallvUint32", 4, send, sendCounts, sendDispls, recv, recvCounts, recvDispls)
}

// AlltoallvBytes fills recv block q with send block (2r − q) mod N.
func (d *DryRun) AlltoallvBytes(send []byte, sendCounts, sendDispls []int, recv []byte, recvCounts, recvDispls []int) error {
	if err := d.check("AlltoallvBytes"); err != nil {
		return err
	}
	return alltoallvMirror(d, "AlltoallvBytes", 1, send, sendCounts, sendDispls, recv, recvCounts, recvDispls)
}

func alltoallvMirror[T any](d *DryRun, call string, size int64, send []T, sc, sd []int, recv []T, rc, rd []int) error {
	if err := checkAlltoallv(call, d.n, send, sc, sd, recv, rc, rd); err != nil {
		return err
	}
	var sent, got int64
	for q := range d.n {
		m := d.MirrorOf(q)
		if rc[q] != sc[m] {
			return fmt.Errorf("comm: %s: dry run: recvCounts[%d]=%d != sendCounts[%d]=%d (the mirrored block)", call, q, rc[q], m, sc[m])
		}
		copy(recv[rd[q]:rd[q]+rc[q]], send[sd[m]:sd[m]+sc[m]])
		if q != d.r {
			sent, got = sent+int64(sc[q]), got+int64(rc[q])
		}
	}
	d.count(size*sent, size*got, true)
	return nil
}

func (d *DryRun) count(sent, recv int64, round bool) {
	d.volume.SentBytes += sent
	d.volume.RecvBytes += recv
	if round {
		d.volume.Rounds++
	}
}

// Abort exits the process with the given code.
func (d *DryRun) Abort(code int) { os.Exit(code) }

// Finalize ends the communicator; further calls return an error.
func (d *DryRun) Finalize() error {
	if err := d.check("Finalize"); err != nil {
		return err
	}
	d.done = true
	return nil
}

// Mirror is implemented by communicators whose received blocks stand for other ranks' data
// (DryRun): received block q of an Alltoall(v) is this rank's send block MirrorOf(q). A block
// whose node ids name nodes of rank a stands for the same data with the nodes of rank b, where
// the translation by q − r ranks takes a to b and keeps each node's thread and local index.
type Mirror interface {
	MirrorOf(q int) int
}
