package kernel

import (
	"cmp"
	"slices"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
)

// exchange carries the spikes of one slice between ranks: one Alltoall of counts, then one
// Alltoallv of the spikes. A spike travels as two uint32, the node id and lag<<16 | multiplicity,
// and only to the ranks that hold connections from its source (the presynaptic tables built at
// Prepare by buildPresynaptic). The buffers are reused across slices.
type exchange struct {
	send, recv             []uint32
	sendCounts, sendDispls []int
	recvCounts, recvDispls []int
	countsOut, countsIn    []uint32
	fill                   []int
	dests                  [][]uint16 // destination ranks of each local spike (views into the tables)
}

// stopBit marks a count of the exchange: its sender asks every rank to stop after this slice.
// Counts are at most 2 × spikes per slice, far below it.
const stopBit = 1 << 31

func (k *Kernel) runExchange(spikes *[]spikeRec) error {
	x, c := &k.exch, k.comm
	p := c.Size()
	local := *spikes
	x.countsOut, x.countsIn = resizeU32(x.countsOut, p), resizeU32(x.countsIn, p)
	clear(x.countsOut)
	x.dests = x.dests[:0]
	for _, s := range local {
		d := k.destRanks(s.gid)
		x.dests = append(x.dests, d)
		for _, r := range d {
			x.countsOut[r] += 2
		}
	}
	if k.stopRequested() { // the request travels with the counts: every rank learns it now
		for r := range x.countsOut {
			x.countsOut[r] |= stopBit
		}
	}
	t0 := time.Now()
	err := c.AlltoallUint32(x.countsOut, x.countsIn, 1)
	k.timers.communicate += time.Since(t0)
	if err != nil {
		return err
	}
	for r, n := range x.countsIn {
		if n&stopBit != 0 {
			k.stopAgreed = true
			x.countsIn[r] = n &^ stopBit
		}
	}
	x.sendCounts, x.sendDispls = resizeInts(x.sendCounts, p), resizeInts(x.sendDispls, p)
	x.recvCounts, x.recvDispls = resizeInts(x.recvCounts, p), resizeInts(x.recvDispls, p)
	x.fill = resizeInts(x.fill, p)
	sendTotal, recvTotal := 0, 0
	for r := 0; r < p; r++ {
		n := int(x.countsOut[r] &^ stopBit)
		x.sendCounts[r], x.sendDispls[r], x.fill[r] = n, sendTotal, sendTotal
		sendTotal += n
		x.recvCounts[r], x.recvDispls[r] = int(x.countsIn[r]), recvTotal
		recvTotal += int(x.countsIn[r])
	}
	x.send, x.recv = resizeU32(x.send, sendTotal), resizeU32(x.recv, recvTotal)
	for j, s := range local {
		for _, r := range x.dests[j] {
			i := x.fill[r]
			x.send[i], x.send[i+1] = uint32(s.gid), uint32(s.lag)<<16|s.mult&0xffff
			x.fill[r] += 2
		}
	}
	t0 = time.Now()
	err = c.AlltoallvUint32(x.send, x.sendCounts, x.sendDispls, x.recv, x.recvCounts, x.recvDispls)
	k.timers.communicate += time.Since(t0)
	if err != nil {
		return err
	}
	out := local[:0]
	for q := range p {
		mirrored := k.mirrorOf(q) >= 0
		blk := x.recv[x.recvDispls[q] : x.recvDispls[q]+x.recvCounts[q]]
		for i := 0; i+1 < len(blk); i += 2 {
			gid := uint64(blk[i])
			if mirrored { // this rank's spike stands for one of rank q's
				if gid = k.moveNode(gid, q); gid == 0 {
					continue
				}
			}
			out = append(out, spikeRec{gid: gid, lag: int32(blk[i+1] >> 16), mult: blk[i+1] & 0xffff})
		}
	}
	*spikes = out
	return nil
}

// mirrorOf is the rank whose send block stands for received block q under a dry-run
// communicator (comm.Mirror), or -1.
func (k *Kernel) mirrorOf(q int) int {
	if m, ok := k.comm.(comm.Mirror); ok {
		return m.MirrorOf(q)
	}
	return -1
}

