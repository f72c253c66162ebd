// Package models owns every neuron, device and synapse model of nest-mpi: their NEST names,
// parameters with defaults, units and validation rules, recordables, documentation, and the update
// code that advances them.
//
// A neuron model keeps its population on one virtual process as a Block: a struct of arrays (one
// slice per parameter, state variable and propagator) that Update advances by one step in a tight
// loop over all its neurons. The kernel owns the input ring buffers (Inputs) and hands each block
// the slots of the current step; it also owns everything that is common to all neurons (spike
// history for STDP, node ids, placement). Status dictionaries are converted at the boundary
// (Get/Set); they are never touched in the loop.
//
// Models know nothing of MPI, threads or connections.
package models
