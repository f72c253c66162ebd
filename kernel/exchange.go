package kernel

import (
	"cmp"
	"slices"

	"github.com/nest-mpi/nest-mpi/comm"
)

// exchange carries the spikes of one slice between ranks: one Alltoall of counts, then one
// Alltoallv of the spikes. A spike travels as two uint32: the node id and lag<<16 | multiplicity.
// Every rank receives every spike (the receiving VPs look up their own connections). The buffers
// are reused across slices.
type exchange struct {
	send, recv             []uint32
	sendCounts, sendDispls []int
	recvCounts, recvDispls []int
	countsOut, countsIn    []uint32
}

func (x *exchange) run(c comm.Communicator, spikes *[]spikeRec) error {
	p := c.Size()
	local := *spikes
	x.send = x.send[:0]
	for _, s := range local {
		x.send = append(x.send, uint32(s.gid), uint32(s.lag)<<16|s.mult&0xffff)
	}
	x.countsOut = resizeU32(x.countsOut, p)
	x.countsIn = resizeU32(x.countsIn, p)
	for r := range x.countsOut {
		x.countsOut[r] = uint32(len(x.send))
	}
	if err := c.AlltoallUint32(x.countsOut, x.countsIn, 1); err != nil {
		return err
	}
	x.sendCounts, x.sendDispls = resizeInts(x.sendCounts, p), resizeInts(x.sendDispls, p)
	x.recvCounts, x.recvDispls = resizeInts(x.recvCounts, p), resizeInts(x.recvDispls, p)
	total := 0
	for r := 0; r < p; r++ {
		x.sendCounts[r], x.sendDispls[r] = len(x.send), 0
		x.recvCounts[r], x.recvDispls[r] = int(x.countsIn[r]), total
		total += int(x.countsIn[r])
	}
	x.recv = resizeU32(x.recv, total)
	if err := c.AlltoallvUint32(x.send, x.sendCounts, x.sendDispls, x.recv, x.recvCounts, x.recvDispls); err != nil {
		return err
	}
	out := local[:0]
	for i := 0; i+1 < len(x.recv); i += 2 {
		out = append(out, spikeRec{gid: uint64(x.recv[i]), lag: int32(x.recv[i+1] >> 16), mult: x.recv[i+1] & 0xffff})
	}
	*spikes = out
	return nil
}

func resizeU32(xs []uint32, n int) []uint32 {
	if cap(xs) >= n {
		return xs[:n]
	}
	return make([]uint32, n)
}

func resizeInts(xs []int, n int) []int {
	if cap(xs) >= n {
		return xs[:n]
	}
	return make([]int, n)
}

// sortSpikes orders spikes by lag, then node id: the delivery order.
func sortSpikes(s []spikeRec) {
	slices.SortFunc(s, func(a, b spikeRec) int {
		if c := cmp.Compare(a.lag, b.lag); c != 0 {
			return c
		}
		return cmp.Compare(a.gid, b.gid)
	})
}

// localSpikeCount returns the number of spikes emitted by this rank's neurons so far.
func (k *Kernel) localSpikeCount() int64 { return k.spikeCount }
