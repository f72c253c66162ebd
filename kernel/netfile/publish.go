package netfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// DirSink writes the outputs into a hidden staging folder and publishes them at Commit, so that
// readers never see old and new files mixed without run.json saying so:
//
//   - the staging folder sits next to the output folder when its parent is writable; Commit then
//     swaps the folders by rename when the output folder is new, empty or holds only the files of
//     an earlier run (those its run.json lists);
//   - otherwise (--out is a mount point, holds other files, or a rename fails) the staging folder
//     sits inside the output folder, and Commit moves file by file: the old run.json first goes
//     away, then every new file arrives by rename, the old run's files that this run does not
//     write are removed, and run.json comes last. If a move fails, run.json is still written, with
//     "complete": false and the reason.
//
// Abort removes everything this sink wrote or created.
type DirSink struct {
	names
	dir     string // the final output folder
	tmp     string // the staging folder
	inside  bool   // tmp is inside dir
	made    bool   // Prepare created dir
	created string // the topmost folder Prepare created ("" if none)
}

// NewDirSink prepares an output folder. dir may exist (it must then be a folder) or not. Nothing is
// created on disk before Prepare (or the first Create).
func NewDirSink(dir string) (*DirSink, error) {
	dir = filepath.Clean(dir)
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, status.Errorf(status.IOError, "output folder %s exists and is not a folder", dir)
	}
	return &DirSink{dir: dir}, nil
}

// Dir returns the final output folder.
func (s *DirSink) Dir() string { return s.dir }

// Made reports whether Prepare created the output folder.
func (s *DirSink) Made() bool { return s.made }

// Staging returns the staging folder (after Prepare): outputs written there by others (the
// ascii backend's .dat files) are published with the rest.
func (s *DirSink) Staging() string { return s.tmp }

// Prepare creates the output folder (with missing parents) and the staging folder and checks that
// they are writable. The command calls it before anything is built.
func (s *DirSink) Prepare() error {
	if s.tmp != "" {
		return nil
	}
	if err := s.makeDir(); err != nil {
		return err
	}
	if err := writable(s.dir); err != nil {
		s.removeCreated()
		return status.Errorf(status.IOError, "output folder %s is not writable: %v", s.dir, err)
	}
	parent := filepath.Dir(s.dir)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(s.dir)+".tmp-")
	if err != nil || sameFile(parent, s.dir) {
		if tmp != "" {
			os.Remove(tmp)
		}
		s.inside = true
		if tmp, err = os.MkdirTemp(s.dir, ".nest-mpi-tmp-"); err != nil {
			s.removeCreated()
			return status.Errorf(status.IOError, "cannot create a staging folder in %s: %v", s.dir, err)
		}
	}
	s.tmp = tmp
	return nil
}

// makeDir creates the output folder and remembers the topmost folder it created.
func (s *DirSink) makeDir() error {
	if _, err := os.Stat(s.dir); err == nil {
		return nil
	}
	top := s.dir
	for {
		up := filepath.Dir(top)
		if _, err := os.Stat(up); err == nil || up == top {
			break
		}
		top = up
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return status.Errorf(status.IOError, "cannot create the output folder %s: %v", s.dir, err)
	}
	s.made, s.created = true, top
	return nil
}

