//go:build mpi

// Command aborttest checks comm's Abort under mpirun -np 2: rank 1 calls Abort(3) while rank 0
// waits in a Barrier that can never complete. mpirun must end the job with a non-zero exit code.
// TestAbort in package comm builds and runs it.
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
)

func init() { runtime.LockOSThread() } // MPI_THREAD_FUNNELED: all MPI calls from the main thread

func main() {
	c, err := comm.Init()
	if err != nil {
		fmt.Fprintln(os.Stderr, "aborttest:", err)
		os.Exit(1)
	}
	if c.Size() < 2 {
		fmt.Fprintln(os.Stderr, "aborttest: needs at least 2 ranks")
		c.Abort(2)
	}
	if c.Rank() == 1 {
		time.Sleep(200 * time.Millisecond) // let rank 0 enter the Barrier
		fmt.Println("aborttest: rank 1 calls Abort(3)")
		c.Abort(3)
		fmt.Println("aborttest: Abort returned") // never reached
		os.Exit(0)
	}
	err = c.Barrier()
	fmt.Println("aborttest: rank", c.Rank(), "passed the Barrier:", err) // never reached
	c.Finalize()
}
