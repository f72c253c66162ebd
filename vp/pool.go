package vp

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
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
// goroutine for each thread t >= 1, parked on its own channel between calls; thread 0
// runs on the goroutine that calls Run. A call costs one channel send and receive per
// worker and no goroutine or allocation (as long as f itself is not a new closure per
// call: Run stores f where the workers can see it, so a closure literal passed to Run
// escapes; build the per-step functions once and reuse them).
//
// Run is serialised (concurrent calls wait for each other) and must not be called from
// inside f: that deadlocks.
type Pool struct {
	n      int
	mu     sync.Mutex // held for the whole of Run and Close
	closed bool
	f      func(thread int) // the function of the current Run; nil between runs
	start  []chan struct{}  // start[t] wakes worker t (t >= 1)
	done   chan struct{}    // one token per worker that finished its part
	errs   []error          // errs[t]: outcome of thread t in the current Run
	wg     sync.WaitGroup   // live workers, for Close
}

// NewPool starts a pool of the given number of threads (threads-1 goroutines). It panics
// if threads < 1.
func NewPool(threads int) *Pool {
	if threads < 1 {
		panic(fmt.Sprintf("vp: NewPool: threads must be >= 1, got %d", threads))
	}
	p := &Pool{
		n:     threads,
		start: make([]chan struct{}, threads),
		done:  make(chan struct{}, threads),
		errs:  make([]error, threads),
	}
	for t := 1; t < threads; t++ {
		p.start[t] = make(chan struct{}, 1)
		p.wg.Add(1)
		go p.worker(t)
	}
	return p
}

// Threads returns the number of threads.
func (p *Pool) Threads() int { return p.n }

// Run calls f(t) for every thread t in [0, Threads()) in parallel, f(0) on the calling
// goroutine, and returns when all have returned. Everything f did happens before Run
// returns. If some f(t) panics (or calls runtime.Goexit), the other threads still run to
// completion and Run returns a *PanicError for that thread (errors.Join of them if
// several panicked); the pool stays usable. After Close, Run returns ErrPoolClosed.
func (p *Pool) Run(f func(thread int)) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrPoolClosed
	}
	p.f = f
	for t := 1; t < p.n; t++ {
		p.start[t] <- struct{}{}
	}
	ok := false
	defer func() {
		if !ok { // f(0) called runtime.Goexit: still wait for the workers
			p.wait()
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

// wait receives the done tokens of all workers and drops f.
func (p *Pool) wait() {
	for t := 1; t < p.n; t++ {
		<-p.done
	}
	p.f = nil
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

// worker runs thread t's part of every Run until Close.
func (p *Pool) worker(t int) {
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
		go p.worker(t)
		p.done <- struct{}{}
	}()
	for range p.start[t] {
		p.errs[t] = p.call(t)
		p.done <- struct{}{}
	}
	normal = true
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
	for t := 1; t < p.n; t++ {
		close(p.start[t])
	}
	p.wg.Wait()
}