// writable creates and removes a file in dir.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".nest-mpi-check-")
	if err != nil {
		return err
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// Create implements Sink.
func (s *DirSink) Create(name string) (io.WriteCloser, error) {
	if err := s.claim(name); err != nil {
		return nil, err
	}
	if err := s.Prepare(); err != nil {
		return nil, err
	}
	p := filepath.Join(s.tmp, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, status.Errorf(status.IOError, "cannot create output folder for %s: %v", name, err)
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, status.Errorf(status.IOError, "cannot create output file %s: %v", name, err)
	}
	return f, nil
}

// Files lists every file in the staging folder (the claimed outputs and those others wrote
// there), slash-separated and sorted.
func (s *DirSink) Files() []string {
	if s.tmp == "" {
		return s.Names()
	}
	var out []string
	filepath.WalkDir(s.tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if rel, rerr := filepath.Rel(s.tmp, p); rerr == nil {
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// Commit publishes the outputs into the output folder.
func (s *DirSink) Commit() error {
	if err := s.Prepare(); err != nil { // nothing written: an empty output folder
		return err
	}
	if !s.inside && s.swappable() {
		if err := s.swap(); err == nil {
			return nil
		}
	}
	return s.moveEach()
}

// swappable reports whether the output folder holds nothing but an earlier run's outputs.
func (s *DirSink) swappable() bool {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return false
	}
	if len(entries) == 0 {
		return true
	}
	old := previousFiles(s.dir)
	if old == nil {
		return false
	}
	tops := map[string]bool{"run.json": true}
	for _, f := range old {
		tops[strings.SplitN(f, "/", 2)[0]] = true
	}
	for _, e := range entries {
		if !tops[e.Name()] {
			return false
		}
	}
	return true
}

// swap replaces the output folder by the staging folder (two renames), then removes the old one.
func (s *DirSink) swap() error {
	parent := filepath.Dir(s.dir)
	old, err := os.MkdirTemp(parent, "."+filepath.Base(s.dir)+".old-")
	if err != nil {
		return err
	}
	if err := os.Rename(s.dir, old); err != nil {
		os.Remove(old)
		return err
	}
	if err := os.Chmod(s.tmp, 0o755); err != nil || os.Rename(s.tmp, s.dir) != nil {
		if rerr := os.Rename(old, s.dir); rerr != nil {
			return status.Errorf(status.IOError, "cannot put the old output folder back from %s: %v", old, rerr)
		}
		return errors.New("swap failed")
	}
	os.RemoveAll(old)
	return nil
}

// moveEach publishes file by file, run.json last; a failure leaves a run.json marked incomplete.
func (s *DirSink) moveEach() error {
	files := s.Files()
	stale := previousFiles(s.dir)
	runJSON := filepath.Join(s.dir, "run.json")
	if err := os.Remove(runJSON); err != nil && !errors.Is(err, os.ErrNotExist) {
		return status.Errorf(status.IOError, "cannot replace %s: %v", runJSON, err)
	}
	fresh := map[string]bool{}
	for _, name := range files {
		fresh[name] = true
		if name == "run.json" {
			continue
		}
		if err := s.moveOne(name); err != nil {
			return s.markIncomplete(err)
		}
	}
	for _, name := range stale {
		if !fresh[name] && validOutputName(name) {
			os.Remove(filepath.Join(s.dir, filepath.FromSlash(name)))
		}
	}
	if fresh["run.json"] {
		if err := s.moveOne("run.json"); err != nil {
			return s.markIncomplete(err)
		}
	}
	return os.RemoveAll(s.tmp)
}

func (s *DirSink) moveOne(name string) error {
	dst := filepath.Join(s.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return status.Errorf(status.IOError, "cannot create output folder for %s: %v", name, err)
	}
	if err := os.Rename(filepath.Join(s.tmp, filepath.FromSlash(name)), dst); err != nil {
		return status.Errorf(status.IOError, "cannot move %s into %s: %v", name, s.dir, err)
	}
	return nil
}

// markIncomplete writes the staged run.json into the output folder with "complete": false and
// the reason, and returns err.
func (s *DirSink) markIncomplete(err error) error {
	data, rerr := os.ReadFile(filepath.Join(s.tmp, "run.json"))
	if rerr != nil {
		return err
	}
	out, merr := markIncompleteJSON(data, "publishing the outputs failed: "+err.Error())
	if merr != nil {
		return err
	}
	dst := filepath.Join(s.dir, "run.json")
	if werr := os.WriteFile(dst+".tmp", out, 0o644); werr == nil {
		os.Rename(dst+".tmp", dst)
	}
	return err
}

// markIncompleteJSON sets complete to false and incomplete_reason in a run.json.
func markIncompleteJSON(data []byte, reason string) ([]byte, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	m["complete"] = false
	if prev, ok := m["incomplete_reason"].(string); ok && prev != "" {
		reason = prev + "; " + reason
	}
	m["incomplete_reason"] = reason
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// previousFiles returns the files an earlier run's run.json in dir lists (nil if there is none).
func previousFiles(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		return nil
	}
	var rj struct {
		Files []string `json:"files"`
	}
	if json.Unmarshal(data, &rj) != nil || rj.Files == nil {
		return nil
	}
	return rj.Files
}

// Abort removes the staging folder and the folders Prepare created, if they hold nothing else.
func (s *DirSink) Abort() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
		s.tmp = ""
	}
	s.removeCreated()
}

func (s *DirSink) removeCreated() {
	if !s.made {
		return
	}
	for d := s.dir; ; d = filepath.Dir(d) {
		if os.Remove(d) != nil || d == s.created || d == filepath.Dir(d) {
			return
		}
	}
}
