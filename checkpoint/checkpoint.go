// Package checkpoint owns the on-disk form of a full checkpoint of a simulation: a folder with one
// shard per MPI rank and a manifest. What goes into the shards is written and read by the kernel
// and the models that own each piece of state (as models/state encodings); this package only
// stores named byte sections safely and finds them again.
//
// # Format, version 1
//
// A checkpoint folder holds:
//
//   - manifest.json, the commit point: a checkpoint is complete exactly when its manifest exists
//     and parses. Fields:
//     format ("nest-mpi-checkpoint"), version (1), generation (a number shared by the files of
//     one checkpoint), fingerprint (a digest of the network's node and model set, set by the
//     kernel), num_vps, ranks and threads (the split that wrote it), time_ms and step (the
//     biological time), created (RFC 3339), shards (below) and extra (the caller's own
//     values, such as the position in a network file).
//   - shard-<generation>-<rank>.bin, one per rank: an 16-byte header (the magic "NMCKPT01" and the
//     rank as a little-endian uint64) followed by the rank's sections, back to back. The manifest
//     describes each shard: rank, file, size (bytes), crc32c (Castagnoli, of the whole file) and
//     sections, each with name, offset, size and crc32c.
//
// # Safety
//
// Every file is written under a temporary name, synced, and renamed into place; the folder is
// synced after each rename. Shards carry the generation in their name, so writing a new checkpoint
// into a folder never touches the files of the one before until the new manifest has replaced the
// old: a crash at any moment leaves the previous checkpoint complete and restorable. After the
// commit the shards of other generations are removed.
//
// Reading checks the manifest's format and version, each shard's size, and the checksum of every
// section it returns; any mismatch is an error naming the file, the section and the reason.
package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Format and Version identify the format written by this package.
const (
	Format  = "nest-mpi-checkpoint"
	Version = 1
	magic   = "NMCKPT01"
	// headerSize is the size of a shard's header.
	headerSize = 16
	// ManifestName is the manifest's file name.
	ManifestName = "manifest.json"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum is the CRC-32C of b.
func Checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// ErrInvalid is wrapped by every error about a checkpoint that cannot be restored.
var ErrInvalid = errors.New("invalid checkpoint")

// Section is a named piece of state.
type Section struct {
	Name string
	Data []byte
}

// SectionInfo describes a section inside its shard.
type SectionInfo struct {
	Name   string `json:"name"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
	CRC32C uint32 `json:"crc32c"`
}

// ShardInfo describes one rank's shard.
type ShardInfo struct {
	Rank     int           `json:"rank"`
	File     string        `json:"file"`
	Size     int64         `json:"size"`
	CRC32C   uint32        `json:"crc32c"`
	Sections []SectionInfo `json:"sections"`
}

// Manifest is the description of a complete checkpoint.
type Manifest struct {
	Format      string                     `json:"format"`
	Version     int                        `json:"version"`
	Generation  int64                      `json:"generation"`
	Fingerprint string                     `json:"fingerprint"`
	NumVPs      int                        `json:"num_vps"`
	Ranks       int                        `json:"ranks"`
	Threads     int                        `json:"threads"`
	TimeMs      float64                    `json:"time_ms"`
	Step        int64                      `json:"step"`
	Created     string                     `json:"created"`
	Shards      []ShardInfo                `json:"shards"`
	Extra       map[string]json.RawMessage `json:"extra,omitempty"`
}

// ShardName is the file name of rank's shard of generation gen.
func ShardName(gen int64, rank int) string { return fmt.Sprintf("shard-%d-%d.bin", gen, rank) }

// WriteShard writes the sections of one rank into dir (created if missing) as the shard of
// generation gen, atomically, and returns its description for the manifest.
func WriteShard(dir string, gen int64, rank int, sections []Section) (ShardInfo, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ShardInfo{}, fmt.Errorf("checkpoint: %w", err)
	}
	info := ShardInfo{Rank: rank, File: ShardName(gen, rank)}
	hdr := make([]byte, headerSize)
	copy(hdr, magic)
	binary.LittleEndian.PutUint64(hdr[8:], uint64(rank))
	off := int64(headerSize)
	crc := Checksum(hdr)
	for _, s := range sections {
		info.Sections = append(info.Sections, SectionInfo{Name: s.Name, Offset: off, Size: int64(len(s.Data)), CRC32C: Checksum(s.Data)})
		off += int64(len(s.Data))
		crc = crc32.Update(crc, castagnoli, s.Data)
	}
	info.Size, info.CRC32C = off, crc
	err := writeAtomic(filepath.Join(dir, info.File), func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		for _, s := range sections {
			if _, err := w.Write(s.Data); err != nil {
				return err
			}
		}
		return nil
	})
	return info, err
}

// Commit writes the manifest of a checkpoint whose shards are in dir, atomically. The shards of
// other generations are garbage then: RemoveOtherGenerations deletes them (the caller may do so
// in the background; a left-over shard is harmless and goes at the next commit).
func Commit(dir string, m *Manifest) error {
	m.Format, m.Version = Format, Version
	if m.Created == "" {
		m.Created = time.Now().UTC().Format(time.RFC3339)
	}
	sort.Slice(m.Shards, func(i, j int) bool { return m.Shards[i].Rank < m.Shards[j].Rank })
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("checkpoint: manifest: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, ManifestName), func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	}); err != nil {
		return err
	}
	return nil
}

// RemoveOtherGenerations deletes the shard files of generations other than gen.
func RemoveOtherGenerations(dir string, gen int64) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	prefix := "shard-" + strconv.FormatInt(gen, 10) + "-"
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, "shard-") && strings.HasSuffix(n, ".bin") && !strings.HasPrefix(n, prefix) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return fmt.Errorf("checkpoint: removing an old shard: %w", err)
			}
		}
	}
	return nil
}

// writeAtomic writes a file under a temporary name, syncs it, renames it to name and syncs the
// folder.
func writeAtomic(name string, fill func(io.Writer) error) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("checkpoint: writing %s: %w", name, err)
	}
	return syncDir(filepath.Dir(name))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("checkpoint: syncing %s: %w", dir, err)
	}
	return nil
}

// Open reads and checks the manifest of the checkpoint in dir.
func Open(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestName)
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s: no manifest (not a checkpoint, or one whose writing did not complete)", ErrInvalid, name)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
	}
	switch {
	case m.Format != Format:
		return nil, fmt.Errorf("%w: %s: format %q is not a nest-mpi checkpoint", ErrInvalid, name, m.Format)
	case m.Version > Version:
		return nil, fmt.Errorf("%w: %s: format version %d is newer than this program's (%d)", ErrInvalid, name, m.Version, Version)
	case m.Version < 1:
		return nil, fmt.Errorf("%w: %s: format version %d is not valid", ErrInvalid, name, m.Version)
	case len(m.Shards) != m.Ranks || m.Ranks < 1:
		return nil, fmt.Errorf("%w: %s: %d shards for %d ranks", ErrInvalid, name, len(m.Shards), m.Ranks)
	}
	for i, s := range m.Shards {
		if s.Rank != i {
			return nil, fmt.Errorf("%w: %s: shard %d is listed as rank %d", ErrInvalid, name, i, s.Rank)
		}
	}
	return &m, nil
}

// Reader reads sections of a checkpoint.
type Reader struct {
	Dir      string
	Manifest *Manifest
	checked  map[int]bool // shards whose size was checked
}

// NewReader opens the checkpoint in dir.
func NewReader(dir string) (*Reader, error) {
	m, err := Open(dir)
	if err != nil {
		return nil, err
	}
	return &Reader{Dir: dir, Manifest: m, checked: map[int]bool{}}, nil
}

// Has reports whether a section of that name exists.
func (r *Reader) Has(name string) bool {
	_, _, ok := r.find(name)
	return ok
}

func (r *Reader) find(name string) (ShardInfo, SectionInfo, bool) {
	for _, sh := range r.Manifest.Shards {
		for _, s := range sh.Sections {
			if s.Name == name {
				return sh, s, true
			}
		}
	}
	return ShardInfo{}, SectionInfo{}, false
}

// Section reads one section and checks its checksum.
func (r *Reader) Section(name string) ([]byte, error) {
	sh, s, ok := r.find(name)
	if !ok {
		return nil, fmt.Errorf("%w: %s: no section %q", ErrInvalid, r.Dir, name)
	}
	file := filepath.Join(r.Dir, sh.File)
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %s (section %s): %v", ErrInvalid, file, name, err)
	}
	defer f.Close()
	if !r.checked[sh.Rank] {
		if err := checkShardFile(f, file, sh); err != nil {
			return nil, err
		}
		r.checked[sh.Rank] = true
	}
	if s.Offset < headerSize || s.Size < 0 || s.Offset+s.Size > sh.Size {
		return nil, fmt.Errorf("%w: %s: section %s lies outside the shard", ErrInvalid, file, name)
	}
	buf := make([]byte, s.Size)
	if _, err := f.ReadAt(buf, s.Offset); err != nil {
		return nil, fmt.Errorf("%w: %s (section %s): %v", ErrInvalid, file, name, err)
	}
	if got := Checksum(buf); got != s.CRC32C {
		return nil, fmt.Errorf("%w: %s: section %s is corrupted (checksum %08x, expected %08x)", ErrInvalid, file, name, got, s.CRC32C)
	}
	return buf, nil
}

// checkShardFile checks a shard's size and header.
func checkShardFile(f *os.File, file string, sh ShardInfo) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, file, err)
	}
	if st.Size() != sh.Size {
		return fmt.Errorf("%w: %s: %d bytes, the manifest says %d (truncated or replaced)", ErrInvalid, file, st.Size(), sh.Size)
	}
	hdr := make([]byte, headerSize)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, file, err)
	}
	if string(hdr[:8]) != magic || binary.LittleEndian.Uint64(hdr[8:]) != uint64(sh.Rank) {
		return fmt.Errorf("%w: %s: not the shard of rank %d (bad header)", ErrInvalid, file, sh.Rank)
	}
	return nil
}

// Verify checks every shard of the checkpoint completely (sizes, headers, whole-file checksums).
func (r *Reader) Verify() error {
	for _, sh := range r.Manifest.Shards {
		file := filepath.Join(r.Dir, sh.File)
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, file, err)
		}
		if int64(len(data)) != sh.Size {
			return fmt.Errorf("%w: %s: %d bytes, the manifest says %d (truncated or replaced)", ErrInvalid, file, len(data), sh.Size)
		}
		if got := Checksum(data); got != sh.CRC32C {
			return fmt.Errorf("%w: %s: corrupted (checksum %08x, expected %08x)", ErrInvalid, file, got, sh.CRC32C)
		}
	}
	return nil
}
