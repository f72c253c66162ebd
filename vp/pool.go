package vp

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// ErrPoolClosed is returned by Run after Close.
var ErrPoolClosed = errors.New("vp: Run on a closed Pool")

// PanicError is the error Run returns for a thread whose function panicked.
type PanicError struct {
	Thread int    // local thread whose function panicked
	Value  any    // the value passed to panic (or a description of runtime.Goexit)
	Stack  []byte // the panicking goroutine's stack (debug.Stack)
}

// Error names the thread and the panic value, followed by the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("vp: panic on thread %d: %v\n\n%s", e.Thread, e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Pool runs one function on every local thread in parallel. It keeps one long-lived
// goroutine for each thread t >= 1; thread 0 runs on the goroutine that calls Run.
//
// Hand-over works like OpenMP's active wait policy. A Run publishes f and bumps a
// generation counter. Each worker, after finishing its part, polls that counter for a
// while (DefaultSpin atomic loads, some 25 µs, letting other goroutines run every
// 1024 polls) and then parks on its own channel; Run wakes only the parked workers.
// The caller, after its own part, likewise polls the count of unfinished workers and
// then parks. So back-to-back Runs (update, deliver, update, ...) start every thread at
// once, and a pool that stays idle for longer than the spin uses no CPU. A pool that
// only blocks would have to wait for the scheduler to wake a worker (tens of µs), which
// makes short work items run one after the other. On an idle 2-core machine, with
// 22 µs of work per thread, a Run took 50 µs with a blocking pool and 24-29 µs with
// spinning. On cores shared with other processes, spinning wastes up to one spin per
// wait; SetSpin(0) then gives the blocking behaviour.
//
// There is no goroutine or allocation per call, as long as f itself is not a new
// closure per call: Run stores f where the workers can see it, so a closure literal
// passed to Run escapes. Build the per-step functions once and reuse them.
//
// When there are more threads than GOMAXPROCS, nobody spins (a spinning goroutine would
// hold a processor that another thread needs); SetSpin changes the spin length.
//
// Run is serialised (concurrent calls wait for each other) and must not be called from
// inside f: that deadlocks.
type Pool struct {
	n      int
	spin   atomic.Int64 // polls before parking
	mu     sync.Mutex   // held for the whole of Run and Close
	closed bool
	f      func(thread int) // the function of the current Run; nil between runs

	gen  atomic.Uint64 // bumped by every Run (and by Close)
	quit atomic.Bool   // set by Close before its bump of gen
	// pending is the number of workers that have not finished the current Run, plus
	// callerParked while the caller is parked on done. Keeping both in one word makes
	// "I was the last worker and the caller is waiting" one atomic fact, so a token is
	// sent only to a caller that waits for it in the same Run.
	pending atomic.Int64

	workers []poolWorker  // workers[t] for t >= 1
	done    chan struct{} // wakes the parked caller
	errs    []error       // errs[t]: outcome of thread t in the current Run
	wg      sync.WaitGroup
}

const callerParked = 1 << 32

type poolWorker struct {
	// parked is the generation the worker is parked for (or about to park for) on
	// wake, 0 if it is not parked. Only the Run (or Close) of that generation may
	// claim it: a worker that finishes quickly and parks for the next generation must
	// not be woken by the tail of the current Run's wake-up loop.
	parked atomic.Uint64
	wake   chan struct{} // capacity 1
	_      [48]byte      // keep workers' flags on separate cache lines
}

// DefaultSpin is how many times a waiting thread polls before it parks (some 25 µs on
// a current x86 core).
const DefaultSpin = 1 << 15

// yieldEvery is how often a spinning goroutine lets others on its processor run.
const yieldEvery = 1 << 10

// NewPool starts a pool of the given number of threads (threads-1 goroutines). It panics
// if threads < 1.
func NewPool(threads int) *Pool {
	if threads < 1 {
		panic(fmt.Sprintf("vp: NewPool: threads must be >= 1, got %d", threads))
	}
	p := &Pool{
		n:       threads,
		workers: make([]poolWorker, threads),
		done:    make(chan struct{}, 1),
		errs:    make([]error, threads),
	}
	if threads <= runtime.GOMAXPROCS(0) {
		p.spin.Store(initialSpin)
	}
	for t := 1; t < threads; t++ {
		p.workers[t].wake = make(chan struct{}, 1)
		p.wg.Add(1)
		go p.worker(t, 0)
	}
	return p
}

// Threads returns the number of threads.
func (p *Pool) Threads() int { return p.n }

// SetSpin sets how many times a waiting thread polls for work (or the caller for the
// end of a Run) before it parks: 0 parks at once (lowest CPU use, slowest hand-over),
// larger values trade idle CPU time for prompt starts. The default is DefaultSpin, or
// 0 if the pool has more threads than GOMAXPROCS (and DefaultSpin/32 under the race
// detector, where a poll is much slower). It may be called at any time.
func (p *Pool) SetSpin(polls int) {
	p.spin.Store(int64(max(polls, 0)))
}

