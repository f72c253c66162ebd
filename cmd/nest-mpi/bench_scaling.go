package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nest-mpi/nest-mpi/comm"
)

// scalingConfig is one configuration of a scaling run: ranks × threads per rank.
type scalingConfig struct{ Ranks, Threads int }

func (c scalingConfig) String() string { return fmt.Sprintf("%dx%d", c.Ranks, c.Threads) }

// VPs is the number of virtual processes.
func (c scalingConfig) VPs() int { return c.Ranks * c.Threads }

// parseConfigs reads "1x1,1x2,2x1" (ranks x threads).
func parseConfigs(s string) ([]scalingConfig, error) {
	var out []scalingConfig
	for _, part := range strings.Split(s, ",") {
		r, t, ok := strings.Cut(strings.TrimSpace(part), "x")
		nr, err1 := strconv.Atoi(r)
		nt, err2 := strconv.Atoi(t)
		if !ok || err1 != nil || err2 != nil || nr < 1 || nt < 1 || nr > 4096 || nt > 1024 {
			return nil, fmt.Errorf("bench scaling: --configs: %q is not RANKSxTHREADS (as 2x1)", part)
		}
		out = append(out, scalingConfig{nr, nt})
	}
	return out, nil
}

// scalingFlags are the flags of nest-mpi bench scaling.
type scalingFlags struct {
	benchFlags
	configs []scalingConfig
	weak    bool
	mpirun  string
	mpiBin  string
}

func parseScalingFlags(args []string) (string, scalingFlags, error) {
	var f scalingFlags
	fs := pflag.NewFlagSet("bench scaling", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	configs := fs.String("configs", "1x1,1x2,2x1", "configurations RANKSxTHREADS, comma-separated")
	fs.BoolVar(&f.weak, "weak", false, "weak scaling: the network grows with the number of virtual processes")
	fs.StringVar(&f.mpirun, "mpirun", "mpirun", "the MPI launcher for configurations with more than one rank")
	fs.StringVar(&f.mpiBin, "mpi-binary", "", "the MPI build of nest-mpi (default $NESTMPI_MPI_BIN, else nest-mpi-mpi next to this binary)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return "", f, &usageError{benchUsage}
		}
		return "", f, &usageError{"bench scaling: " + err.Error()}
	}
	if fs.NArg() != 1 {
		return "", f, &usageError{fmt.Sprintf("bench scaling takes one network name, got %d arguments", fs.NArg())}
	}
	if err := f.check(); err != nil {
		return "", f, err
	}
	var err error
	if f.configs, err = parseConfigs(*configs); err != nil {
		return "", f, &usageError{err.Error()}
	}
	name := fs.Arg(0)
	if f.out == "" {
		f.out = filepath.Join("out", "bench", "scaling-"+name)
	}
	return name, f, nil
}

func cmdBenchScaling(c comm.Communicator, args []string, stdout, stderr io.Writer) error {
	name, f, err := parseScalingFlags(args)
	if err != nil {
		return err
	}
	if c.Size() > 1 {
		return &usageError{"bench scaling starts its own runs; run it as one process, not under mpirun"}
	}
	var rows []map[string]string
	for _, cfg := range f.configs {
		row, err := runScalingConfig(name, f, cfg, stderr)
		if err != nil {
			return err
		}
		rows = append(rows, row)
		fmt.Fprintf(stdout, "%s %s: build %s s, simulate %s s, rtf %s\n", name, cfg, row["build_s"], row["simulate_s"], row["rtf"])
	}
	tab := newScalingTable(name, f, rows)
	if err := tab.write(f.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (scaling.csv, scaling.md, rtf_phases.png, speedup.png)\n", f.out)
	return nil
}

// runScalingConfig runs one configuration as its own process (under the MPI launcher for more
// than one rank) and returns its bench.csv row.
func runScalingConfig(name string, f scalingFlags, cfg scalingConfig, stderr io.Writer) (map[string]string, error) {
	scale := f.scale
	if f.weak {
		scale *= float64(cfg.VPs()) / float64(f.configs[0].VPs())
	}
	dir := filepath.Join(f.out, cfg.String())
	args := []string{"bench", name, "--threads", strconv.Itoa(cfg.Threads), "--scale", strconv.FormatFloat(scale, 'g', -1, 64),
		"--k-scaling", strconv.FormatFloat(f.kScale, 'g', -1, 64), "--seed", strconv.FormatInt(f.seed, 10), "--out", dir, "-q"}
	if f.plastic {
		args = append(args, "--plastic")
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench scaling: %w", err)
	}
	cmd := exec.Command(self, args...)
	if cfg.Ranks > 1 {
		bin := f.mpiBin
		if bin == "" {
			bin = os.Getenv("NESTMPI_MPI_BIN")
		}
		if bin == "" {
			bin = filepath.Join(filepath.Dir(self), "nest-mpi-mpi")
		}
		cmd = exec.Command(f.mpirun, append([]string{"-np", strconv.Itoa(cfg.Ranks), bin}, args...)...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench scaling: configuration %s (%s): %w: %s", cfg, strings.Join(cmd.Args, " "), err, oneLine(out.String()))
	}
	return readBenchRow(filepath.Join(dir, "bench.csv"))
}

// readBenchRow reads the one row of a bench.csv as column → value.
func readBenchRow(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench scaling: %w", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != 2 || len(recs[0]) != len(recs[1]) {
		return nil, fmt.Errorf("bench scaling: %s: not one row of bench columns (%v)", path, err)
	}
	row := map[string]string{}
	for i, k := range recs[0] {
		row[k] = recs[1][i]
	}
	return row, nil
}