// moveNode is the node at the same thread and local index as gid on rank to (0 if there is none).
func (k *Kernel) moveNode(gid uint64, to int) uint64 {
	l := k.layout
	g := l.NodeOf(l.ThreadOf(gid)*l.NumProcesses+to, l.LocalIndex(gid))
	if g >= uint64(len(k.nodes)) {
		return 0
	}
	return g
}

// isLocalNeuron reports whether gid names a neuron of this rank.
func (k *Kernel) isLocalNeuron(gid uint64) bool {
	if gid == 0 || gid >= uint64(len(k.nodes)) || !k.layout.IsLocal(gid) {
		return false
	}
	ne := k.nodes[gid]
	return ne.local >= 0 && k.models.list[ne.model].device == nil
}

// destRanks returns the ranks that hold connections from local neuron gid.
func (k *Kernel) destRanks(gid uint64) []uint16 {
	st := k.vps[k.layout.ThreadOf(gid)]
	i := k.nodes[gid].local
	return st.destRanks[st.destStart[i]:st.destStart[i+1]]
}

// buildPresynaptic tells every rank which of its neurons' spikes each rank needs: every rank sends
// to the owner of each source it has connections from that source's id (Alltoall of counts, then
// Alltoallv of ids); the owners store, per local neuron, the list of ranks to send to.
func (k *Kernel) buildPresynaptic() error {
	p := k.comm.Size()
	need := make([][]uint32, p)
	seen := map[uint32]bool{}
	for _, st := range k.vps {
		for _, c := range st.stores {
			if c == nil {
				continue
			}
			for _, src := range c.srcIDs {
				if !seen[src] {
					seen[src] = true
					r := k.layout.RankOf(uint64(src))
					need[r] = append(need[r], src)
				}
			}
		}
	}
	counts, countsIn := make([]uint32, p), make([]uint32, p)
	sc, sd, rc, rd := make([]int, p), make([]int, p), make([]int, p), make([]int, p)
	var send []uint32
	for r := range need {
		slices.Sort(need[r])
		counts[r] = uint32(len(need[r]))
		sc[r], sd[r] = len(need[r]), len(send)
		send = append(send, need[r]...)
	}
	if err := k.comm.AlltoallUint32(counts, countsIn, 1); err != nil {
		return err
	}
	total := 0
	for r := range countsIn {
		rc[r], rd[r] = int(countsIn[r]), total
		total += int(countsIn[r])
	}
	recv := make([]uint32, total)
	if err := k.comm.AlltoallvUint32(send, sc, sd, recv, rc, rd); err != nil {
		return err
	}
	pairs := make([][]recPair, len(k.vps)) // (local neuron, rank) per thread
	for r := 0; r < p; r++ {
		mirrored := k.mirrorOf(r) >= 0
		for _, id := range recv[rd[r] : rd[r]+rc[r]] {
			gid := uint64(id)
			if mirrored { // a request for a node of the mirrored rank stands for one of this rank's
				if gid = k.moveNode(gid, k.layout.Rank); !k.isLocalNeuron(gid) {
					continue
				}
			}
			t := k.layout.ThreadOf(gid)
			pairs[t] = append(pairs[t], recPair{local: k.nodes[gid].local, dev: int32(r)})
		}
	}
	for t, st := range k.vps {
		n := len(st.gids)
		st.destStart = make([]int32, n+1)
		for _, pr := range pairs[t] {
			st.destStart[pr.local+1]++
		}
		for i := 0; i < n; i++ {
			st.destStart[i+1] += st.destStart[i]
		}
		st.destRanks = make([]uint16, len(pairs[t]))
		fill := slices.Clone(st.destStart[:n])
		for _, pr := range pairs[t] { // ranks ascend: recv is ordered by rank
			st.destRanks[fill[pr.local]] = uint16(pr.dev)
			fill[pr.local]++
		}
	}
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

// sortSpikes puts spikes in delivery order (compareSpikes).
func sortSpikes(s []spikeRec) { slices.SortFunc(s, compareSpikes) }

// compareSpikes orders spikes for delivery: by lag, then node id.
func compareSpikes(a, b spikeRec) int {
	if c := cmp.Compare(a.lag, b.lag); c != 0 {
		return c
	}
	return cmp.Compare(a.gid, b.gid)
}

// localSpikeCount returns the number of spikes emitted by this rank's neurons so far.
func (k *Kernel) localSpikeCount() int64 {
	var n int64
	for _, st := range k.vps {
		n += st.spikes
	}
	return n
}
