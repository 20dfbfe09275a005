//go:build unix

package tools

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// TestHostileBackupFolder: files planted in the backup folder under backup
// names (a link to an endless device, a FIFO nobody writes, a file over the
// size cap, garbage, a header too long to be one) neither hang nor exhaust
// the server, and do not hide the good backups: list_backups lists the good
// one and names each bad one with its reason; restore_models refuses each
// bad one at once with a tool error and still restores the good one.
func TestHostileBackupFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	e := newEnv(t, withBackupDir(dir))
	p := e.preview("delete_model", map[string]any{"id": "code-reviewer"})
	var del schemas.Outcome
	e.ok("delete_model", map[string]any{"id": "code-reviewer", "confirm_token": p.ConfirmToken}, &del)

	const (
		link    = "20260101T000000Z-delete_model-000001"
		fifo    = "20260101T000000Z-delete_model-000002"
		big     = "20260101T000000Z-delete_model-000003"
		garbage = "20260101T000000Z-delete_model-000004"
		longHdr = "20260101T000000Z-delete_model-000005"
		dirID   = "20260101T000000Z-delete_model-000006"
	)
	at := func(id string) string { return filepath.Join(dir, id+".json") }
	if err := os.Symlink("/dev/zero", at(link)); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(at(fifo), 0o600); err != nil {
		t.Fatal(err)
	}
	// Sparse: over the default cap without using the disk.
	f, err := os.Create(at(big))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(safety.DefaultMaxBackupBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(at(garbage), []byte("\x00\x01 not json at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	hdr := `{"format":1,"id":"` + longHdr + `","operation":"` + strings.Repeat("x", 200<<10) + `","models":[]}`
	if err := os.WriteFile(at(longHdr), []byte(hdr), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(at(dirID), 0o700); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	var list schemas.ListBackupsResult
	e.ok("list_backups", nil, &list)
	if len(list.Backups) != 1 || list.Backups[0].ID != del.Backup || list.Backups[0].Models != 1 {
		t.Fatalf("the good backup is not listed alone: %+v", list.Backups)
	}
	reasons := map[string]string{}
	for _, u := range list.Unusable {
		reasons[u.ID] = u.Reason
	}
	for id, want := range map[string]string{
		link: "symbolic link", fifo: "not a regular file", big: "over the 67108864-byte cap",
		garbage: "not a JSON object", longHdr: "no backup header in its first", dirID: "directory",
	} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("unusable %s: reason %q, want it to say %q (all: %+v)", id, reasons[id], want, list.Unusable)
		}
	}

	for _, id := range []string{link, fifo, big, garbage, dirID} {
		msg := e.fail("restore_models", map[string]any{"backup": id})
		mustContain(t, msg, id)
		if !strings.Contains(msg, "not usable") && !strings.Contains(msg, "damaged") {
			t.Errorf("restore of %s: %s", id, msg)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("hostile files took %s", d)
	}
	if len(e.writes()) != 1 { // the delete only
		t.Fatalf("writes: %+v", e.writes())
	}

	rp := e.preview("restore_models", map[string]any{"backup": del.Backup})
	e.ok("restore_models", map[string]any{"backup": del.Backup, "confirm_token": rp.ConfirmToken}, nil)
	if _, ok := e.fake.Model("code-reviewer"); !ok {
		t.Fatal("the good backup was not restored")
	}
}

// TestBackupFilesAreOwnerOnly: the folder is created 0700 and every backup
// file is 0600, whatever the umask.
func TestBackupFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "state", "backups")
	e := newEnv(t, withBackupDir(dir))
	p := e.preview("delete_model", map[string]any{"id": "code-reviewer"})
	var del schemas.Outcome
	e.ok("delete_model", map[string]any{"id": "code-reviewer", "confirm_token": p.ConfirmToken}, &del)
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Dir(dir): 0o700, filepath.Join(dir, del.Backup+".json"): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", path, got, want)
		}
	}
}
