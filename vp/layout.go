package vp

import "fmt"

// Layout maps node ids to virtual processes, ranks and threads (NEST's round-robin
// placement, nestkernel/vp_manager). It describes one rank's view: NumProcesses MPI
// ranks, this process's Rank, and Threads local threads per rank. The total number of
// virtual processes is N_vp = NumProcesses*Threads.
//
// A node with id gid (ids start at 1; 0 is reserved) lives on vp = gid mod N_vp; a vp
// lives on rank vp mod NumProcesses as thread vp div NumProcesses. So for N_vp = 4 on
// NumProcesses = 2 ranks, node 5 lives on vp 1, which is thread 0 of rank 1.
//
// The methods assume a valid layout (see Validate) and do no checking of their own.
type Layout struct {
	NumProcesses int // number of MPI ranks, >= 1
	Rank         int // this process's rank, 0 <= Rank < NumProcesses
	Threads      int // local threads per rank, >= 1
}

// NumVPs returns N_vp = NumProcesses*Threads.
func (l Layout) NumVPs() int { return l.NumProcesses * l.Threads }

// VPOf returns the virtual process of node gid: gid mod N_vp.
func (l Layout) VPOf(gid uint64) int { return int(gid % uint64(l.NumVPs())) }

// RankOfVP returns the rank that runs vp: vp mod NumProcesses.
func (l Layout) RankOfVP(vp int) int { return vp % l.NumProcesses }

// ThreadOfVP returns the local thread that runs vp on its rank: vp div NumProcesses.
func (l Layout) ThreadOfVP(vp int) int { return vp / l.NumProcesses }

// VPOfThread returns the vp run by local thread t of this rank: t*NumProcesses + Rank.
// It is the inverse of ThreadOfVP for the local VPs.
func (l Layout) VPOfThread(thread int) int { return thread*l.NumProcesses + l.Rank }

// IsLocalVP reports whether vp is a valid VP (0 <= vp < N_vp) run by this rank.
func (l Layout) IsLocalVP(vp int) bool {
	return vp >= 0 && vp < l.NumVPs() && vp%l.NumProcesses == l.Rank
}

// RankOf returns the rank on which node gid lives: RankOfVP(VPOf(gid)).
func (l Layout) RankOf(gid uint64) int { return l.RankOfVP(l.VPOf(gid)) }

// ThreadOf returns the local thread (on its own rank) on which node gid lives:
// ThreadOfVP(VPOf(gid)).
func (l Layout) ThreadOf(gid uint64) int { return l.ThreadOfVP(l.VPOf(gid)) }

// IsLocal reports whether node gid lives on this rank.
func (l Layout) IsLocal(gid uint64) bool { return l.RankOf(gid) == l.Rank }

// LocalIndex returns the index of node gid among the nodes of its VP, in creation order:
// lid = ceil(gid/N_vp) - 1 = (gid-1) div N_vp (NEST's local id). gid must be >= 1.
func (l Layout) LocalIndex(gid uint64) uint64 { return (gid - 1) / uint64(l.NumVPs()) }

// NodeOf is the inverse of (VPOf, LocalIndex): it returns the id of the lid-th node
// (0-based) that lives on vp, i.e. the gid >= 1 with VPOf(gid) == vp and
// LocalIndex(gid) == lid.
func (l Layout) NodeOf(vp int, lid uint64) uint64 {
	n := uint64(l.NumVPs())
	if vp == 0 {
		return (lid + 1) * n
	}
	return lid*n + uint64(vp)
}

// Validate reports whether the layout is usable: NumProcesses >= 1, Threads >= 1 and
// 0 <= Rank < NumProcesses.
func (l Layout) Validate() error {
	switch {
	case l.NumProcesses < 1:
		return fmt.Errorf("vp: invalid layout %v: num_processes must be >= 1", l)
	case l.Threads < 1:
		return fmt.Errorf("vp: invalid layout %v: local_num_threads must be >= 1", l)
	case l.Rank < 0 || l.Rank >= l.NumProcesses:
		return fmt.Errorf("vp: invalid layout %v: rank must be in [0, num_processes)", l)
	case l.NumProcesses > maxVPs/l.Threads:
		return fmt.Errorf("vp: invalid layout %v: num_processes*local_num_threads exceeds %d", l, maxVPs)
	}
	return nil
}

// maxVPs bounds N_vp so that every VP index fits an int32.
const maxVPs = 1<<31 - 1

// String formats the layout as "{processes=P rank=R threads=T}".
func (l Layout) String() string {
	return fmt.Sprintf("{processes=%d rank=%d threads=%d}", l.NumProcesses, l.Rank, l.Threads)
}
