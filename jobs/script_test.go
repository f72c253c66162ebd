package jobs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func baseSpec() Spec {
	return Spec{Binary: "/opt/nest/bin/nest-mpi-mpi", NetFile: "/home/u/net.json", Out: "/scratch/u/out/net",
		LogDir: "/scratch/u/out", Nodes: 2, TasksPerNode: 4, Threads: 8, JobName: "net", Time: "02:00:00",
		MemPerNodeMB: 8192, Launcher: Srun}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Spec)
		want   string
	}{
		{"no nodes", func(s *Spec) { s.Nodes = 0 }, "--nodes must be at least 1"},
		{"no tasks", func(s *Spec) { s.TasksPerNode = -1 }, "--tasks-per-node must be at least 1"},
		{"no threads", func(s *Spec) { s.Threads = 0 }, "--threads must be at least 1"},
		{"many threads", func(s *Spec) { s.Threads = 2000 }, "at most 1024"},
		{"relative binary", func(s *Spec) { s.Binary = "bin/nest-mpi-mpi" }, "binary must be an absolute path"},
		{"relative file", func(s *Spec) { s.NetFile = "net.json" }, "network file must be an absolute path"},
		{"relative out", func(s *Spec) { s.Out = "out" }, "output folder must be an absolute path"},
		{"line break", func(s *Spec) { s.Out = "/a\nb" }, "line break"},
		{"blank log dir", func(s *Spec) { s.LogDir = "/a b" }, "#SBATCH --output"},
		{"time letters", func(s *Spec) { s.Time = "2h" }, "want HH:MM:SS"},
		{"time minutes", func(s *Spec) { s.Time = "01:60:00" }, "below 60"},
		{"time short", func(s *Spec) { s.Time = "1:00" }, "want HH:MM:SS"},
		{"time zero", func(s *Spec) { s.Time = "00:00:00" }, "longer than zero"},
		{"mem unit", func(s *Spec) { s.Mem = "4GB" }, "want auto or a size"},
		{"mem zero", func(s *Spec) { s.Mem = "0G" }, "larger than zero"},
		{"mem negative", func(s *Spec) { s.MemPerNodeMB = -1 }, "must not be negative"},
		{"launcher", func(s *Spec) { s.Launcher = "aprun" }, `unknown launcher "aprun" (srun, mpirun)`},
		{"srun without slurm", func(s *Spec) { s.NoSlurm = true }, "--launcher srun needs Slurm"},
		{"partition", func(s *Spec) { s.Partition = "a b" }, "--partition"},
		{"job name", func(s *Spec) { s.JobName = "x;rm" }, "--job-name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSpec()
			tc.change(&s)
			_, err := Script(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, tm := range []string{"00:00:01", "48:00:00", "123:59:59"} {
		if err := CheckTime(tm); err != nil {
			t.Errorf("%s: %v", tm, err)
		}
	}
	for _, m := range []string{"4G", "500M", "1T", "2048", "64K"} {
		if err := CheckMem(m); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}

// TestScriptLines: each kind of script has its key lines, and lacks those of the others.
func TestScriptLines(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*Spec)
		want, not []string
	}{
		{"srun", func(s *Spec) {}, []string{
			"#!/bin/bash\n",
			"#SBATCH --job-name=net\n", "#SBATCH --nodes=2\n", "#SBATCH --ntasks-per-node=4\n",
			"#SBATCH --cpus-per-task=8\n", "#SBATCH --hint=nomultithread\n", "#SBATCH --mem=8192M\n",
			"#SBATCH --time=02:00:00\n", "#SBATCH --output=/scratch/u/out/%x-%j.out\n",
			"#SBATCH --error=/scratch/u/out/%x-%j.err\n", "#SBATCH --signal=USR1@120\n",
			"export GOMAXPROCS=8\n",
			"srun --mpi=pmix --nodes=2 --ntasks-per-node=4 --cpus-per-task=8 --cpu-bind=cores \\\n" +
				"  /opt/nest/bin/nest-mpi-mpi run /home/u/net.json --threads 8 --out /scratch/u/out/net || status=$?\n",
			"exit \"$status\"\n"},
			[]string{"mpirun", "trap", "--partition", "--account", "--requeue", "--checkpoint-dir", "resume"}},
		{"mpirun in slurm", func(s *Spec) { s.Launcher = Mpirun; s.Partition = "batch"; s.Account = "proj1" }, []string{
			"#SBATCH --partition=batch\n", "#SBATCH --account=proj1\n", "#SBATCH --signal=B:USR1@120\n",
			"mpirun -np 8 --map-by ppr:4:node:PE=8 --bind-to core -x GOMAXPROCS \\\n" +
				"  /opt/nest/bin/nest-mpi-mpi run /home/u/net.json --threads 8 --out /scratch/u/out/net &\n",
			"trap 'kill -s USR1 \"$launcher\" 2>/dev/null' USR1\n", "trap 'kill -s TERM \"$launcher\" 2>/dev/null' TERM\n"},
			[]string{"srun", "--signal=USR1", "HOSTFILE"}},
		{"plain mpirun", func(s *Spec) { s.Launcher = Mpirun; s.NoSlurm = true }, []string{
			"HOSTFILE=/path/to/hosts bash", `hosts=(--hostfile "$HOSTFILE")`,
			"set HOSTFILE to a hostfile of the 2 nodes",
			`mpirun -np 8 "${hosts[@]}" --map-by ppr:4:node:PE=8 --bind-to core -x GOMAXPROCS`,
			"trap 'kill -s USR1"},
			[]string{"#SBATCH", "srun", "scontrol"}},
		{"plain mpirun one node", func(s *Spec) { s.Launcher = Mpirun; s.NoSlurm = true; s.Nodes = 1 }, []string{
			`mpirun -np 4 "${hosts[@]}" --map-by ppr:4:node:PE=8`},
			[]string{"set HOSTFILE to"}},
		{"explicit memory", func(s *Spec) { s.Mem = "4G" }, []string{"#SBATCH --mem=4G\n"}, []string{"8192M"}},
		{"no memory, time, logs", func(s *Spec) { s.MemPerNodeMB, s.Time, s.LogDir, s.Out = 0, "", "", "" }, []string{
			"#SBATCH --output=%x-%j.out\n", "#SBATCH --error=%x-%j.err\n", "--threads 8 || status"},
			[]string{"--mem", "--time", "--out "}},
		{"quoted paths", func(s *Spec) { s.NetFile = "/home/u/my net's.json" }, []string{
			`run '/home/u/my net'\''s.json' --threads 8`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSpec()
			tc.change(&s)
			text, err := Script(s)
			if err != nil {
				t.Fatal(err)
			}
			checkText(t, text, tc.want, tc.not)
			checkSyntax(t, text)
		})
	}
}

// TestScriptCheckpoint: --checkpoint-dir, --resume and --requeue appear only with a checkpoint
// folder, in the form each kind of script needs.
func TestScriptCheckpoint(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*Spec)
		want, not []string
	}{
		{"srun", func(s *Spec) {}, []string{
			"#SBATCH --requeue\n", "#SBATCH --open-mode=append\n",
			`if [ "${SLURM_RESTART_COUNT:-0}" -gt 0 ]; then resume=(--resume); fi`,
			`--out /scratch/u/out/net --checkpoint-dir /scratch/u/ckpt "${resume[@]}" || status=$?`,
			`if [ "$status" -eq 4 ]; then scontrol requeue "$SLURM_JOB_ID" && status=0; fi`}, nil},
		{"mpirun", func(s *Spec) { s.Launcher = Mpirun }, []string{
			"#SBATCH --requeue\n", `--checkpoint-dir /scratch/u/ckpt "${resume[@]}" &`, "scontrol requeue"}, nil},
		{"plain", func(s *Spec) { s.Launcher = Mpirun; s.NoSlurm = true }, []string{
			`if [ -n "${RESUME:-}" ]; then resume=(--resume); fi`, `--checkpoint-dir /scratch/u/ckpt "${resume[@]}" &`},
			[]string{"requeue", "SLURM"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSpec()
			s.CheckpointDir = "/scratch/u/ckpt"
			tc.change(&s)
			text, err := Script(s)
			if err != nil {
				t.Fatal(err)
			}
			checkText(t, text, tc.want, tc.not)
			checkSyntax(t, text)
		})
	}
}

