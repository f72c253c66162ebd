//go:build mpi && !cgo

package comm

// The mpi build tag needs cgo and an MPI compiler wrapper: build with
//
//	CGO_ENABLED=1 CC=mpicc go build -tags mpi
//
// The undefined name below stops the build with that message.
var _ = comm_mpi_build_needs_cgo__set_CGO_ENABLED_1_and_CC_mpicc
