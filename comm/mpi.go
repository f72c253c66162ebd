//go:build mpi && cgo

package comm

/*
#include <mpi.h>

// Handles are pointers in OpenMPI and ints in MPICH: the Go side only ever sees them through these.
static MPI_Comm world(void) { return MPI_COMM_WORLD; }
static MPI_Datatype typeInt64(void) { return MPI_INT64_T; }
static MPI_Datatype typeDouble(void) { return MPI_DOUBLE; }
static MPI_Datatype typeUint32(void) { return MPI_UINT32_T; }
static MPI_Datatype typeByte(void) { return MPI_BYTE; }
static MPI_Op opSum(void) { return MPI_SUM; }
static MPI_Op opMax(void) { return MPI_MAX; }
static MPI_Op opMin(void) { return MPI_MIN; }
static int levelFunneled(void) { return MPI_THREAD_FUNNELED; }
static int levelSerialized(void) { return MPI_THREAD_SERIALIZED; }

static int initThread(int level, int *provided) {
	int rc = MPI_Init_thread(NULL, NULL, level, provided);
	if (rc != MPI_SUCCESS) return rc;
	return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

// The same slice as in and out means an in-place reduction (MPI forbids aliased buffers).
static int allreduce(void *in, void *out, int n, MPI_Datatype t, MPI_Op op) {
	return MPI_Allreduce(in == out ? MPI_IN_PLACE : in, out, n, t, op, MPI_COMM_WORLD);
}
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

var initialized bool // MPI can be initialised once per process

// mpiComm is the MPI communicator over MPI_COMM_WORLD.
type mpiComm struct {
	rank, size int
	done       bool
	// Scratch C int arrays for counts and displacements, Size() long, reused by every call.
	sc, sd, rc, rd []C.int
}

// Init returns the default communicator of this build: Local in the default build; with build tag
// `mpi` (built with CC=mpicc), the MPI communicator after MPI_Init_thread(MPI_THREAD_FUNNELED).
// It must be called once, from the main goroutine, which the main package has locked to its OS
// thread with runtime.LockOSThread() in init().
func Init() (Communicator, error) { return initMPI(C.levelFunneled(), "MPI_THREAD_FUNNELED") }

// InitSerialized is Init at thread level MPI_THREAD_SERIALIZED, for tests (go test runs every test
// on a goroutine of its own). Calls must still never overlap.
func InitSerialized() (Communicator, error) {
	return initMPI(C.levelSerialized(), "MPI_THREAD_SERIALIZED")
}

func initMPI(level C.int, levelName string) (Communicator, error) {
	if initialized {
		return nil, fmt.Errorf("comm: Init: MPI can be initialised only once per process")
	}
	initialized = true
	var provided C.int
	if err := mpiError("MPI_Init_thread", C.initThread(level, &provided)); err != nil {
		return nil, err
	}
	if provided < level {
		C.MPI_Finalize()
		return nil, fmt.Errorf("comm: Init: MPI provides thread level %d, below the %s (%d) we need",
			int(provided), levelName, int(level))
	}
	var rank, size C.int
	if err := mpiError("MPI_Comm_rank", C.MPI_Comm_rank(C.world(), &rank)); err != nil {
		return nil, err
	}
	if err := mpiError("MPI_Comm_size", C.MPI_Comm_size(C.world(), &size)); err != nil {
		return nil, err
	}
	n := int(size)
	return &mpiComm{rank: int(rank), size: n,
		sc: make([]C.int, n), sd: make([]C.int, n), rc: make([]C.int, n), rd: make([]C.int, n)}, nil
}

// mpiError converts an MPI return code into an error naming the call.
func mpiError(call string, rc C.int) error {
	if rc == C.MPI_SUCCESS {
		return nil
	}
	var buf [C.MPI_MAX_ERROR_STRING]C.char
	var n C.int
	if C.MPI_Error_string(rc, &buf[0], &n) != C.MPI_SUCCESS {
		return fmt.Errorf("comm: %s failed with MPI error code %d", call, int(rc))
	}
	return fmt.Errorf("comm: %s: %s (MPI error code %d)", call, C.GoStringN(&buf[0], n), int(rc))
}

func (m *mpiComm) check(call string) error {
	if m.done {
		return errFinalized(call)
	}
	return nil
}

func (m *mpiComm) Rank() int    { return m.rank }
func (m *mpiComm) Size() int    { return m.size }
func (m *mpiComm) Name() string { return "mpi" }

func (m *mpiComm) Barrier() error {
	if err := m.check("Barrier"); err != nil {
		return err
	}
	return mpiError("MPI_Barrier", C.MPI_Barrier(C.world()))
}

func mpiOp(op Op) C.MPI_Op {
	switch op {
	case Max:
		return C.opMax()
	case Min:
		return C.opMin()
	}
	return C.opSum()
}

func (m *mpiComm) AllreduceInt64(in, out []int64, op Op) error {
	if err := m.check("AllreduceInt64"); err != nil {
		return err
	}
	if err := checkAllreduce("AllreduceInt64", in, out, op); err != nil {
		return err
	}
	return mpiError("MPI_Allreduce", C.allreduce(unsafe.Pointer(unsafe.SliceData(in)),
		unsafe.Pointer(unsafe.SliceData(out)), C.int(len(in)), C.typeInt64(), mpiOp(op)))
}

func (m *mpiComm) AllreduceFloat64(in, out []float64, op Op) error {
	if err := m.check("AllreduceFloat64"); err != nil {
		return err
	}
	if err := checkAllreduce("AllreduceFloat64", in, out, op); err != nil {
		return err
	}
	return mpiError("MPI_Allreduce", C.allreduce(unsafe.Pointer(unsafe.SliceData(in)),
		unsafe.Pointer(unsafe.SliceData(out)), C.int(len(in)), C.typeDouble(), mpiOp(op)))
}

func (m *mpiComm) Allgather(send, recv []byte) error {
	if err := m.check("Allgather"); err != nil {
		return err
	}
	if err := checkAllgather("Allgather", m.size, send, recv); err != nil {
		return err
	}
	n := C.int(len(send))
	return mpiError("MPI_Allgather", C.MPI_Allgather(unsafe.Pointer(unsafe.SliceData(send)), n, C.typeByte(),
		unsafe.Pointer(unsafe.SliceData(recv)), n, C.typeByte(), C.world()))
}

func (m *mpiComm) Allgatherv(send []byte, recv []byte, counts, displs []int) error {
	if err := m.check("Allgatherv"); err != nil {
		return err
	}
	if err := checkAllgatherv("Allgatherv", m.size, m.rank, send, recv, counts, displs); err != nil {
		return err
	}
	toC(m.rc, counts)
	toC(m.rd, displs)
	return mpiError("MPI_Allgatherv", C.MPI_Allgatherv(unsafe.Pointer(unsafe.SliceData(send)), C.int(len(send)),
		C.typeByte(), unsafe.Pointer(unsafe.SliceData(recv)), &m.rc[0], &m.rd[0], C.typeByte(), C.world()))
}

func (m *mpiComm) Bcast(buf []byte, root int) error {
	if err := m.check("Bcast"); err != nil {
		return err
	}
	if err := checkBcast("Bcast", m.size, root, buf); err != nil {
		return err
	}
	return mpiError("MPI_Bcast", C.MPI_Bcast(unsafe.Pointer(unsafe.SliceData(buf)), C.int(len(buf)), C.typeByte(),
		C.int(root), C.world()))
}

func (m *mpiComm) AlltoallUint32(send, recv []uint32, chunk int) error {
	if err := m.check("AlltoallUint32"); err != nil {
		return err
	}
	if err := checkAlltoall("AlltoallUint32", m.size, send, recv, chunk); err != nil {
		return err
	}
	return mpiError("MPI_Alltoall", C.MPI_Alltoall(unsafe.Pointer(unsafe.SliceData(send)), C.int(chunk),
		C.typeUint32(), unsafe.Pointer(unsafe.SliceData(recv)), C.int(chunk), C.typeUint32(), C.world()))
}

func (m *mpiComm) AlltoallvUint32(send []uint32, sendCounts, sendDispls []int, recv []uint32, recvCounts, recvDispls []int) error {
	if err := m.check("AlltoallvUint32"); err != nil {
		return err
	}
	if err := checkAlltoallv("AlltoallvUint32", m.size, send, sendCounts, sendDispls, recv, recvCounts, recvDispls); err != nil {
		return err
	}
	return m.alltoallv(unsafe.Pointer(unsafe.SliceData(send)), sendCounts, sendDispls,
		unsafe.Pointer(unsafe.SliceData(recv)), recvCounts, recvDispls, C.typeUint32())
}

func (m *mpiComm) AlltoallvBytes(send []byte, sendCounts, sendDispls []int, recv []byte, recvCounts, recvDispls []int) error {
	if err := m.check("AlltoallvBytes"); err != nil {
		return err
	}
	if err := checkAlltoallv("AlltoallvBytes", m.size, send, sendCounts, sendDispls, recv, recvCounts, recvDispls); err != nil {
		return err
	}
	return m.alltoallv(unsafe.Pointer(unsafe.SliceData(send)), sendCounts, sendDispls,
		unsafe.Pointer(unsafe.SliceData(recv)), recvCounts, recvDispls, C.typeByte())
}

// alltoallv runs MPI_Alltoallv on checked arguments, converting counts in the scratch arrays.
func (m *mpiComm) alltoallv(send unsafe.Pointer, sc, sd []int, recv unsafe.Pointer, rc, rd []int, t C.MPI_Datatype) error {
	toC(m.sc, sc)
	toC(m.sd, sd)
	toC(m.rc, rc)
	toC(m.rd, rd)
	return mpiError("MPI_Alltoallv", C.MPI_Alltoallv(send, &m.sc[0], &m.sd[0], t, recv, &m.rc[0], &m.rd[0], t, C.world()))
}

// toC copies checked (non-negative, int32-sized) values into a C int array of the same length.
func toC(dst []C.int, src []int) {
	for i, v := range src {
		dst[i] = C.int(v)
	}
}

// Abort ends every process of the job with code (MPI_Abort); it does not return.
func (m *mpiComm) Abort(code int) {
	if !m.done { // MPI_Abort after MPI_Finalize is erroneous
		C.MPI_Abort(C.world(), C.int(code))
	}
	os.Exit(code) // MPI_Abort should not return; make sure this process ends anyway
}

func (m *mpiComm) Finalize() error {
	if err := m.check("Finalize"); err != nil {
		return err
	}
	m.done = true
	return mpiError("MPI_Finalize", C.MPI_Finalize())
}
