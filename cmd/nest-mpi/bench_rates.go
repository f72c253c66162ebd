package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/bench"
)

// popRate is a population's mean rate over the simulated interval after the presimulation.
type popRate struct {
	Name            string
	Rate, Published float64
}

// microcircuitRates reads the spike tables spikes_<pop>.csv of a microcircuit run and returns each
// population's rate over (PresimMs, PresimMs + SimMs]: spikes / (neurons · SimMs/1000).
func microcircuitRates(m bench.Microcircuit, dir string) ([]popRate, error) {
	sizes := m.PopulationSizes()
	var out []popRate
	for i, p := range bench.MicrocircuitPopulations() {
		n, err := countSpikesAfter(filepath.Join(dir, "spikes_"+p+".csv"), m.PresimMs)
		if err != nil {
			return nil, err
		}
		out = append(out, popRate{Name: p, Rate: float64(n) / float64(sizes[i]) / (m.SimMs / 1000), Published: bench.MicrocircuitRates[i]})
	}
	return out, nil
}

// countSpikesAfter counts the rows of a spike table (sender,time_ms) with time_ms > t.
func countSpikesAfter(path string, t float64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var n int64
	for sc.Scan() {
		_, ts, ok := strings.Cut(sc.Text(), ",")
		if !ok {
			continue
		}
		if x, err := strconv.ParseFloat(ts, 64); err == nil && x > t {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("bench: reading %s: %w", path, err)
	}
	return n, nil
}
