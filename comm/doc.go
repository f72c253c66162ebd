// Package comm is the kernel's only view of other processes: it owns process identity (rank, size),
// the collectives the simulation needs (Barrier, Allreduce over int64/float64 with Sum, Max and Min,
// Allgather(v) over bytes, Alltoall(v) over uint32 and Alltoallv over bytes), Abort and Finalize. It
// knows nothing of neurons or spikes; no other package uses cgo or knows MPI.
//
// Two implementations sit behind the Communicator interface. Local (the default build, no cgo) is
// one process: Size 1, Rank 0, every collective copies send to recv. The MPI communicator (build tag
// mpi, built with CC=mpicc: `CC=mpicc go build -tags mpi`) is a small cgo binding of our own. Init
// returns the default one of the build; Launched tells whether an MPI launcher started the process.
//
// # Threading
//
// All methods must be called from the goroutine that called Init, and a Communicator is not safe for
// concurrent use. For MPI, Init requests MPI_THREAD_FUNNELED, so that goroutine must be the main
// goroutine, locked to the main OS thread by runtime.LockOSThread() in an init() of package main;
// worker goroutines never call comm. InitSerialized requests MPI_THREAD_SERIALIZED instead: it is
// for `go test`, which runs every test function on a goroutine of its own (calls must still never
// overlap).
//
// # Buffers
//
// Buffers are owned by the caller: methods neither retain nor alias them after they return, and a
// call allocates nothing in steady state. Empty buffers (nil, count 0) are allowed everywhere.
// Lengths, counts and displacements are checked in Go and a mismatch is returned as an error, never a
// panic; the same checks run in both implementations, so code that passes on Local passes them on
// MPI. Send and receive buffers must not overlap, except that AllreduceInt64 and AllreduceFloat64
// accept the very same slice as in and out (reduced in place).
//
// # Why our own binding
//
// github.com/sbromberger/gompi cannot be had: the Go module proxy refuses it (403), as it does every
// other Go MPI binding. It also lacks Alltoall(v) and Allgather(v), initialises only at
// MPI_THREAD_MULTIPLE, and panics on empty slices. The binding here covers exactly the calls above
// (about 250 lines). It gets MPI_COMM_WORLD, datatypes and ops from tiny static C functions, so the
// same Go code compiles against OpenMPI (handles are pointers) and MPICH (handles are ints); it sets
// MPI_ERRORS_RETURN on MPI_COMM_WORLD and turns every failing return code into a Go error naming the
// call (with MPI_Error_string); and it carries no #cgo flags, so any cluster's MPI compiler wrapper
// works as CC. Building with -tags mpi but without cgo stops with a compile error naming the problem.
//
// Tests of MPI code run under mpirun through package comm/mpitest.
package comm
