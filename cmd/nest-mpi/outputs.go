package main

import (
	"errors"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Exit statuses of nest-mpi run (spec-format): 0 the script ran to its end, 2 an error in the file
// or a NEST error, 3 the network does not fit in memory, 4 stopped by a signal, 1 anything else.
const (
	exitInternal    = 1
	exitDoesNotFit  = 3
	exitInterrupted = 4
)

// exitCode maps an error of a command to its exit status.
func exitCode(err error) int {
	var pe *netfile.PanicError
	var fit *doesNotFitError
	switch {
	case errors.Is(err, kernel.ErrInterrupted):
		return exitInterrupted
	case errors.As(err, &fit):
		return exitDoesNotFit
	case errors.As(err, &pe), status.KindOf(err) == status.InternalError:
		return exitInternal
	}
	return exitError
}

// preparedOutput is the output folder as every rank knows it.
type preparedOutput struct {
	sink    *netfile.DirSink // rank 0 only
	staging string           // the staging folder (every rank: the ascii backend writes there)
	dir     string
	made    bool // rank 0 created dir
}

// abort removes the staged outputs after a failed run. Rank 0 does it through its sink; another
// rank does it too (the folders are on a file system every rank sees), since an error on that rank
// alone aborts the job while rank 0 waits in a collective and is killed without cleaning up.
func (p *preparedOutput) abort() {
	if p.sink != nil {
		p.sink.Abort()
		return
	}
	if p.staging != "" {
		os.RemoveAll(p.staging)
	}
	if p.made {
		os.Remove(p.dir) // only if empty
	}
}

// prepareOutput creates and checks the output folder on rank 0 before anything is built, and
// tells every rank the staging folder the ascii backend writes into (an error on rank 0 is every
// rank's error).
func prepareOutput(c comm.Communicator, dir string) (*preparedOutput, error) {
	p := &preparedOutput{dir: dir}
	var msg []byte
	ok := byte(1)
	if c.Rank() == 0 {
		sink, err := netfile.NewDirSink(dir)
		if err == nil {
			err = sink.Prepare()
		}
		if err != nil {
			ok, msg = 0, []byte(err.Error())
		} else {
			p.sink, p.made, msg = sink, sink.Made(), []byte(sink.Staging())
		}
	}
	buf := make([]byte, 8192)
	buf[0] = ok
	if p.made {
		buf[3] = 1
	}
	copy(buf[4:], msg)
	buf[1], buf[2] = byte(len(msg)>>8), byte(len(msg))
	if c.Size() > 1 {
		if err := c.Bcast(buf, 0); err != nil {
			return nil, status.Errorf(status.InternalError, "telling the ranks the output folder: %v", err)
		}
	}
	n := int(buf[1])<<8 | int(buf[2])
	text := string(buf[4 : 4+min(n, len(buf)-4)])
	if buf[0] == 0 {
		p.abort()
		return nil, status.Errorf(status.IOError, "%s", stripKindPrefix(text))
	}
	p.staging, p.made = text, buf[3] == 1
	return p, nil
}

func stripKindPrefix(s string) string {
	if len(s) > len(status.IOError)+2 && s[:len(status.IOError)+2] == string(status.IOError)+": " {
		return s[len(status.IOError)+2:]
	}
	return s
}

// stopSignals installs the handlers that ask a running Simulate to stop at a slice boundary:
// SIGTERM, SIGUSR1 (Slurm's warning before the time limit) and, in a single process, SIGINT
// (mpirun turns Ctrl-C into SIGTERM). A second signal gets the default behaviour (it ends the
// process at once). reason names the signal received; stop removes the handlers.
func stopSignals(c comm.Communicator) (flag *atomic.Bool, reason func() string, stop func()) {
	flag = &atomic.Bool{}
	var name atomic.Value
	name.Store("a signal")
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGUSR1}
	if c.Size() == 1 {
		sigs = append(sigs, os.Interrupt)
	}
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			name.Store(signalName(s))
			flag.Store(true)
			signal.Reset(sigs...)
		case <-done:
		}
	}()
	reason = func() string { return name.Load().(string) }
	stop = func() {
		signal.Stop(ch)
		close(done)
	}
	return flag, reason, stop
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case os.Interrupt:
		return "SIGINT"
	}
	return s.String()
}
