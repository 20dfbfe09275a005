package safety

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
)

// BackupFormat is the version of the backup file layout Write produces.
const BackupFormat = 1

// Backup is one operation's backup: the full records of every model a
// confirmed call is about to delete or change, taken before it runs.
type Backup struct {
	Format    int       `json:"format"`
	ID        string    `json:"id"` // also the file name, plus ".json"
	Time      time.Time `json:"time"`
	Tool      string    `json:"tool"`
	Caller    string    `json:"caller"`            // caller ID (not a secret)
	Upstream  string    `json:"upstream"`          // Open WebUI base URL
	Operation string    `json:"operation"`         // one-line human summary
	Replica   string    `json:"replica,omitempty"` // the process that wrote it (--replica-id)
	// ModelCount is len(Models), set by Write and stored before Models so
	// that listing reads only the head of a file.
	ModelCount int          `json:"model_count,omitempty"`
	Models     []owui.Model `json:"models"` // full records before the change
	Deleted    []string     `json:"deleted,omitempty"`
	Changed    []string     `json:"changed,omitempty"`
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

// DefaultMaxBackupBytes is the default cap on one backup file.
const DefaultMaxBackupBytes = 64 << 20

// headBytes bounds what List reads of a file: the fields before the models.
const headBytes = 64 << 10

// Backups stores backups as one JSON file per operation in a directory.
//
// Several processes may share one directory: a generated ID that another
// process already took is never overwritten (publish links exclusively and
// Write picks another), and List reads every file, whoever wrote it.
//
// The directory is data, not code: a file is only ever opened without
// following a symbolic link and without blocking (a FIFO), used only when it
// is a regular file no larger than the cap, and List reads only its head.
type Backups struct {
	dir      string
	replica  string
	maxBytes int64
}

// SetReplica records id as the writer of every later backup (before use).
func (b *Backups) SetReplica(id string) { b.replica = id }

// NewBackups returns a store in dir. The directory is created (0700) on the
// first Write, so a server that never mutates never touches the disk.
func NewBackups(dir string) *Backups { return &Backups{dir: dir, maxBytes: DefaultMaxBackupBytes} }

// SetMaxBytes caps the size of one backup file (written or read); n <= 0
// means DefaultMaxBackupBytes.
func (b *Backups) SetMaxBytes(n int64) {
	if n <= 0 {
		n = DefaultMaxBackupBytes
	}
	b.maxBytes = n
}

// MaxBytes is the cap on one backup file.
func (b *Backups) MaxBytes() int64 { return b.maxBytes }

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
// Compiled on first use: start-up pays nothing for it.
var idShape = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9_]{1,64}-[0-9a-f]{6}$`)
})

// ValidBackupID reports whether id has the shape of a backup ID.
func ValidBackupID(id string) bool { return idShape().MatchString(id) }

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
	s, err := b.Stage(bk)
	if err != nil {
		return BackupInfo{}, err
	}
	return s.Publish()
}

// Staged is a backup written and synced under a temporary name, which List,
// Read and restore_models do not see: it becomes a backup only when Publish
// links it to its final name. It lets a caller write a backup while it
// still checks whether the operation may run at all, and drop it (Discard)
// if not.
type Staged struct {
	b       *Backups
	bk      Backup
	chosen  bool   // the caller chose the ID (no retry under another)
	tmp     string // the synced temporary file; "" once published or discarded
	size    int64
	retries int
}

// Stage validates bk, encodes it and writes it to a synced temporary file in
// the backup directory. Any error means nothing was left behind.
func (b *Backups) Stage(bk Backup) (*Staged, error) {
	if b.dir == "" {
		return nil, errors.New("no backup directory configured")
	}
	switch bk.Format {
	case 0:
		bk.Format = BackupFormat
	case BackupFormat:
	default:
		// Read and List would not accept it, so it would be no backup at all.
		return nil, fmt.Errorf("backup format %d is not supported; leave Format 0 or set %d", bk.Format, BackupFormat)
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
	bk.ModelCount = len(bk.Models)
	s := &Staged{b: b, bk: bk, chosen: bk.ID != ""}
	if s.chosen {
		if err := checkID(bk.ID); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return nil, fmt.Errorf("backup directory %s is not usable: %w", b.dir, err)
	}
	return s, s.write()
}

// write encodes s.bk (under a new generated ID unless chosen) into a new
// synced temporary file.
func (s *Staged) write() error {
	if !s.chosen {
		s.bk.ID = newID(s.bk.Time, s.bk.Tool)
	}
	data, err := encodeBackup(s.bk)
	if err != nil {
		return fmt.Errorf("encode backup: %w", err)
	}
	if int64(len(data)) > s.b.maxBytes {
		// It could not be read back, so it would be no backup at all.
		return fmt.Errorf("the backup would be %d bytes, over the %d-byte cap (--max-backup-bytes / OWUI_MCP_MAX_BACKUP_BYTES); raise the cap or change fewer models at once", len(data), s.b.maxBytes)
	}
	tmp, err := s.b.writeTemp(data)
	if err != nil {
		return err
	}
	s.tmp, s.size = tmp, int64(len(data))
	return nil
}

// Publish links the staged file to its backup name, never replacing an
// existing file, and syncs the directory: from then on it is a backup. A
// generated ID another writer took meanwhile (3 random bytes within the
// same second and tool) is replaced by a new one; a chosen ID that exists is
// an error. Any error means no backup exists, and the caller must not run
// the operation. The temporary name is gone afterwards in every case.
func (s *Staged) Publish() (BackupInfo, error) {
	for {
		if s.tmp == "" {
			return BackupInfo{}, errors.New("backup already published or discarded")
		}
		final := s.b.path(s.bk.ID)
		err := publish(s.tmp, final)
		s.Discard() // on success a second link to the backup, else garbage
		if errors.Is(err, fs.ErrExist) && !s.chosen && s.retries < 8 {
			s.retries++
			if err := s.write(); err != nil {
				return BackupInfo{}, err
			}
			continue
		}
		if err == nil {
			err = syncDir(s.b.dir)
		}
		if err != nil {
			return BackupInfo{}, err
		}
		bk := s.bk
		return BackupInfo{
			ID: bk.ID, Tool: bk.Tool, Caller: bk.Caller, Operation: bk.Operation,
			Time: bk.Time, Models: len(bk.Models), Path: final, Size: s.size,
		}, nil
	}
}

// Discard removes the staged file if it is still there (a published backup
// keeps its final name). Safe to call more than once.
func (s *Staged) Discard() {
	if s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
}

// writeTemp writes data to a new owner-only temporary file in the backup
// directory and syncs it, returning its name; on error nothing is left.
func (b *Backups) writeTemp(data []byte) (name string, err error) {
	tmp, err := os.CreateTemp(b.dir, ".tmp-backup-*") // 0600
	if err != nil {
		return "", fmt.Errorf("backup directory %s is not writable: %w", b.dir, err)
	}
	name = tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	// Owner-only whatever the platform's CreateTemp does: backups hold full
	// model records (system prompts, access grants).
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return "", fmt.Errorf("backup directory %s: %w", b.dir, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("sync backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("close backup: %w", err)
	}
	return name, nil
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

// BadFile is a file in the backup directory named like a backup that is
// not a usable one.
type BadFile struct {
	ID     string
	Reason string
}

// List is Scan without the unusable files.
func (b *Backups) List(caller string) ([]BackupInfo, error) {
	infos, _, err := b.Scan(caller)
	return infos, err
}

// Scan returns the backups in the directory, newest first, only caller's
// when caller is not empty, and the files named like backups that are not
// usable (a link, a FIFO, too large, not a backup), with why. Files named
// otherwise (temporaries, notes) are ignored. One bad file never stops the
// others from being listed. A missing directory is an empty list.
func (b *Backups) Scan(caller string) ([]BackupInfo, []BadFile, error) {
	entries, err := os.ReadDir(b.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []BackupInfo{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list backups in %s: %w", b.dir, err)
	}
	out := []BackupInfo{}
	var bad []BadFile
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !ValidBackupID(id) {
			continue
		}
		info, err := b.head(id)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			bad = append(bad, BadFile{ID: id, Reason: err.Error()})
			continue
		}
		if caller != "" && info.Caller != caller {
			continue
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(x, y BackupInfo) int {
		if c := y.Time.Compare(x.Time); c != 0 {
			return c
		}
		return strings.Compare(y.ID, x.ID)
	})
	return out, bad, nil
}

// errNotBackup marks a file that is not a backup of this format.
var errNotBackup = errors.New("not a backup")

// open opens the file of id for reading, refusing anything but a regular
// file within the size cap: no link is followed (Lstat, then O_NOFOLLOW
// against a swap in between), a FIFO or device does not block the open
// (O_NONBLOCK), and the opened file itself is checked (Fstat).
func (b *Backups) open(id string) (*os.File, int64, error) {
	p := b.path(id)
	st, err := os.Lstat(p)
	if err != nil {
		return nil, 0, err
	}
	if err := b.usable(st); err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|openFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("cannot be opened as a plain file: %w", errors.Unwrap(err))
	}
	st, err = f.Stat()
	if err == nil {
		err = b.usable(st)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// usable checks the type and size of a backup file.
func (b *Backups) usable(st fs.FileInfo) error {
	switch m := st.Mode(); {
	case m&fs.ModeSymlink != 0:
		return errors.New("is a symbolic link, not a backup file")
	case m.IsDir():
		return errors.New("is a directory, not a backup file")
	case !m.IsRegular():
		return fmt.Errorf("is not a regular file (%s)", m.Type())
	case st.Size() > b.maxBytes:
		return fmt.Errorf("is %d bytes, over the %d-byte cap (--max-backup-bytes)", st.Size(), b.maxBytes)
	}
	return nil
}

// encodeBackup writes the envelope indented and each model on one compact
// line: indenting hundreds of full records (prompts, data-URI images) took
// twice as long as encoding them, and a record per line still reads and
// diffs well. Readers decode JSON, so the layout is free.
func encodeBackup(bk Backup) ([]byte, error) {
	models := bk.Models
	bk.Models = []owui.Model{}
	env, err := json.MarshalIndent(bk, "", "  ")
	if err != nil {
		return nil, err
	}
	// The top-level key sits alone on its line after two spaces; no string
	// value can hold a raw newline, so this is the one place it occurs.
	const slot = "\n  \"models\": []"
	at := bytes.Index(env, []byte(slot))
	if at < 0 || bytes.Count(env, []byte(slot)) != 1 {
		return nil, errors.New("backup envelope without its models slot")
	}
	buf := make([]byte, 0, len(env)+1024*len(models))
	buf = append(buf, env[:at+len(slot)-1]...)
	for i, m := range models {
		buf = append(buf, "\n    "...)
		// json.Marshal's bytes, without its second pass over meta and
		// params (owui.Model.AppendJSON).
		buf = m.AppendJSON(buf)
		if i < len(models)-1 {
			buf = append(buf, ',')
		}
	}
	if len(models) > 0 {
		buf = append(buf, "\n  "...)
	}
	buf = append(buf, ']')
	buf = append(buf, env[at+len(slot):]...)
	return append(buf, '\n'), nil
}

// head reads the fields of a backup that precede its models, from at most
// headBytes of the file. Files written before model_count existed have
// their models counted one by one (the file is within the size cap).
func (b *Backups) head(id string) (BackupInfo, error) {
	f, size, err := b.open(id)
	if err != nil {
		return BackupInfo{}, err
	}
	defer f.Close()
	var h Backup
	counted := -1
	lr := &io.LimitedReader{R: f, N: headBytes}
	dec := json.NewDecoder(lr)
	bad := func(what string) (BackupInfo, error) {
		if lr.N <= 0 {
			what = fmt.Sprintf("no backup header in its first %d bytes", headBytes)
		}
		return BackupInfo{}, fmt.Errorf("%w: %s", errNotBackup, what)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return bad("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok {
			return bad("not valid JSON")
		}
		if key == "models" {
			if h.ModelCount > 0 {
				counted = h.ModelCount
				break
			}
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return bad("models is not a list")
			}
			// An older file without model_count: its models are counted
			// one at a time, within the size cap.
			lr.N = b.maxBytes
			counted = 0
			for dec.More() {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return bad("not valid JSON")
				}
				counted++
			}
			if _, err := dec.Token(); err != nil {
				return bad("not valid JSON")
			}
			continue
		}
		var v any
		switch key {
		case "format":
			v = &h.Format
		case "id":
			v = &h.ID
		case "time":
			v = &h.Time
		case "tool":
			v = &h.Tool
		case "caller":
			v = &h.Caller
		case "operation":
			v = &h.Operation
		case "model_count":
			v = &h.ModelCount
		default:
			v = new(json.RawMessage)
		}
		if err := dec.Decode(v); err != nil {
			return bad(fmt.Sprintf("field %q is not valid", key))
		}
	}
	switch {
	case counted < 0:
		return bad("no models list")
	case h.Format != BackupFormat:
		return bad(fmt.Sprintf("format %d, this server reads %d", h.Format, BackupFormat))
	case h.ID != id:
		return bad(fmt.Sprintf("it holds backup %q (renamed by hand)", h.ID))
	}
	return BackupInfo{
		ID: id, Tool: h.Tool, Caller: h.Caller, Operation: h.Operation,
		Time: h.Time, Models: counted, Path: b.path(id), Size: size,
	}, nil
}

// Read returns the backup with id. id must be a bare backup ID as List
// returns it; anything path-like is refused before the disk is touched.
func (b *Backups) Read(id string) (Backup, error) {
	if err := checkID(id); err != nil {
		return Backup{}, err
	}
	f, size, err := b.open(id)
	if errors.Is(err, fs.ErrNotExist) {
		return Backup{}, fmt.Errorf("backup %q not found in %s: call list_backups for the ids that exist: %w", id, b.dir, fs.ErrNotExist)
	}
	if err != nil {
		return Backup{}, fmt.Errorf("backup %q is not usable: %s %v; nothing was read", id, b.path(id), err)
	}
	defer f.Close()
	data := make([]byte, 0, size+1)
	buf := bytes.NewBuffer(data)
	// The size was checked; a file that grows meanwhile is cut at the cap.
	if _, err := buf.ReadFrom(io.LimitReader(f, b.maxBytes+1)); err != nil {
		return Backup{}, fmt.Errorf("read backup %q: %w", id, err)
	}
	if int64(buf.Len()) > b.maxBytes {
		return Backup{}, fmt.Errorf("backup %q is not usable: it grew over the %d-byte cap while being read", id, b.maxBytes)
	}
	var bk Backup
	if err := json.Unmarshal(buf.Bytes(), &bk); err != nil {
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
