package safety

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
)

// BackupFormat is the version of the backup file layout Write produces.
const BackupFormat = 1

// Backup is one operation's backup: the full records of every model a
// confirmed call is about to delete or change, taken before it runs.
type Backup struct {
	Format    int          `json:"format"`
	ID        string       `json:"id"` // also the file name, plus ".json"
	Time      time.Time    `json:"time"`
	Tool      string       `json:"tool"`
	Caller    string       `json:"caller"`    // caller ID (not a secret)
	Upstream  string       `json:"upstream"`  // Open WebUI base URL
	Operation string       `json:"operation"` // one-line human summary
	Models    []owui.Model `json:"models"`    // full records before the change
	Deleted   []string     `json:"deleted,omitempty"`
	Changed   []string     `json:"changed,omitempty"`
	Replica   string       `json:"replica,omitempty"` // the process that wrote it (--replica-id)
}

// BackupInfo describes a backup file without its records.
type BackupInfo struct {
	ID        string
	Tool      string
	Caller    string
	Operation string
	Time      time.Time
	Models    int
	Path      string
	Size      int64
}

// Backups stores backups as one JSON file per operation in a directory.
//
// Several processes may share one directory: a generated ID that another
// process already took is never overwritten (publish links exclusively and
// Write picks another), and List reads every file, whoever wrote it.
type Backups struct {
	dir     string
	replica string
}

// SetReplica records id as the writer of every later backup (before use).
func (b *Backups) SetReplica(id string) { b.replica = id }

// NewBackups returns a store in dir. The directory is created (0700) on the
// first Write, so a server that never mutates never touches the disk.
func NewBackups(dir string) *Backups { return &Backups{dir: dir} }

// DefaultBackupDir is $XDG_STATE_HOME/owui-mcp/backups, else
// ~/.local/state/owui-mcp/backups, else a directory under os.TempDir().
func DefaultBackupDir() string {
	// The XDG spec says relative values are invalid and must be ignored.
	if s := os.Getenv("XDG_STATE_HOME"); s != "" && filepath.IsAbs(s) {
		return filepath.Join(s, "owui-mcp", "backups")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "owui-mcp", "backups")
	}
	return filepath.Join(os.TempDir(), "owui-mcp-backups")
}

// Dir is the directory backups are written to.
func (b *Backups) Dir() string { return b.dir }

const idTimeLayout = "20060102T150405Z"

