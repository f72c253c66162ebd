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
// Every model owns its dynamics and its state (package models): neuron blocks update themselves,
// a synapse model's SynState applies its send rule to all connections of one source per spike
// (plastic.go hands it the batch and delivers the weights it returns), generators compute what
// they emit in a step (updateDevices adds it into the ring buffers), recording backends take the
// events (models/record), and the spike history that STDP rules read is a models.Archive per VP.
// The kernel composes them and owns only what knows about VPs and ranks: placement, the ring
// buffers, the connection arrays, the exchange, and the merging of events, status and connection
// tables over ranks (gather.go, merge.go).
//
// # Checkpoints
//
// Store and Restore (checkpoint*.go) compose the state every piece writes of itself into the
// sections of package checkpoint: a "kernel" section (status, model tables with their defaults,
// nodes, device parameters), one section per rank (spikes not yet delivered) and one per VP
// (blocks, archive, ring buffers, connection arrays with each model's state, device instances).
// A VP's section does not depend on the split into ranks and threads, so a checkpoint restores
// onto any split of the same number of VPs bit for bit; onto another number it is re-sharded by
// node id (checkpoint_reshard.go).
//
// # Storage
//
// Connections between neurons are stored on the VP of their target, per synapse model, as arrays
// sorted by source (conns.go). A store of a model without per-connection state codes its weight
// and delay columns (column.go: a byte per connection for up to 256 distinct values, nothing
// for one), so a static connection takes 5 to 16 bytes; the connections of such a model are
// drawn at Connect into a compact record per call (connrecord.go) and placed once at Prepare in
// source order (no sort, no copy per Connect).
// Delivery has a loop per coding. Connections from generators are
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
