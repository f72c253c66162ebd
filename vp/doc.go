// Package vp owns nest-mpi's virtual processes: where every node lives, the random
// streams every draw comes from, and the worker pool that runs the local threads.
//
// # Layout
//
// A simulation runs on NumProcesses MPI ranks with Threads local threads each, so there
// are N_vp = NumProcesses*Threads virtual processes (VPs). Exactly as NEST's vp_manager
// places them, node ids start at 1 and a node with id gid lives on
//
//	vp     = gid mod N_vp
//	rank   = vp mod NumProcesses
//	thread = vp div NumProcesses
//
// and conversely thread t of rank r is vp = t*NumProcesses + r. See [Layout].
// Devices that must act locally (generators, recorders) exist once per VP; the
// caller decides that, vp only supplies the mapping.
//
// # Random streams
//
// rng_seed seeds everything. Every stream is an independent [Stream] (xoshiro256**,
// Blackman & Vigna 2018) whose 256-bit state is derived from (seed, kind, index) by a
// bijective 128-bit mix followed by SplitMix64 (see [NewStream]). The kinds and their
// assignment mirror NEST's random_manager:
//
//   - rank-synchronised stream {seed, KindRankSync}: identical on every rank;
//   - thread-synchronised stream {seed, KindThreadSync}: one copy per local thread,
//     identical on every thread of every rank;
//   - VP-specific stream {seed, KindVP, vp}: one per VP, held by the thread that
//     runs that VP.
//
// A VP's stream therefore depends only on (seed, vp), never on how the N_vp VPs are
// split into ranks x threads, which is what makes results for a fixed N_vp identical
// for every split. [Streams] holds all streams of one rank; which stream a draw comes
// from is decided here (ForVP), so that other keyings (for example one stream per node,
// [KindNode]) can be introduced in one place.
//
// Samplers on a Stream: uniform ([Stream.Float64], [Stream.Uniform]), unbiased bounded
// integers (Lemire 2019), normal (256-layer ziggurat, Marsaglia & Tsang 2000), log-normal,
// exponential (inversion), binomial (inversion / Hörmann's BTRS) and, through the
// precomputed [Poisson] sampler, Poisson (table inversion / Hörmann's PTRS). All are
// exact up to float64 resolution and none allocates. Bit-exact agreement with NEST's
// C++ generators is not a goal (NEST's libstdc++ distributions cannot be reproduced
// from Go); statistical equivalence and the stream assignment are.
//
// # Worker pool
//
// [Pool] keeps one long-lived goroutine per local thread and runs one function on all
// of them per call, with no goroutine or allocation per call; a panic on any thread is
// recovered and returned as a [*PanicError].
package vp
