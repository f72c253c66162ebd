package kernel

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nest-mpi/nest-mpi/checkpoint"
)

// TestCheckpointSurvivesKill kills a process (kill -9) while it writes checkpoints into one folder
// over and over, at several moments; every time the folder still holds a complete checkpoint that
// restores.
func TestCheckpointSurvivesKill(t *testing.T) {
	if dir := os.Getenv("NESTMPI_CK_CHILD"); dir != "" {
		storeForever(t, dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "ck")
	for i, delay := range []time.Duration{0, 3, 11, 29, 57} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointSurvivesKill$")
		cmd.Env = append(os.Environ(), "NESTMPI_CK_CHILD="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForManifest(t, dir, i)
		time.Sleep(delay * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		r, err := Restore(dir, RestoreOptions{Options: quietOptions()})
		if err != nil {
			t.Fatalf("kill %d after %v: the folder does not restore: %v", i, delay, err)
		}
		must(t, r.Simulate(1))
		r.Close()
	}
}

// storeForever (the child) writes a checkpoint of a growing simulation into dir until killed.
func storeForever(t *testing.T, dir string) {
	k := quietKernel(t, Params{"local_num_threads": 2})
	ckNetwork(t, k)
	for {
		must(t, k.Simulate(2))
		must(t, k.Store(dir))
	}
}

// waitForManifest waits until the child has committed a checkpoint (the first time) or a new one.
func waitForManifest(t *testing.T, dir string, round int) {
	name := filepath.Join(dir, checkpoint.ManifestName)
	old, _ := os.Stat(name)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := os.Stat(name); err == nil && (old == nil || round == 0 || st.ModTime() != old.ModTime()) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no checkpoint written in %s after 30 s", dir)
}
