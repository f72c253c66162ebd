package comm

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestLocalIdentity(t *testing.T) {
	var c Communicator = NewLocal()
	if c.Rank() != 0 || c.Size() != 1 || c.Name() != "local" {
		t.Fatalf("Rank, Size, Name = %d, %d, %q; want 0, 1, \"local\"", c.Rank(), c.Size(), c.Name())
	}
	if err := c.Barrier(); err != nil {
		t.Fatal(err)
	}
}

func TestLocalAllreduce(t *testing.T) {
	for _, op := range []Op{Sum, Max, Min} {
		c := NewLocal()
		in := []int64{3, -1, 1 << 40}
		out := make([]int64, 3)
		if err := c.AllreduceInt64(in, out, op); err != nil || !reflect.DeepEqual(out, in) {
			t.Errorf("AllreduceInt64 op %d: out %v, err %v; want %v", op, out, err, in)
		}
		fin := []float64{0.5, -2, 1e300}
		fout := make([]float64, 3)
		if err := c.AllreduceFloat64(fin, fout, op); err != nil || !reflect.DeepEqual(fout, fin) {
			t.Errorf("AllreduceFloat64 op %d: out %v, err %v; want %v", op, fout, err, fin)
		}
		// The same slice as in and out is allowed.
		if err := c.AllreduceInt64(in, in, op); err != nil || in[2] != 1<<40 {
			t.Errorf("AllreduceInt64 in place op %d: %v, err %v", op, in, err)
		}
	}
}

// TestLocalCollectives runs every collective on good arguments, including empty buffers.
func TestLocalCollectives(t *testing.T) {
	c := NewLocal()
	tests := []struct {
		name      string
		run       func() (got, want any, err error)
		wantEmpty bool
	}{
		{"Allgather", func() (any, any, error) {
			recv := make([]byte, 3)
			return recv, []byte("abc"), c.Allgather([]byte("abc"), recv)
		}, false},
		{"Allgather empty", func() (any, any, error) {
			return 0, 0, c.Allgather(nil, nil)
		}, true},
		{"Bcast", func() (any, any, error) {
			buf := []byte("abc")
			return buf, []byte("abc"), c.Bcast(buf, 0)
		}, false},
		{"Bcast empty", func() (any, any, error) {
			return 0, 0, c.Bcast(nil, 0)
		}, true},
		{"Allgatherv", func() (any, any, error) {
			recv := make([]byte, 5)
			return recv, []byte{0, 'a', 'b', 0, 0}, c.Allgatherv([]byte("ab"), recv, []int{2}, []int{1})
		}, false},
		{"Allgatherv empty", func() (any, any, error) {
			return 0, 0, c.Allgatherv(nil, nil, []int{0}, []int{0})
		}, true},
		{"AlltoallUint32", func() (any, any, error) {
			recv := make([]uint32, 2)
			return recv, []uint32{7, 8}, c.AlltoallUint32([]uint32{7, 8}, recv, 2)
		}, false},
		{"AlltoallUint32 empty", func() (any, any, error) {
			return 0, 0, c.AlltoallUint32(nil, []uint32{}, 0)
		}, true},
		{"AlltoallvUint32", func() (any, any, error) {
			recv := make([]uint32, 4)
			err := c.AlltoallvUint32([]uint32{1, 2, 3}, []int{2}, []int{1}, recv, []int{2}, []int{2})
			return recv, []uint32{0, 0, 2, 3}, err
		}, false},
		{"AlltoallvUint32 empty", func() (any, any, error) {
			return 0, 0, c.AlltoallvUint32(nil, []int{0}, []int{0}, nil, []int{0}, []int{0})
		}, true},
		{"AlltoallvBytes", func() (any, any, error) {
			recv := make([]byte, 3)
			err := c.AlltoallvBytes([]byte("xyz"), []int{3}, []int{0}, recv, []int{3}, []int{0})
			return recv, []byte("xyz"), err
		}, false},
		{"AlltoallvBytes empty", func() (any, any, error) {
			return 0, 0, c.AlltoallvBytes([]byte{}, []int{0}, []int{0}, nil, []int{0}, []int{0})
		}, true},
		{"AllreduceInt64 empty", func() (any, any, error) {
			return 0, 0, c.AllreduceInt64(nil, nil, Sum)
		}, true},
		{"AllreduceFloat64 empty", func() (any, any, error) {
			return 0, 0, c.AllreduceFloat64([]float64{}, nil, Min)
		}, true},
	}
	for _, tc := range tests {
		got, want, err := tc.run()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, want)
		}
	}
}

