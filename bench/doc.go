// Package bench owns the benchmark networks of nest-mpi and their measurements: NEST's
// hpc_benchmark, the Potjans-Diesmann cortical microcircuit and the Brunel balanced random network
// of NEST's brunel_delta_nest example, each as a generated network file (Script, run by package
// netfile exactly as `nest-mpi run` runs a file; Lookup finds them by name), the Brunel network also
// as a builder that puts it on a Kernel, and the benchmarks that report real-time
// factor, ns per synaptic event and the cost of spreading the same network over ranks or threads.
// NOTES.md records each optimisation: its prediction, the measured result and the command.
package bench
