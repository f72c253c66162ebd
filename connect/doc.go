// Package connect owns nest-mpi's connection rules and parameter values: it parses a
// conn_spec (NEST's rule names and keys, [ParseSpec]), validates it against the sizes of the
// populations ([Spec.Check]), and enumerates, for one virtual process (VP) at a time, the
// connections that VP owns ([Build]) in the order NEST creates them (except fixed_total_number,
// below). It also owns the values a
// syn_spec or a node parameter can take ([Value]: a scalar, an array with one entry per
// connection or node, or a random distribution [Dist] with NEST 3 names and optional redraw
// bounds).
//
// connect knows nothing of synapse or neuron models and stores nothing: the kernel calls Build
// on every VP (in parallel, one goroutine per local thread), and inside the emit callback draws
// the connection's delay and weight (and other parameters) from the VP's stream and stores the
// connection. Because rule draws and parameter draws come from the same VP stream, they
// interleave as in NEST (nestkernel/conn_builder.cpp). Build depends only on its arguments and
// the streams' states.
//
// # Ownership
//
// A connection is owned by (created on) the VP of its target, as in NEST. Targets that exist on
// every VP (devices such as recorders, Placement.TargetVP == -1) can be connected only with
// one_to_one and all_to_all; the connection is then owned by the VP of its source, and if the
// source is a replicated device too (device to device) every VP creates its own copy. The
// other rules need targets with proxies and fail with IllegalConnection, as NEST does.
//
// # Random streams and reproducibility
//
// Which stream a rule draws from mirrors NEST's random_manager (nest-spec section 6):
//
//   - one_to_one, all_to_all, fixed_indegree, pairwise_bernoulli: only the VP-specific stream
//     (for parameters in emit, and for the rule's own draws);
//   - fixed_outdegree: the target choice from the rank-synchronised stream, which every VP
//     advances identically on its private copy; parameters from the VP stream;
//   - fixed_total_number: the split of N over the VPs from the rank-synchronised stream, then
//     each VP's choices from its VP stream. Here the order deviates from NEST's: NEST draws a
//     VP's pairs one by one (source, then target); Build splits the VP's quota over the
//     sources first (sequential binomials in proportion to the pairs each source may form)
//     and then draws each source's targets. The connections have the same distribution
//     (independent pairs, uniform over the allowed ones), and made source by source they are
//     stored without a sort by source, which took most of the microcircuit's Prepare;
//   - symmetric_pairwise_bernoulli: everything from the thread-synchronised stream.
//
// Nothing depends on how the VPs are split into ranks and threads, so a fixed number of VPs
// gives the same connections in the same order on every VP for every split.
//
// # Arrays
//
// Array-valued syn_spec parameters pair entry i with connection i in NEST's enumeration order
// ([Spec.ArrayLen]): one_to_one i; all_to_all target*|sources|+source; fixed_indegree
// target*indegree+j; fixed_outdegree source*outdegree+j; fixed_total_number the running count
// of connections on the VP (NEST consumes such arrays per thread from the start); the other
// rules take no arrays. A VP that skips a connection owned elsewhere also skips its entry, so
// Build hands every connection its index.
package connect
