//go:build !mpi

package comm

// Init returns the default communicator of this build: Local in the default build; with build tag
// `mpi` (built with CC=mpicc), the MPI communicator after MPI_Init_thread(MPI_THREAD_FUNNELED).
// It must be called once, from the main goroutine, which the main package has locked to its OS
// thread with runtime.LockOSThread() in init().
func Init() (Communicator, error) { return NewLocal(), nil }

// InitSerialized is Init at thread level MPI_THREAD_SERIALIZED, for tests (go test runs every test
// on a goroutine of its own). In the default build it returns Local, as Init does.
func InitSerialized() (Communicator, error) { return NewLocal(), nil }