func checkText(t *testing.T, text string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("script lacks %q:\n%s", w, text)
		}
	}
	for _, n := range not {
		if strings.Contains(text, n) {
			t.Errorf("script has %q:\n%s", n, text)
		}
	}
}

// checkSyntax runs bash -n on the script.
func checkSyntax(t *testing.T, text string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		return
	}
	path := filepath.Join(t.TempDir(), "job.sh")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s\n%s", err, out, text)
	}
}

func TestScriptDeterministic(t *testing.T) {
	a, _ := Script(baseSpec())
	b, _ := Script(baseSpec())
	if a != b || a == "" {
		t.Error("two scripts of the same spec differ")
	}
}

// TestForwardSignal runs the mpirun script's tail with a stand-in for mpirun: a USR1 sent to the
// shell reaches the launcher, and the script exits with the launcher's own status.
func TestForwardSignal(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	script := "(trap 'exit 7' USR1; for i in $(seq 100); do sleep 0.1; done; exit 3) &\n" + forward +
		"exit \"$status\"\n"
	path := filepath.Join(t.TempDir(), "fwd.sh")
	os.WriteFile(path, []byte(script), 0o644)
	cmd := exec.Command(bash, path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 0; i < 20; i++ { // until the trap is set
			exec.Command("sleep", "0.2").Run()
			cmd.Process.Signal(syscall.SIGUSR1)
		}
	}()
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 7 {
		t.Errorf("exit status %d (%v), want 7 (the launcher's status after the forwarded USR1)", code, err)
	}
}
