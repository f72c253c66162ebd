// Package serve drives one kernel call by call over a line protocol: `nest-mpi serve` reads calls
// on standard input and answers each on standard output before reading the next. It owns the
// protocol (framing, the encoding of values and errors, the broadcast of calls to every MPI rank);
// the calls themselves are those of the network file (package netfile, Session), so both front ends
// share one call table and one set of errors.
//
// # Calls
//
// A call is one line holding a JSON object with exactly one key, the call's name, whose value has
// the shape the network file gives it (spec-format.md): {"Create": {"model": "iaf_psc_alpha", "n":
// 2, "params": {"I_e": 376.0}}}. Empty lines are skipped; the end of input ends the server (exit
// status 0). Besides the network-file calls (SetKernelStatus, Create, CopyModel, SetDefaults,
// SetStatus, Connect, Simulate, ResetKernel, GetStatus, GetConnections), a session answers
// GetKernelStatus {"keys"}, GetDefaults {"model", "keys"}, Models {}, Prepare {}, Run (ms),
// Cleanup {}, SetConnections {"source", "target", "synapse_model", "params"} (each parameter a
// number for all connections or a list with one number per connection in GetConnections' order)
// and help {"model"}.
// Node references are lists of node ids (or the other network-file forms); Connect's pre and post
// may be {"ids": [...]} for NEST's array connection (ids may repeat, one_to_one).
//
// # Answers
//
// Every call gets exactly one line: {"ok": VALUE} or {"error": {"name": NAME, "message": TEXT}},
// NAME being NEST's error name (BadProperty, UnknownModelName, IllegalConnection, ...). An error is
// an answer, never the end of the server; the kernel stays usable. Values: Create answers
// {"first": id, "last": id}; GetStatus a list of dictionaries, one per node in the collection's
// order (recorders' events merged over all ranks); GetConnections {"keys": [...], "columns":
// [...], "n": count}, one column per key, rows sorted by source, target and synapse model;
// GetKernelStatus and GetDefaults a dictionary; Models a list; help the text; the other calls
// null.
//
// # Values
//
// Numbers, strings, booleans, lists and objects are JSON. Floats always carry a point or an
// exponent; NaN and infinities are written NaN, Infinity and -Infinity (as Python's json module
// reads them); in calls, the strings "inf" and "-inf" stand for infinities. Bulk data travels as
// typed arrays, in both directions: {"$array": "float64" or "int64", "data": BASE64} holds the
// little-endian 8-byte values (an answer writes every list of floats or integers this way, so
// events and connection columns of a million rows cost a few milliseconds).
//
// # MPI
//
// Under mpirun every rank runs a server: rank 0 reads each line and broadcasts it (comm.Bcast),
// every rank executes the call, results are merged in the kernel (GatherStatus,
// GatherConnections, GatherEvents), an error on some ranks only is agreed over all ranks
// (kernel.Agree) and answered, and rank 0 writes the answer.
package serve

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Options configure a server.
type Options struct {
	// Comm is the communicator (nil: a single-process comm.Local).
	Comm comm.Communicator
	// Log receives the kernel's notes, warnings and print_time progress (nil: discarded). It must
	// not be the answer stream.
	Log io.Writer
	// Help returns a model's documentation (the help call).
	Help func(model string) (string, error)
}

// Serve answers the calls read from in on out until in ends. Only rank 0 reads in and writes out.
func Serve(in io.Reader, out io.Writer, opts Options) error {
	if opts.Comm == nil {
		opts.Comm = comm.NewLocal()
	}
	s, err := netfile.NewSession(netfile.Options{Comm: opts.Comm, Log: opts.Log, Out: opts.Log}, opts.Help)
	if err != nil {
		return err
	}
	defer s.Close()
	c := opts.Comm
	br := bufio.NewReaderSize(in, 1<<20)
	bw := bufio.NewWriterSize(out, 1<<20)
	for {
		line, more, err := nextLine(c, br)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		ans := answer(s, line)
		if c.Rank() != 0 {
			continue
		}
		if _, err := bw.Write(ans); err != nil {
			return fmt.Errorf("serve: writing an answer: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("serve: writing an answer: %w", err)
		}
	}
}

// endOfInput is the length rank 0 broadcasts when its input has ended.
const endOfInput = math.MaxUint64

// nextLine returns the next non-empty line on every rank: rank 0 reads it and broadcasts it
// (collective). more is false at the end of input.
func nextLine(c comm.Communicator, br *bufio.Reader) (line []byte, more bool, err error) {
	for {
		n := uint64(endOfInput)
		if c.Rank() == 0 {
			line, err = br.ReadBytes('\n')
			if err != nil && err != io.EOF {
				return nil, false, fmt.Errorf("serve: reading a call: %w", err)
			}
			if err == io.EOF && len(strings.TrimSpace(string(line))) == 0 {
				line = nil
			} else {
				n = uint64(len(line))
			}
		}
		if c.Size() > 1 {
			var hdr [8]byte
			binary.LittleEndian.PutUint64(hdr[:], n)
			if err := c.Bcast(hdr[:], 0); err != nil {
				return nil, false, fmt.Errorf("serve: broadcasting a call: %w", err)
			}
			if n = binary.LittleEndian.Uint64(hdr[:]); n == endOfInput {
				return nil, false, nil
			}
			if c.Rank() != 0 {
				line = make([]byte, n)
			}
			if err := c.Bcast(line, 0); err != nil {
				return nil, false, fmt.Errorf("serve: broadcasting a call: %w", err)
			}
		} else if n == endOfInput {
			return nil, false, nil
		}
		if len(strings.TrimSpace(string(line))) > 0 {
			return line, true, nil
		}
	}
}

// answer runs one call line and returns the answer line.
func answer(s *netfile.Session, line []byte) []byte {
	name, value, err := netfile.ParseCall(line)
	if err != nil {
		// Every rank parsed the same bytes: the error is the same everywhere.
		return errorLine(err)
	}
	v, err := s.Call(name, value)
	if err != nil {
		return errorLine(err)
	}
	buf := append([]byte(`{"ok":`), appendJSON(nil, v)...)
	return append(buf, '}', '\n')
}

// errorLine formats an error answer.
func errorLine(err error) []byte {
	name := string(status.KindOf(err))
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if name == "" {
		name = "NESTError"
		if rest, ok := strings.CutPrefix(msg, string(status.InternalError)+": "); ok {
			name, msg = string(status.InternalError), rest
		}
	} else {
		// The kind is said once, by the name: drop it from the message (wrapped errors carry it
		// inside, after their context).
		msg = strings.Replace(strings.TrimPrefix(msg, name+": "), name+": ", "", 1)
	}
	buf := append([]byte(`{"error":{"name":`), appendString(nil, name)...)
	buf = append(buf, `,"message":`...)
	buf = append(buf, appendString(nil, msg)...)
	return append(buf, '}', '}', '\n')
}
