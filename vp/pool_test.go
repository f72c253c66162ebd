package vp

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolRunsEveryThreadOnce(t *testing.T) {
	for _, c := range []struct{ n, spin int }{
		{1, -1}, {2, -1}, {3, -1}, {8, -1}, // default spin (none for 8 > GOMAXPROCS on small machines)
		{2, 0}, {3, 0}, // always park
		{2, 30}, {3, 100}, {8, 3}, // short spins: parking and spinning mixed
		{8, 2000}, // spinning although oversubscribed
	} {
		t.Run(fmt.Sprintf("n=%d,spin=%d", c.n, c.spin), func(t *testing.T) { testPoolRunsEveryThreadOnce(t, c.n, c.spin) })
	}
}

func testPoolRunsEveryThreadOnce(t *testing.T, n, spin int) {
	p := NewPool(n)
	defer p.Close()
	if spin >= 0 {
		p.SetSpin(spin)
	}
	if p.Threads() != n {
		t.Fatalf("Threads() = %d, want %d", p.Threads(), n)
	}
	// Each thread writes only its own slot, with plain writes: the race detector checks
	// that Run orders them before its return, and the counts after every Run check that
	// each thread ran exactly once (not twice while another was skipped).
	counts := make([]int, n)
	f := func(th int) { counts[th]++ }
	runs := 5000
	if spin > 0 && n > runtime.GOMAXPROCS(0) {
		runs = 500 // hand-overs wait for spinning goroutines to give up
	}
	for r := 0; r < runs; r++ {
		if r%1000 == 500 {
			time.Sleep(300 * time.Microsecond) // let spinning workers park
		}
		if err := p.Run(f); err != nil {
			t.Fatalf("run %d: %v", r, err)
		}
		for th, c := range counts {
			if c != r+1 {
				t.Fatalf("after run %d: thread %d ran %d times, want %d", r, th, c, r+1)
			}
		}
	}
}

// Thread 0 runs on the caller, the others in parallel with it.
func TestPoolParallel(t *testing.T) {
	const n = 4
	p := NewPool(n)
	defer p.Close()
	var wg sync.WaitGroup
	wg.Add(n)
	err := p.Run(func(int) {
		wg.Done()
		wg.Wait() // deadlocks unless all n run at the same time
	})
	if err != nil {
		t.Fatal(err)
	}
	// Plain writes to shared data, read after Run: no data race.
	data := make([][]float64, n)
	for r := 0; r < 100; r++ {
		if err := p.Run(func(th int) {
			data[th] = append(data[th][:0], float64(th), float64(r))
		}); err != nil {
			t.Fatal(err)
		}
		for th := range data {
			if data[th][0] != float64(th) || data[th][1] != float64(r) {
				t.Fatalf("run %d thread %d wrote %v", r, th, data[th])
			}
		}
	}
}

func TestPoolPanic(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	for _, bad := range []int{0, 1, 2} {
		var ran atomic.Int64
		err := p.Run(func(th int) {
			ran.Add(1)
			if th == bad {
				panic("boom")
			}
		})
		if ran.Load() != 3 {
			t.Errorf("panic on %d: %d threads ran, want 3", bad, ran.Load())
		}
		var pe *PanicError
		if !errors.As(err, &pe) {
			t.Fatalf("panic on %d: error %v is not a *PanicError", bad, err)
		}
		if pe.Thread != bad || pe.Value != "boom" {
			t.Errorf("panic on %d: got thread %d value %v", bad, pe.Thread, pe.Value)
		}
		msg := err.Error()
		for _, want := range []string{fmt.Sprintf("thread %d", bad), "boom", "goroutine", "pool_test.go"} {
			if !strings.Contains(msg, want) {
				t.Errorf("panic on %d: error %q does not contain %q", bad, msg, want)
			}
		}
		// The pool is still usable.
		if err := p.Run(func(int) {}); err != nil {
			t.Fatalf("after panic on %d: %v", bad, err)
		}
	}

	// Several panics: all reported; an error value is unwrapped.
	sentinel := errors.New("sentinel")
	err := p.Run(func(th int) {
		if th == 0 {
			panic(sentinel)
		}
		s := make([]int, th)
		s[th] = th // runtime panic: index out of range
	})
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap the panic value", err)
	}
	for _, want := range []string{"thread 0", "thread 1", "thread 2", "index out of range"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("joined error does not mention %q: %v", want, err)
		}
	}
	if err := p.Run(func(int) {}); err != nil {
		t.Fatalf("after multiple panics: %v", err)
	}
}

func TestPoolGoexit(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	err := p.Run(func(th int) {
		if th == 1 {
			runtime.Goexit()
		}
	})
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Thread != 1 {
		t.Fatalf("Goexit on a worker: error %v", err)
	}
	counts := make([]int, 2)
	for r := 0; r < 10; r++ {
		if err := p.Run(func(th int) { counts[th]++ }); err != nil {
			t.Fatal(err)
		}
	}
	if counts[0] != 10 || counts[1] != 10 {
		t.Errorf("after Goexit: counts %v", counts)
	}

	// Goexit on thread 0 ends the calling goroutine; the pool must still be usable.
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(func(th int) {
			if th == 0 {
				runtime.Goexit()
			}
			panic("worker panic while thread 0 exits")
		})
	}()
	<-done
	// The worker's panic belonged to the abandoned Run, not to this one.
	if err := p.Run(func(th int) { counts[th]++ }); err != nil {
		t.Fatal(err)
	}
}

func TestPoolClose(t *testing.T) {
	p := NewPool(4)
	if err := p.Run(func(int) {}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Close() // idempotent
	if err := p.Run(func(int) { t.Error("ran after Close") }); !errors.Is(err, ErrPoolClosed) {
		t.Errorf("Run after Close: %v, want ErrPoolClosed", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("NewPool(0) did not panic")
		}
	}()
	NewPool(0)
}

// Concurrent callers are serialised.
func TestPoolConcurrentRun(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	var busy atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 200; r++ {
				if err := p.Run(func(th int) {
					if busy.Add(1) > 2 {
						t.Error("two Runs overlap")
					}
					runtime.Gosched()
					busy.Add(-1)
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}
