// Package kernel is nest-mpi's simulation kernel and public Go API. A Kernel owns one simulation:
// its nodes, connections, model tables, random streams, clock and recorded data, all held in plain
// arrays per virtual process (VP) so that they can be stored and restored.
//
// The API mirrors PyNEST: Create, Connect, Simulate, GetStatus/SetStatus, GetDefaults/SetDefaults,
// CopyModel, GetConnections, ResetKernel, with NEST's names, defaults and errors.
//
// # The loop
//
// Simulate advances time in slices of min_delay steps. In a slice every local VP, in parallel,
// first delivers the spikes of the previous slice into the ring buffers of its neurons (and the
// pending multimeter samples into their recorders), then advances its devices and neuron blocks
// step by step. At the end of a complete slice the main goroutine exchanges the VPs' spike
// registers through the communicator and merges them in a fixed order (lag, then source id), so
// that delivery, and every floating-point sum it makes, never depends on scheduling or on how the
// VPs are split into ranks and threads.
//
// Ring buffers hold min_delay + max_delay slots per neuron and channel; the slot of absolute step
// s is s mod (min_delay + max_delay). A spike emitted in step e (stamp e+1) over a connection with
// delay d is written to the slot of step e + d and read by the target in that step, whose result is
// stamped e+1+d: the spike arrives at its time plus the delay, as in NEST.
package kernel

// # Where the dynamics live
//
// Neuron models update themselves (package models, one Block per model and VP). The dynamics that
// read or write the kernel's own arrays live here instead of in models: generators write into the
// ring buffers (updateDevices), recorders collect events (record.go, sampling.go), and STDP
// synapses read the postsynaptic spike history (plastic.go, archive.go). Their parameters,
// defaults, validation and documentation, and the STDP rule's mathematics, stay in models.
//
// # Storage
//
// Connections between neurons are stored on the VP of their target, per synapse model, as arrays
// sorted by source (conns.go: 16 bytes per static connection). Connections from generators are
// stored with the generator's instance on the target's VP; connections to spike recorders on the
// source's VP (the recorder instance there records at emission), as NEST stores them. Spikes cross
// ranks once per slice (exchange.go) and only to ranks that hold connections from their source.
//
// # Random numbers
//
// Every draw comes from a stream chosen as NEST chooses it (package vp): a neuron's random
// parameters and a generator's draws from the VP-specific stream of its VP, rule draws as package
// connect documents, device parameters from the rank-synchronised stream. The generator is
// xoshiro256**, not NEST's mt19937_64, so random networks are NEST's in distribution only.
