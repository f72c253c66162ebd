package kernel

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nest-mpi/nest-mpi/checkpoint"
	"github.com/nest-mpi/nest-mpi/connect"
)

// BenchmarkCheckpoint stores and restores a plastic network of 10,000 neurons and 2 million
// stdp_synapse_hom connections (2 threads) and reports the checkpoint's bytes per connection and
// per neuron, the write bandwidth against the disk's own sequential bandwidth measured in the same
// run (a file of the same size written and synced), and the read time with the page cache dropped
// (where allowed) and from the cache.
func BenchmarkCheckpoint(b *testing.B) {
	k, err := New(quietOptions())
	bmust(b, err)
	defer k.Close()
	bmust(b, k.SetKernelStatus(Params{"local_num_threads": 2}))
	bmust(b, k.CopyModel("stdp_synapse_hom", "e_syn", nil))
	n, err := k.Create("iaf_psc_delta", 10000, Params{"V_m": connect.Normal(-65, 5)})
	bmust(b, err)
	bmust(b, k.Connect(n, n, Params{"rule": "fixed_indegree", "indegree": 200}, Params{"synapse_model": "e_syn", "delay": connect.Uniform(1, 3)}))
	pg, err := k.Create("poisson_generator", 1, Params{"rate": 8000.0})
	bmust(b, err)
	bmust(b, k.Connect(pg, n, nil, Params{"weight": 1.0}))
	bmust(b, k.Simulate(20))
	dir := b.TempDir()
	var size int64
	var write, disk, read, cached time.Duration
	for i := 0; i < b.N; i++ {
		ck := filepath.Join(dir, "ck")
		t0 := time.Now()
		bmust(b, k.Store(ck))
		write += time.Since(t0)
		m, err := checkpoint.Open(ck)
		bmust(b, err)
		size = 0
		for _, s := range m.Shards {
			size += s.Size
		}
		disk += diskWrite(b, filepath.Join(dir, "raw"), size)
		dropCaches()
		t0 = time.Now()
		r, err := Restore(ck, RestoreOptions{Options: quietOptions()})
		bmust(b, err)
		read += time.Since(t0)
		r.Close()
		t0 = time.Now() // again, from the page cache
		r, err = Restore(ck, RestoreOptions{Options: quietOptions()})
		bmust(b, err)
		cached += time.Since(t0)
		r.Close()
	}
	nb := float64(b.N)
	b.ReportMetric(float64(size)/2e6, "bytes/conn")
	b.ReportMetric(float64(size)/1e4, "bytes/neuron(all)")
	b.ReportMetric(float64(size)/(write.Seconds()/nb)/1e6, "MB/s-store")
	b.ReportMetric(float64(size)/(disk.Seconds()/nb)/1e6, "MB/s-disk")
	b.ReportMetric(read.Seconds()/nb, "s-restore")
	b.ReportMetric(cached.Seconds()/nb, "s-restore-cached")
}

// diskWrite writes and syncs size bytes to name and returns how long it took.
func diskWrite(b *testing.B, name string, size int64) time.Duration {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t0 := time.Now()
	f, err := os.Create(name)
	bmust(b, err)
	for left := size; left > 0; left -= int64(len(buf)) {
		_, err := f.Write(buf[:min(int64(len(buf)), left)])
		bmust(b, err)
	}
	bmust(b, f.Sync())
	bmust(b, f.Close())
	d := time.Since(t0)
	os.Remove(name)
	return d
}

// dropCaches empties the page cache where allowed (root), so that restore reads from the disk.
func dropCaches() {
	_ = os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200)
}