// Run calls f(t) for every thread t in [0, Threads()) in parallel, f(0) on the calling
// goroutine, and returns when all have returned. Everything f did happens before Run
// returns. If some f(t) panics (or calls runtime.Goexit), the other threads still run to
// completion and Run returns a *PanicError for that thread (errors.Join of them if
// several panicked); the pool stays usable. (runtime.Goexit in f(0) ends the calling
// goroutine, as it would without a pool; Run then waits for the workers before that
// goroutine ends, and the pool stays usable.) After Close, Run returns ErrPoolClosed.
func (p *Pool) Run(f func(thread int)) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrPoolClosed
	}
	p.f = f
	p.pending.Store(int64(p.n - 1))
	p.wakeWorkers(p.gen.Add(1))
	ok := false
	defer func() {
		if !ok { // f(0) called runtime.Goexit: still wait for the workers
			p.wait()
			clear(p.errs)
			p.mu.Unlock()
		}
	}()
	p.errs[0] = p.call(0)
	ok = true
	p.wait()
	err := p.collect()
	p.mu.Unlock()
	return err
}

// wakeWorkers wakes the workers parked for generation g; the others see it while
// spinning.
func (p *Pool) wakeWorkers(g uint64) {
	for t := 1; t < p.n; t++ {
		w := &p.workers[t]
		if w.parked.Load() == g && w.parked.CompareAndSwap(g, 0) {
			w.wake <- struct{}{}
		}
	}
}

// wait returns when every worker has finished the current Run, and drops f.
func (p *Pool) wait() {
	for i := p.spin.Load(); i > 0 && p.pending.Load() != 0; i-- {
		if i%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
	for {
		v := p.pending.Load()
		if v == 0 {
			break
		}
		// Park: the worker whose decrement brings the count to 0 sees callerParked
		// and sends the token. If the count changed meanwhile, look again.
		if p.pending.CompareAndSwap(v, v|callerParked) {
			<-p.done
			break
		}
	}
	p.f = nil
}

// finished records that a worker has finished its part of the current Run.
func (p *Pool) finished() {
	if p.pending.Add(-1) == callerParked {
		p.done <- struct{}{}
	}
}

// collect returns the errors of the last run and clears them.
func (p *Pool) collect() error {
	var first error
	nerr := 0
	for _, e := range p.errs {
		if e != nil {
			if nerr == 0 {
				first = e
			}
			nerr++
		}
	}
	if nerr == 0 {
		return nil
	}
	if nerr == 1 {
		clear(p.errs)
		return first
	}
	errs := make([]error, 0, nerr)
	for _, e := range p.errs {
		if e != nil {
			errs = append(errs, e)
		}
	}
	clear(p.errs)
	return errors.Join(errs...)
}

// call runs f(t), turning a panic into a *PanicError.
func (p *Pool) call(t int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Thread: t, Value: v, Stack: debug.Stack()}
		}
	}()
	p.f(t)
	return nil
}

// worker runs thread t's part of every Run after generation seen, until Close.
func (p *Pool) worker(t int, seen uint64) {
	w := &p.workers[t]
	normal := false
	defer func() {
		if normal {
			p.wg.Done()
			return
		}
		// f(t) called runtime.Goexit, which cannot be stopped: report it, hand the
		// thread to a fresh goroutine (it inherits this one's WaitGroup count) and let
		// this one end.
		p.errs[t] = &PanicError{Thread: t, Value: "runtime.Goexit called", Stack: debug.Stack()}
		go p.worker(t, seen)
		p.finished()
	}()
	for {
		// Wait for a new generation: spin, then park.
		g := p.gen.Load()
		for i := p.spin.Load(); i > 0 && g == seen; i-- {
			if i%yieldEvery == 0 {
				runtime.Gosched()
			}
			g = p.gen.Load()
		}
		if g == seen {
			// Announce the park for generation seen+1, then re-check: a Run that
			// bumped gen before it could see the announcement is caught by the
			// re-check (we withdraw with a CAS; if that fails, the Run did claim us
			// and its token must be consumed).
			w.parked.Store(seen + 1)
			if g = p.gen.Load(); g == seen || !w.parked.CompareAndSwap(seen+1, 0) {
				<-w.wake
				g = p.gen.Load()
			}
		}
		seen = g
		if p.quit.Load() {
			normal = true
			return
		}
		p.errs[t] = p.call(t)
		p.finished()
	}
}

// Close stops the worker goroutines and waits for them to end. It waits for a Run in
// progress; later Runs return ErrPoolClosed. Close is idempotent.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.quit.Store(true)
	p.wakeWorkers(p.gen.Add(1))
	p.wg.Wait()
}
