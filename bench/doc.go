// Package bench owns the benchmark networks of nest-mpi and their measurements: builders that put
// a standard network on a Kernel (the Brunel balanced random network of NEST's brunel_delta_nest
// example, with static or STDP excitatory synapses), and the benchmarks that report real-time
// factor, ns per synaptic event and the cost of spreading the same network over ranks or threads.
// NOTES.md records each optimisation: its prediction, the measured result and the command.
package bench