// idShape is the only shape of backup ID Read and List accept: time, tool
// (reduced to [A-Za-z0-9_]), random hex. It admits no separator and no dot,
// so an ID can never name a path outside the directory.
var idShape = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9_]{1,64}-[0-9a-f]{6}$`)

// ValidBackupID reports whether id has the shape of a backup ID.
func ValidBackupID(id string) bool { return idShape.MatchString(id) }

func checkID(id string) error {
	switch {
	case id == "":
		return errors.New("backup id is empty: pass an id as list_backups shows it")
	case strings.ContainsAny(id, `/\`) || strings.ContainsRune(id, os.PathSeparator):
		return fmt.Errorf("backup id %q contains a path separator: pass an id as list_backups shows it, not a path", id)
	case strings.Contains(id, ".."):
		return fmt.Errorf("backup id %q contains \"..\": pass an id as list_backups shows it, not a path", id)
	case !ValidBackupID(id):
		return fmt.Errorf("backup id %q is not a backup id (like 20261126T153012Z-delete_model-3f9a1c): pass an id as list_backups shows it", id)
	}
	return nil
}

// newID builds an ID from the backup's time and tool and 3 random bytes.
func newID(t time.Time, tool string) string {
	var r [3]byte
	_, _ = rand.Read(r[:])
	return t.UTC().Format(idTimeLayout) + "-" + idTool(tool) + "-" + hex.EncodeToString(r[:])
}

// idTool reduces a tool name to the characters an ID allows.
func idTool(tool string) string {
	var sb strings.Builder
	for _, c := range tool {
		if sb.Len() == 64 {
			break
		}
		if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			sb.WriteRune(c)
		} else {
			sb.WriteByte('_')
		}
	}
	if sb.Len() == 0 {
		return "op"
	}
	return sb.String()
}

func (b *Backups) path(id string) string { return filepath.Join(b.dir, id+".json") }

// Write stores bk and returns where. Empty Format, Time and ID are filled in
// (ID from time, tool and random). The file is written to a temporary name in
// the same directory, synced, then linked to its final name, and the directory
// is synced: a crash leaves either the whole backup or none, and an existing
// backup is never overwritten. Any error means no backup exists, and the
// caller must not run the operation.
func (b *Backups) Write(bk Backup) (BackupInfo, error) {
	if b.dir == "" {
		return BackupInfo{}, errors.New("no backup directory configured")
	}
	switch bk.Format {
	case 0:
		bk.Format = BackupFormat
	case BackupFormat:
	default:
		// Read and List would not accept it, so it would be no backup at all.
		return BackupInfo{}, fmt.Errorf("backup format %d is not supported; leave Format 0 or set %d", bk.Format, BackupFormat)
	}
	if bk.Time.IsZero() {
		bk.Time = time.Now()
	}
	bk.Time = bk.Time.UTC()
	if bk.Models == nil {
		bk.Models = []owui.Model{}
	}
	if bk.Replica == "" {
		bk.Replica = b.replica
	}
	chosen := bk.ID != ""
	if chosen {
		if err := checkID(bk.ID); err != nil {
			return BackupInfo{}, err
		}
	}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return BackupInfo{}, fmt.Errorf("backup directory %s is not usable: %w", b.dir, err)
	}

	// Retry only on a name clash of a generated ID (3 random bytes within
	// the same second and tool); a chosen ID that exists is an error.
	for attempt := 0; ; attempt++ {
		if !chosen {
			bk.ID = newID(bk.Time, bk.Tool)
		}
		data, err := json.MarshalIndent(bk, "", "  ")
		if err != nil {
			return BackupInfo{}, fmt.Errorf("encode backup: %w", err)
		}
		data = append(data, '\n')
		err = b.writeNew(b.path(bk.ID), data)
		if errors.Is(err, fs.ErrExist) && !chosen && attempt < 8 {
			continue
		}
		if err != nil {
			return BackupInfo{}, err
		}
		return BackupInfo{
			ID: bk.ID, Tool: bk.Tool, Caller: bk.Caller, Operation: bk.Operation,
			Time: bk.Time, Models: len(bk.Models), Path: b.path(bk.ID), Size: int64(len(data)),
		}, nil
	}
}

// writeNew atomically creates final with data, failing with fs.ErrExist if
// final exists.
func (b *Backups) writeNew(final string, data []byte) (err error) {
	tmp, err := os.CreateTemp(b.dir, ".tmp-backup-*") // 0600
	if err != nil {
		return fmt.Errorf("backup directory %s is not writable: %w", b.dir, err)
	}
	tmpName := tmp.Name()
	// The temporary name goes away whatever happens: on success it is a
	// second link to the backup, on failure it is garbage.
	defer func() {
		if rmErr := os.Remove(tmpName); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("remove temporary backup file: %w", rmErr)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close backup: %w", err)
	}
	if err := publish(tmpName, final); err != nil {
		return err
	}
	return syncDir(b.dir)
}

// link is os.Link, replaceable so tests can take the no-hard-link path.
var link = os.Link

// publish gives tmp its final name without ever replacing an existing file.
// A hard link is atomic and fails when the name exists, which rename does
// not; on filesystems without hard links it falls back to a check and a
// rename, whose race window only matters if two writers pick the same
// random ID in the same second.
func publish(tmp, final string) error {
	err := link(tmp, final)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup %s already exists: %w", filepath.Base(final), fs.ErrExist)
	}
	if _, statErr := os.Lstat(final); statErr == nil {
		return fmt.Errorf("backup %s already exists: %w", filepath.Base(final), fs.ErrExist)
	} else if !errors.Is(statErr, fs.ErrNotExist) {
		return fmt.Errorf("publish backup: %w", statErr)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("publish backup: %w", err)
	}
	return nil
}

// syncDir makes the new directory entry durable. Windows cannot sync a
// directory, and NTFS journals the rename anyway.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync backup directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync backup directory: %w", err)
	}
	return nil
}

// List returns the backups in the directory, newest first, only caller's
// when caller is not empty. Files that are not backups (wrong name, not
// JSON, another format, an ID that does not match the name) are skipped, not
// reported. A missing directory is an empty list.
func (b *Backups) List(caller string) ([]BackupInfo, error) {
	entries, err := os.ReadDir(b.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []BackupInfo{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", b.dir, err)
	}
	out := []BackupInfo{}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !e.Type().IsRegular() || !ValidBackupID(id) {
			continue
		}
		p := b.path(id)
		data, err := os.ReadFile(p)
		if err != nil {
			continue // removed meanwhile, or unreadable: not ours to report
		}
		// Models are counted, not decoded.
		var head struct {
			Format    int               `json:"format"`
			ID        string            `json:"id"`
			Time      time.Time         `json:"time"`
			Tool      string            `json:"tool"`
			Caller    string            `json:"caller"`
			Operation string            `json:"operation"`
			Models    []json.RawMessage `json:"models"`
		}
		if json.Unmarshal(data, &head) != nil || head.Format != BackupFormat || head.ID != id {
			continue
		}
		if caller != "" && head.Caller != caller {
			continue
		}
		out = append(out, BackupInfo{
			ID: id, Tool: head.Tool, Caller: head.Caller, Operation: head.Operation,
			Time: head.Time, Models: len(head.Models), Path: p, Size: int64(len(data)),
		})
	}
	slices.SortFunc(out, func(x, y BackupInfo) int {
		if c := y.Time.Compare(x.Time); c != 0 {
			return c
		}
		return strings.Compare(y.ID, x.ID)
	})
	return out, nil
}

// Read returns the backup with id. id must be a bare backup ID as List
// returns it; anything path-like is refused before the disk is touched.
func (b *Backups) Read(id string) (Backup, error) {
	if err := checkID(id); err != nil {
		return Backup{}, err
	}
	data, err := os.ReadFile(b.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return Backup{}, fmt.Errorf("backup %q not found in %s: call list_backups for the ids that exist: %w", id, b.dir, fs.ErrNotExist)
	}
	if err != nil {
		return Backup{}, fmt.Errorf("read backup %q: %w", id, err)
	}
	var bk Backup
	if err := json.Unmarshal(data, &bk); err != nil {
		return Backup{}, fmt.Errorf("backup %q is damaged (%s is not valid JSON): %w", id, b.path(id), err)
	}
	if bk.Format != BackupFormat {
		return Backup{}, fmt.Errorf("backup %q has format %d; this server reads format %d", id, bk.Format, BackupFormat)
	}
	if bk.ID != id {
		return Backup{}, fmt.Errorf("backup file %s holds backup %q, not %q: the file was renamed by hand", b.path(id), bk.ID, id)
	}
	return bk, nil
}
