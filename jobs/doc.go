// Package jobs writes the scripts that run nest-mpi on a cluster: sbatch scripts for Slurm,
// launched with srun --mpi=pmix or with mpirun inside the allocation, and plain bash scripts for
// mpirun on machines without a batch system.
//
// It owns the translation of a run's shape (nodes, ranks per node, threads per rank) into a
// launcher's options: the allocation (#SBATCH lines), the binding that gives every thread a core
// of its own, GOMAXPROCS, the output and error paths, the forwarding of the pre-timeout signal to
// every rank and, when a checkpoint folder is given, the resume-on-requeue logic. It knows nothing
// of networks or of the kernel: the caller gives absolute paths (the MPI binary, the network file,
// the output folder) and the memory per node (Spec.MemPerNodeMB, for instance from an estimate).
//
// Scripts are plain text, generated deterministically from a Spec: the same Spec always gives the
// same bytes.
package jobs
