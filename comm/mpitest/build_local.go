//go:build !mpi

package mpitest

const mpiBuild = false
