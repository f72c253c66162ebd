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
