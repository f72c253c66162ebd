package vp

import (
	"strings"
	"testing"
)

func TestLayoutPlacement(t *testing.T) {
	tests := []struct {
		name             string
		l                Layout
		gid              uint64
		vp, rank, thread int
		lid              uint64
	}{
		// NEST's documentation example: N_vp = 4 on 2 processes.
		{"nest example gid 5", Layout{2, 0, 2}, 5, 1, 1, 0, 1},
		{"nest example gid 4", Layout{2, 0, 2}, 4, 0, 0, 0, 0},
		{"nest example gid 3", Layout{2, 1, 2}, 3, 3, 1, 1, 0},
		{"nest example gid 6", Layout{2, 1, 2}, 6, 2, 0, 1, 1},
		{"one process", Layout{1, 0, 4}, 7, 3, 0, 3, 1},
		{"one thread", Layout{4, 2, 1}, 7, 3, 3, 0, 1},
		{"gid 1", Layout{3, 0, 2}, 1, 1, 1, 0, 0},
		{"large gid", Layout{3, 0, 2}, 1<<40 + 1, 5, 2, 1, 183251937962}, // 2^40 = 4 mod 6
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.l
			if err := l.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := l.VPOf(tc.gid); got != tc.vp {
				t.Errorf("VPOf(%d) = %d, want %d", tc.gid, got, tc.vp)
			}
			if got := l.RankOfVP(tc.vp); got != tc.rank {
				t.Errorf("RankOfVP(%d) = %d, want %d", tc.vp, got, tc.rank)
			}
			if got := l.ThreadOfVP(tc.vp); got != tc.thread {
				t.Errorf("ThreadOfVP(%d) = %d, want %d", tc.vp, got, tc.thread)
			}
			if got := l.RankOf(tc.gid); got != tc.rank {
				t.Errorf("RankOf(%d) = %d, want %d", tc.gid, got, tc.rank)
			}
			if got := l.ThreadOf(tc.gid); got != tc.thread {
				t.Errorf("ThreadOf(%d) = %d, want %d", tc.gid, got, tc.thread)
			}
			if got := l.LocalIndex(tc.gid); got != tc.lid {
				t.Errorf("LocalIndex(%d) = %d, want %d", tc.gid, got, tc.lid)
			}
			if got := l.NodeOf(tc.vp, tc.lid); got != tc.gid {
				t.Errorf("NodeOf(%d, %d) = %d, want %d", tc.vp, tc.lid, got, tc.gid)
			}
			if got, want := l.IsLocal(tc.gid), tc.rank == l.Rank; got != want {
				t.Errorf("IsLocal(%d) = %v, want %v", tc.gid, got, want)
			}
			if got, want := l.IsLocalVP(tc.vp), tc.rank == l.Rank; got != want {
				t.Errorf("IsLocalVP(%d) = %v, want %v", tc.vp, got, want)
			}
		})
	}
}

func TestLayoutRoundTrips(t *testing.T) {
	for _, pt := range [][2]int{{1, 1}, {1, 4}, {2, 2}, {4, 1}, {3, 5}, {8, 3}} {
		P, T := pt[0], pt[1]
		owner := make([]int, P*T) // how many ranks claim each vp
		for r := 0; r < P; r++ {
			l := Layout{NumProcesses: P, Rank: r, Threads: T}
			if l.NumVPs() != P*T {
				t.Fatalf("%v: NumVPs = %d", l, l.NumVPs())
			}
			for th := 0; th < T; th++ {
				vp := l.VPOfThread(th)
				if !l.IsLocalVP(vp) || l.ThreadOfVP(vp) != th || l.RankOfVP(vp) != r {
					t.Errorf("%v: thread %d -> vp %d -> (rank %d, thread %d, local %v)",
						l, th, vp, l.RankOfVP(vp), l.ThreadOfVP(vp), l.IsLocalVP(vp))
				}
			}
			for vp := -1; vp <= P*T; vp++ {
				if l.IsLocalVP(vp) {
					owner[vp]++
					if l.VPOfThread(l.ThreadOfVP(vp)) != vp {
						t.Errorf("%v: VPOfThread(ThreadOfVP(%d)) != %d", l, vp, vp)
					}
				}
			}
			// Nodes: round robin, and (vp, lid) <-> gid is a bijection.
			for gid := uint64(1); gid <= uint64(5*P*T); gid++ {
				vp, lid := l.VPOf(gid), l.LocalIndex(gid)
				if l.NodeOf(vp, lid) != gid {
					t.Errorf("%v: NodeOf(VPOf(%d), LocalIndex(%d)) = %d", l, gid, gid, l.NodeOf(vp, lid))
				}
				if want := (gid + uint64(P*T) - 1) / uint64(P*T); lid != want-1 { // ceil(gid/N_vp)-1
					t.Errorf("%v: LocalIndex(%d) = %d, want %d", l, gid, lid, want-1)
				}
			}
		}
		for vp, n := range owner {
			if n != 1 {
				t.Errorf("P=%d T=%d: vp %d is local on %d ranks", P, T, vp, n)
			}
		}
	}
}

func TestLayoutValidate(t *testing.T) {
	tests := []struct {
		l    Layout
		want string // "" = valid
	}{
		{Layout{1, 0, 1}, ""},
		{Layout{2, 1, 2}, ""},
		{Layout{64, 63, 128}, ""},
		{Layout{0, 0, 1}, "num_processes must be >= 1"},
		{Layout{-1, 0, 1}, "num_processes must be >= 1"},
		{Layout{1, 0, 0}, "local_num_threads must be >= 1"},
		{Layout{2, 0, -3}, "local_num_threads must be >= 1"},
		{Layout{2, 2, 1}, "rank must be in [0, num_processes)"},
		{Layout{2, -1, 1}, "rank must be in [0, num_processes)"},
		{Layout{1 << 20, 0, 1 << 12}, "exceeds"},
	}
	for _, tc := range tests {
		err := tc.l.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: unexpected error %v", tc.l, err)
		case tc.want != "" && err == nil:
			t.Errorf("%v: no error, want %q", tc.l, tc.want)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%v: error %q, want it to contain %q", tc.l, err, tc.want)
		}
	}
}
