// Command nest-mpi runs NEST-compatible network files and documents the models.
//
//	nest-mpi run FILE [--out DIR] [--threads N] [--seed S] [--plot] [--quiet]
//	nest-mpi serve
//	nest-mpi jobscript FILE --nodes N --tasks-per-node R --threads T [--out DIR] [...]
//	nest-mpi estimate FILE [--ranks R] [--threads T] [--json]
//	nest-mpi models [--long]
//	nest-mpi help MODEL
//	nest-mpi version
//
// # Network files
//
// A network file is a PyNEST script written as JSON (the contract is spec-format.md): the
// top-level keys kernel (kernel status set first), script (the calls, in order) and comment. The
// calls are SetKernelStatus, Create, CopyModel, SetDefaults, SetStatus, Connect, Simulate,
// ResetKernel, GetStatus and GetConnections, with PyNEST's names and meaning; old NEST names
// (spike_detector, withtime, withgid, syn_spec "model") are accepted with a note. Examples:
// examples/tutorial/*.json and examples/ei_network.json.
//
// # Serve
//
// serve runs one kernel driven call by call: one JSON call a line on stdin ({"Create": {...}}, the
// network file's calls and shapes plus GetKernelStatus, GetDefaults, Models, Prepare, Run, Cleanup,
// SetConnections and help), one JSON answer a line on stdout ({"ok": value} or {"error": {"name",
// "message"}}); errors are answers and the session goes on. The kernel's notes and print_time go to
// stderr. Under mpirun rank 0 reads and answers, every rank executes. The protocol is documented in
// package kernel/serve; the Python package nestmpi (python/) speaks it.
//
// # Outputs
//
// run writes into DIR (default out/<file name without extension>), only when the whole script has
// succeeded: the outputs are prepared in a hidden folder next to DIR and moved into place at the
// end, so a failed run leaves DIR as it was (other files in an existing DIR are kept; files of the
// same names are replaced).
//
//   - <name>.csv for each recorder created with "as" that records to memory (<name>-<i>.csv for a
//     Create of n > 1): spike_recorder sender,time_ms; multimeter and voltmeter
//     sender,time_ms,<record_from...>; weight_recorder sender,target,time_ms,weight,receptor,port;
//     rows sorted by time, sender and target, numbers in the shortest form that reads back to the
//     same float64. Under MPI rank 0 writes the events of all ranks: the files are the same bytes
//     for every split of the same number of virtual processes into ranks and threads.
//   - the tables of GetStatus and GetConnections calls with "to" (without "to" they are printed to
//     stdout); cells that are lists or dictionaries are written as JSON.
//   - run.json: version, kernel (final kernel status), counts (nodes, connections, spikes),
//     timings (build_s, simulate_s, rtf, output_s, total_s) and memory (peak_rss_bytes, the
//     largest of all ranks), files.
//   - with --plot, PNG plots: <name>.png (raster or weights) and <name>_<variable>.png.
//
// --threads and --seed override local_num_threads and rng_seed of the file (in the kernel block,
// in SetKernelStatus calls that set them, and after ResetKernel). --quiet turns print_time off and
// drops notes, warnings and the summary line.
//
// # Errors
//
// Every error is one line "nest-mpi: <message>" on stderr. Exit statuses: 2 an error of the file,
// a NEST error or a command-line mistake; 3 the network does not fit in memory (memcheck.go:
// refused before building from the estimate, or ended when the resident memory nears the limit);
// 4 stopped by SIGTERM, SIGUSR1 or SIGINT at a slice boundary, the outputs recorded so far
// published with run.json "complete": false (outputs.go); 1 an internal error. Errors of the file
// name the call and NEST's error: "nest-mpi: script[3] Connect: BadDelay: ...". Under MPI an error
// on any rank aborts every rank (MPI_Abort); rank 0 reports it, another rank reports its own error
// after a short delay, prefixed with "rank <r>:".
//
// # MPI
//
// Build with CC=mpicc go build -tags mpi and start with mpirun; every rank runs the same file.
// jobscript writes the Slurm (or plain mpirun) script that does so (package jobs). run refuses the
// build without MPI started as one of several tasks, and warns when ranks x threads exceed the CPUs
// Slurm granted (launch.go).
package main
