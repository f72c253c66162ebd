// Package models owns every neuron, device and synapse model of nest-mpi: their NEST names,
// parameters with defaults, units and validation rules, recordables, documentation, the update or
// send rule that advances them, and the exact writing and reading of their state. Adding a model is
// one file here and one line in its registry (Builtin, BuiltinSynapses).
//
// A neuron model keeps its population on one virtual process as a Block: a struct of arrays (one
// slice per parameter, state variable and propagator) that Update advances by one step in a tight
// loop over all its neurons. The kernel owns the input ring buffers and hands each block the slots
// of the current step.
//
// A synapse model (SynapseModel) keeps whatever it needs per connection beyond the kernel's
// target, weight and delay word in a SynState, as arrays; its Send applies the rule to all of a
// source's connections for one spike. The postsynaptic spike history that STDP rules read is an
// Archive per virtual process.
//
// A stimulation device's parameters implement Stimulator; its Generator, one per virtual process,
// computes what it emits each step. Recorders' events go to the backends of package record.
//
// Status dictionaries are converted at the boundary (Get/Set); they are never touched in the loop.
// Models know nothing of MPI or threads.
package models