// TestLocalErrors checks that bad arguments give an error naming the call, never a panic.
func TestLocalErrors(t *testing.T) {
	c := NewLocal()
	buf := make([]uint32, 8)
	b := make([]byte, 8)
	tests := []struct {
		name string
		err  error
	}{
		{"AllreduceInt64", c.AllreduceInt64(make([]int64, 2), make([]int64, 3), Sum)},
		{"AllreduceFloat64", c.AllreduceFloat64(make([]float64, 1), nil, Max)},
		{"AllreduceInt64", c.AllreduceInt64(nil, nil, Op(7))},
		{"AllreduceFloat64", c.AllreduceFloat64(nil, nil, Op(-1))},
		{"AllreduceInt64", func() error { x := make([]int64, 4); return c.AllreduceInt64(x[:3], x[1:], Sum) }()},
		{"Allgather", c.Allgather(b[:2], b[2:5])},
		{"Allgather", c.Allgather(b[:4], b[2:6])}, // overlap
		{"Allgatherv", c.Allgatherv(b[:2], make([]byte, 4), []int{2}, []int{3})},
		{"Allgatherv", c.Allgatherv(b[:2], make([]byte, 4), []int{1}, []int{0})},
		{"Allgatherv", c.Allgatherv(b[:2], make([]byte, 4), []int{2, 0}, []int{0, 0})},
		{"Allgatherv", c.Allgatherv(b[:2], make([]byte, 4), []int{2}, nil)},
		{"Allgatherv", c.Allgatherv(nil, nil, []int{0}, []int{-1})},
		{"AlltoallUint32", c.AlltoallUint32(buf[:2], buf[4:6], 3)},
		{"AlltoallUint32", c.AlltoallUint32(buf[:2], buf[4:5], 2)},
		{"AlltoallUint32", c.AlltoallUint32(nil, nil, -1)},
		{"AlltoallUint32", c.AlltoallUint32(buf[:2], buf[:2], 2)},
		{"AlltoallvUint32", c.AlltoallvUint32(buf[:2], []int{2}, []int{0}, make([]uint32, 2), []int{1}, []int{0})},
		{"AlltoallvUint32", c.AlltoallvUint32(buf[:2], []int{3}, []int{0}, make([]uint32, 3), []int{3}, []int{0})},
		{"AlltoallvUint32", c.AlltoallvUint32(buf[:2], []int{2}, []int{0}, make([]uint32, 2), []int{2}, []int{1})},
		{"AlltoallvUint32", c.AlltoallvUint32(buf[:2], []int{-1}, []int{0}, nil, []int{-1}, []int{0})},
		{"AlltoallvUint32", c.AlltoallvUint32(buf[:2], nil, nil, nil, nil, nil)},
		{"AlltoallvBytes", c.AlltoallvBytes(b[:2], []int{2}, []int{0}, make([]byte, 2), []int{2}, []int{0, 0})},
		{"AlltoallvBytes", c.AlltoallvBytes(b[:4], []int{2}, []int{0}, b[2:6], []int{2}, []int{0})},
		{"Bcast", c.Bcast(b, 1)},
		{"Bcast", c.Bcast(nil, -1)},
	}
	for i, tc := range tests {
		if tc.err == nil {
			t.Errorf("case %d (%s): no error", i, tc.name)
		} else if !strings.Contains(tc.err.Error(), tc.name) {
			t.Errorf("case %d: error %q does not name %s", i, tc.err, tc.name)
		}
	}
}

func TestLocalFinalize(t *testing.T) {
	c := NewLocal()
	if err := c.Finalize(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{
		"Barrier":          c.Barrier(),
		"AllreduceInt64":   c.AllreduceInt64(nil, nil, Sum),
		"AllreduceFloat64": c.AllreduceFloat64(nil, nil, Sum),
		"Allgather":        c.Allgather(nil, nil),
		"Allgatherv":       c.Allgatherv(nil, nil, []int{0}, []int{0}),
		"AlltoallUint32":   c.AlltoallUint32(nil, nil, 0),
		"AlltoallvUint32":  c.AlltoallvUint32(nil, []int{0}, []int{0}, nil, []int{0}, []int{0}),
		"AlltoallvBytes":   c.AlltoallvBytes(nil, []int{0}, []int{0}, nil, []int{0}, []int{0}),
		"Finalize":         c.Finalize(),
	}
	for name, err := range calls {
		if err == nil || !strings.Contains(err.Error(), "finalized") {
			t.Errorf("%s after Finalize: err %v, want a 'finalized' error", name, err)
		}
	}
}

func TestOverlap(t *testing.T) {
	x := make([]int64, 10)
	tests := []struct {
		a, b []int64
		want bool
	}{
		{x[:5], x[5:], false},
		{x[:6], x[5:], true},
		{x[3:4], x, true},
		{x[:0], x, false},
		{nil, x, false},
		{x, make([]int64, 10), false},
	}
	for i, tc := range tests {
		if got := overlap(tc.a, tc.b); got != tc.want {
			t.Errorf("case %d: overlap = %v, want %v", i, got, tc.want)
		}
	}
}

func TestLaunched(t *testing.T) {
	vars := []string{"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}
	for _, v := range vars {
		t.Setenv(v, "") // restores the original value after the test
		os.Unsetenv(v)
	}
	if Launched() {
		t.Errorf("Launched() = true with no launcher variable set")
	}
	for _, v := range vars {
		os.Setenv(v, "0")
		if got, want := Launched(), v != "SLURM_PROCID"; got != want {
			t.Errorf("Launched() with only %s set = %v, want %v", v, got, want)
		}
		os.Unsetenv(v)
	}
}
