package main

import (
	"fmt"
	"io"

	"github.com/nest-mpi/nest-mpi/comm"
)

func cmdBenchScaling(c comm.Communicator, args []string, stdout, stderr io.Writer) error {
	return fmt.Errorf("bench scaling: not built yet")
}
