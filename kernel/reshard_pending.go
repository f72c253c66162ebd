package kernel

import (
	"github.com/nest-mpi/nest-mpi/checkpoint"
	"github.com/nest-mpi/nest-mpi/models/status"
)

func (k *Kernel) reshardFrom(r *checkpoint.Reader, oldN int) error {
	return status.Errorf(status.NotImplemented, "the checkpoint has %d virtual processes, this run %d", oldN, k.layout.NumVPs())
}
