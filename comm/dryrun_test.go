package comm

import (
	"slices"
	"testing"
)

func TestDryRunCollectives(t *testing.T) {
	d, err := NewDryRun(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	in := []int64{3, -2}
	out := make([]int64, 2)
	for _, c := range []struct {
		op   Op
		want []int64
	}{{Sum, []int64{12, -8}}, {Max, []int64{3, -2}}, {Min, []int64{3, -2}}} {
		if err := d.AllreduceInt64(in, out, c.op); err != nil || !slices.Equal(out, c.want) {
			t.Errorf("AllreduceInt64 op %d = %v, %v; want %v", c.op, out, err, c.want)
		}
	}
	// Alltoall: block q of recv is send block (2·1 − q) mod 4.
	send := []uint32{10, 11, 12, 13}
	recv := make([]uint32, 4)
	if err := d.AlltoallUint32(send, recv, 1); err != nil || !slices.Equal(recv, []uint32{12, 11, 10, 13}) {
		t.Errorf("AlltoallUint32 = %v, %v", recv, err)
	}
	// Alltoallv with counts that agree with the mirror.
	sv := []uint32{1, 2, 2, 3, 3, 3} // blocks of 0, 1, 2 and 3 elements for ranks 0..3
	sc, sd := []int{0, 1, 2, 3}, []int{0, 0, 1, 3}
	rc, rd := []int{2, 1, 0, 3}, []int{0, 2, 3, 3}
	rv := make([]uint32, 6)
	if err := d.AlltoallvUint32(sv, sc, sd, rv, rc, rd); err != nil || !slices.Equal(rv, []uint32{2, 2, 1, 3, 3, 3}) {
		t.Errorf("AlltoallvUint32 = %v, %v", rv, err)
	}
	// The Alltoall moved one element to and from each of the 3 other ranks.
	if v := d.Volume(); v.Rounds != 1 || v.SentBytes != 4*3+4*(0+2+3) || v.RecvBytes != 4*3+4*(2+0+3) {
		t.Errorf("volume %+v", v)
	}
	if err := d.AlltoallvUint32(sv, sc, sd, rv, []int{0, 1, 2, 3}, sd); err == nil {
		t.Error("counts that contradict the mirror were accepted")
	}
	if _, err := NewDryRun(4, 4); err == nil {
		t.Error("rank 4 of 4 was accepted")
	}
}
