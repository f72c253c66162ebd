package main

import (
	"io"
	"strings"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel/serve"
)

// cmdServe runs nest-mpi serve: calls on in, answers on out, the kernel's notes on stderr.
func cmdServe(c comm.Communicator, args []string, in io.Reader, out, stderr io.Writer) error {
	if len(args) > 0 {
		return &usageError{"serve takes no arguments"}
	}
	log := stderr
	if c.Rank() != 0 {
		log = io.Discard
	}
	return serve.Serve(in, out, serve.Options{Comm: c, Log: log, Help: helpText})
}

// helpText returns what nest-mpi help MODEL prints.
func helpText(model string) (string, error) {
	var b strings.Builder
	err := cmdHelp(model, &b)
	return b.String(), err
}
