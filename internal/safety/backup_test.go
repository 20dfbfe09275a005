package safety

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
)

func fullModel() owui.Model {
	base := "llama3:8b"
	yes := true
	return owui.Model{
		ID:          "team/bot:v2",
		UserID:      "u-owner",
		BaseModelID: &base,
		Name:        "Team Bot",
		Params:      owui.ObjectOf(map[string]any{"temperature": 0.2, "system": "You are helpful.", "stop": []any{"\n\n"}}),
		Meta: owui.ObjectOf(map[string]any{
			"description":       "A bot",
			"profile_image_url": "/static/favicon.png",
			"capabilities":      map[string]any{"vision": true, "citations": false},
			"tags":              []any{map[string]any{"name": "team"}},
			"custom_key":        map[string]any{"nested": []any{1.0, "two", nil}},
		}),
		AccessGrants: []owui.AccessGrant{
			{ID: "g1", ResourceType: "model", ResourceID: "team/bot:v2", PrincipalType: "group", PrincipalID: "grp-1", Permission: "write", CreatedAt: 1764000000},
			{ID: "g2", ResourceType: "model", ResourceID: "team/bot:v2", PrincipalType: "user", PrincipalID: "*", Permission: "read", CreatedAt: 1764000001},
		},
		IsActive:    true,
		UpdatedAt:   1764000100,
		CreatedAt:   1763000000,
		User:        &owui.User{ID: "u-owner", Name: "Owner", Email: "owner@example.com", Role: "admin"},
		WriteAccess: &yes,
	}
}

func TestBackupRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "backups") // created lazily
	b := NewBackups(dir)
	if b.Dir() != dir {
		t.Fatalf("Dir() = %q", b.Dir())
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("NewBackups created the directory: %v", err)
	}
	other := fullModel()
	other.ID, other.Name, other.BaseModelID, other.User, other.WriteAccess, other.AccessGrants = "solo", "Solo", nil, nil, nil, []owui.AccessGrant{}
	in := Backup{
		Tool:      "delete_all_models",
		Caller:    "user-7f3a",
		Upstream:  "http://localhost:8080",
		Operation: "delete 2 models",
		Models:    []owui.Model{fullModel(), other},
		Deleted:   []string{"team/bot:v2", "solo"},
	}
	info, err := b.Write(in)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if !ValidBackupID(info.ID) || !strings.Contains(info.ID, "-delete_all_models-") {
		t.Fatalf("Write gave ID %q", info.ID)
	}
	if info.Path != filepath.Join(dir, info.ID+".json") || info.Models != 2 || info.Tool != in.Tool || info.Caller != in.Caller || info.Operation != in.Operation {
		t.Fatalf("Write info = %+v", info)
	}
	if info.Time.IsZero() || info.Time.Location() != time.UTC || time.Since(info.Time) > time.Minute {
		t.Fatalf("Write filled time %v", info.Time)
	}
	if !strings.HasPrefix(info.ID, info.Time.Format(idTimeLayout)+"-") {
		t.Fatalf("ID %q does not start with the backup time %v", info.ID, info.Time)
	}
	st, err := os.Stat(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != info.Size {
		t.Errorf("Size = %d, file has %d", info.Size, st.Size())
	}
	if runtime.GOOS != "windows" {
		if st.Mode().Perm() != 0o600 {
			t.Errorf("backup file mode %v, want 0600", st.Mode().Perm())
		}
		if dst, _ := os.Stat(dir); dst.Mode().Perm() != 0o700 {
			t.Errorf("backup dir mode %v, want 0700", dst.Mode().Perm())
		}
	}

	got, err := b.Read(info.ID)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := in
	want.Format, want.ID, want.Time, want.ModelCount = 1, info.ID, info.Time, len(in.Models)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Read returned\n%+v\nwant\n%+v", got, want)
	}

	list, err := b.List("")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0] != info {
		t.Fatalf("List = %+v, want [%+v]", list, info)
	}
}

func TestBackupList(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	t0 := time.Date(2026, 11, 26, 15, 30, 12, 0, time.UTC)
	write := func(tool, caller string, at time.Time) BackupInfo {
		t.Helper()
		info, err := b.Write(Backup{Tool: tool, Caller: caller, Time: at, Models: []owui.Model{fullModel()}})
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	a := write("delete_model", "alice", t0)
	c := write("sync_models", "bob", t0.Add(time.Hour))
	d := write("update_model_access", "alice", t0.Add(2*time.Hour))
	e := write("delete_model", "alice", t0.Add(2*time.Hour)) // same second: both kept

	// Files that are not backups are skipped silently.
	junk := map[string]string{
		"notes.txt":   "hello",
		"README.json": `{"format":1}`,
		"20261126T153012Z-delete_model-aaaaaa.json": "{not json",
		"20261126T153012Z-delete_model-bbbbbb.json": `{"format":2,"id":"20261126T153012Z-delete_model-bbbbbb"}`,
		"20261126T153012Z-delete_model-cccccc.json": `{"format":1,"id":"20261126T153012Z-delete_model-dddddd"}`,
		".tmp-backup-123": "partial",
		"20261126T153012Z-delete_model-eeeeee.json.part": "x",
	}
	for name, content := range junk {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "20261126T153012Z-delete_model-ffffff.json"), 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		caller string
		want   []BackupInfo
	}{
		{"", []BackupInfo{later(d, e), earlier(d, e), c, a}},
		{"alice", []BackupInfo{later(d, e), earlier(d, e), a}},
		{"bob", []BackupInfo{c}},
		{"nobody", []BackupInfo{}},
	}
	for _, tt := range tests {
		got, err := b.List(tt.caller)
		if err != nil {
			t.Fatalf("List(%q): %v", tt.caller, err)
		}
		if got == nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("List(%q) =\n%+v\nwant\n%+v", tt.caller, got, tt.want)
		}
	}

	got, err := NewBackups(filepath.Join(dir, "missing")).List("")
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("List of a missing dir = %v, %v; want empty, nil", got, err)
	}
}

// later and earlier order two infos with the same time the way List does (by ID).
func later(x, y BackupInfo) BackupInfo {
	if x.ID > y.ID {
		return x
	}
	return y
}

func earlier(x, y BackupInfo) BackupInfo {
	if x.ID > y.ID {
		return y
	}
	return x
}

func TestBackupAtomic(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	for range 5 {
		if _, err := b.Write(Backup{Tool: "delete_model", Models: []owui.Model{fullModel()}}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Fatalf("directory holds %d entries, want 5", len(entries))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") || !strings.HasSuffix(e.Name(), ".json") {
			t.Errorf("leftover file %q", e.Name())
		}
	}

	// A chosen ID that exists is never overwritten.
	id := "20261126T153012Z-delete_model-3f9a1c"
	first, err := b.Write(Backup{ID: id, Tool: "delete_model", Operation: "first"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(first.Path)
	_, err = b.Write(Backup{ID: id, Tool: "delete_model", Operation: "second"})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Write with the same ID: %v, want fs.ErrExist", err)
	}
	after, _ := os.ReadFile(first.Path)
	if string(before) != string(after) {
		t.Fatal("existing backup was overwritten")
	}
	if bk, err := b.Read(id); err != nil || bk.Operation != "first" {
		t.Fatalf("Read after refused overwrite: %+v, %v", bk, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 6 {
		t.Fatalf("directory holds %d entries after a refused write, want 6", len(entries))
	}
}

func TestBackupWriteErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "regular-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(tmp, "read-only")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(readOnly, 0o700) })
	// chmod does not restrict root (or Windows); probe before relying on it.
	chmodWorks := true
	if f, err := os.CreateTemp(readOnly, "probe"); err == nil {
		chmodWorks = false
		f.Close()
		os.Remove(f.Name())
	}

	tests := []struct {
		name string
		dir  string
		bk   Backup
		skip bool
		want string
	}{
		{name: "dir under a regular file", dir: filepath.Join(file, "backups"), want: "not usable"},
		{name: "dir is a regular file", dir: file, want: "not usable"},
		{name: "read-only dir", dir: readOnly, skip: !chmodWorks, want: "not writable"},
		{name: "no dir", dir: "", want: "no backup directory"},
		{name: "traversal id", dir: filepath.Join(tmp, "ok"), bk: Backup{ID: "../escape"}, want: "path separator"},
		{name: "bad id", dir: filepath.Join(tmp, "ok"), bk: Backup{ID: "latest"}, want: "not a backup id"},
		{name: "unknown format", dir: filepath.Join(tmp, "ok"), bk: Backup{Format: 2}, want: "format 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("chmod 0500 does not stop this user from writing")
			}
			info, err := NewBackups(tt.dir).Write(tt.bk)
			if err == nil {
				t.Fatalf("Write succeeded: %+v", info)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "escape.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("traversal id wrote outside the directory")
	}
}

func TestBackupReadErrors(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	if err := os.WriteFile(filepath.Join(dir, "..json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := "20261126T153012Z-delete_model-aaaaaa"
	os.WriteFile(filepath.Join(dir, damaged+".json"), []byte("{"), 0o600)
	renamed := "20261126T153012Z-delete_model-bbbbbb"
	os.WriteFile(filepath.Join(dir, renamed+".json"), []byte(`{"format":1,"id":"20261126T153012Z-delete_model-cccccc"}`), 0o600)
	tests := []struct {
		id   string
		want string
	}{
		{"", "empty"},
		{"../../etc/passwd", "path separator"},
		{`..\..\windows`, "path separator"},
		{"/etc/passwd", "path separator"},
		{"..", `contains ".."`},
		{".", "not a backup id"},
		{"20261126T153012Z-delete_model-3f9a1c.json", "not a backup id"},
		{"20261126T153012Z-delete_model-3F9A1C", "not a backup id"},
		{"20261126T153012Z-delete.model-3f9a1c", "not a backup id"},
		{"20261126T153012Z-delete_model-3f9a1c\x00", "not a backup id"},
		{"20261126T153012Z-delete_model-3f9a1c\n", "not a backup id"},
		{"20261126T153012Z-delete_model-3f9a1c", `backup "20261126T153012Z-delete_model-3f9a1c" not found`},
		{damaged, "damaged"},
		{renamed, "renamed"},
	}
	for _, tt := range tests {
		_, err := b.Read(tt.id)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%q) error = %v, want one containing %q", tt.id, err, tt.want)
		}
	}
	if _, err := b.Read("20261126T153012Z-delete_model-3f9a1c"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing backup error does not wrap fs.ErrNotExist: %v", err)
	}
}

func TestBackupIDs(t *testing.T) {
	at := time.Date(2026, 11, 26, 15, 30, 12, 0, time.FixedZone("CET", 3600))
	tests := []struct{ tool, prefix string }{
		{"delete_model", "20261126T143012Z-delete_model-"},
		{"owui.delete-model", "20261126T143012Z-owui_delete_model-"},
		{"../../x", "20261126T143012Z-______x-"},
		{"", "20261126T143012Z-op-"},
		{"ünïcode", "20261126T143012Z-_n_code-"},
		{strings.Repeat("a", 100), "20261126T143012Z-" + strings.Repeat("a", 64) + "-"},
	}
	for _, tt := range tests {
		id := newID(at, tt.tool)
		if !ValidBackupID(id) || !strings.HasPrefix(id, tt.prefix) || len(id) != len(tt.prefix)+6 {
			t.Errorf("newID(%q) = %q, want %q + 6 hex", tt.tool, id, tt.prefix)
		}
	}
}

func TestDefaultBackupDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/lib/state")
	if got, want := DefaultBackupDir(), filepath.Join("/var/lib/state", "owui-mcp", "backups"); got != want && runtime.GOOS != "windows" {
		t.Errorf("with XDG_STATE_HOME: %q, want %q", got, want)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for _, xdg := range []string{"", "relative/state"} {
		t.Setenv("XDG_STATE_HOME", xdg)
		if got, want := DefaultBackupDir(), filepath.Join(home, ".local", "state", "owui-mcp", "backups"); got != want {
			t.Errorf("XDG_STATE_HOME=%q: %q, want %q", xdg, got, want)
		}
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "plan9" {
		t.Setenv("HOME", "")
		if got, want := DefaultBackupDir(), filepath.Join(os.TempDir(), "owui-mcp-backups"); got != want {
			t.Errorf("without home: %q, want %q", got, want)
		}
	}
}

// On filesystems without hard links Write falls back to check-and-rename,
// still without overwriting and without leftovers.
func TestBackupWithoutHardLinks(t *testing.T) {
	link = func(oldname, newname string) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: errors.ErrUnsupported}
	}
	t.Cleanup(func() { link = os.Link })
	dir := t.TempDir()
	b := NewBackups(dir)
	id := "20261126T153012Z-delete_model-3f9a1c"
	info, err := b.Write(Backup{ID: id, Tool: "delete_model", Operation: "first", Models: []owui.Model{fullModel()}})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if bk, err := b.Read(info.ID); err != nil || bk.Operation != "first" || !reflect.DeepEqual(bk.Models, []owui.Model{fullModel()}) {
		t.Fatalf("Read: %+v, %v", bk, err)
	}
	if _, err := b.Write(Backup{ID: id, Tool: "delete_model", Operation: "second"}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("overwrite through the fallback: %v, want fs.ErrExist", err)
	}
	if bk, _ := b.Read(id); bk.Operation != "first" {
		t.Fatal("existing backup was overwritten")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want 1", len(entries))
	}
}

// A generated ID that clashes with an existing backup (same second, tool
// and random suffix) is drawn again rather than failing or overwriting.
func TestBackupIDClash(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	at := time.Date(2026, 11, 26, 15, 30, 12, 0, time.UTC)
	cryptotest.SetGlobalRandom(t, 1)
	first, err := b.Write(Backup{Time: at, Tool: "delete_model", Operation: "first"})
	if err != nil {
		t.Fatal(err)
	}
	cryptotest.SetGlobalRandom(t, 1) // the same random stream: the first draw clashes
	second, err := b.Write(Backup{Time: at, Tool: "delete_model", Operation: "second"})
	if err != nil {
		t.Fatalf("Write after a clash: %v", err)
	}
	twoBackups(t, b, first, "first", second, "second")
}

// twoBackups checks that a clash left two backups with their own IDs and
// operations.
func twoBackups(t *testing.T, b *Backups, x BackupInfo, xOp string, y BackupInfo, yOp string) {
	t.Helper()
	if x.ID == y.ID {
		t.Fatalf("both backups got ID %q", x.ID)
	}
	for id, op := range map[string]string{x.ID: xOp, y.ID: yOp} {
		if bk, err := b.Read(id); err != nil || bk.Operation != op {
			t.Fatalf("Read(%q) = %q, %v; want %q", id, bk.Operation, err, op)
		}
	}
}

// Replicas sharing one directory: every backup names its writer, clashing
// generated IDs never overwrite each other, and each replica lists all.
func TestBackupSharedDir(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 26, 15, 30, 12, 0, time.UTC)
	var ids []string
	for _, r := range []string{"r1", "r2", "r3"} {
		b := NewBackups(dir)
		b.SetReplica(r)
		cryptotest.SetGlobalRandom(t, 7) // every replica draws the same "random" ID first
		info, err := b.Write(Backup{Time: at, Tool: "delete_model", Caller: "u", Operation: "by " + r})
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		ids = append(ids, info.ID)
	}
	reader := NewBackups(dir)
	list, err := reader.List("u")
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %d backups, %v; want 3", len(list), err)
	}
	for i, r := range []string{"r1", "r2", "r3"} {
		bk, err := reader.Read(ids[i])
		if err != nil || bk.Replica != r || bk.Operation != "by "+r {
			t.Fatalf("Read(%s) = replica %q op %q, %v; want %q", ids[i], bk.Replica, bk.Operation, err, r)
		}
	}
}

// TestBackupListLegacyAndBad: a file written before model_count existed is
// still listed with its models counted; files named like backups that are
// not usable are reported by Scan with a reason and do not hide the others.
func TestBackupListLegacyAndBad(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	b.SetMaxBytes(4 << 10)
	const legacy = "20260101T000000Z-delete_model-00000a"
	doc := `{"format":1,"id":"` + legacy + `","time":"2026-01-01T00:00:00Z","tool":"delete_model","caller":"local","operation":"delete 3","models":[{"id":"a"},{"id":"b","meta":{"x":[1,2]}},{"id":"c"}],"deleted":["a"]}`
	if err := os.WriteFile(filepath.Join(dir, legacy+".json"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	const big = "20260101T000000Z-delete_model-00000b"
	if err := os.WriteFile(filepath.Join(dir, big+".json"), make([]byte, 5<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	infos, bad, err := b.Scan("")
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].ID != legacy || infos[0].Models != 3 || infos[0].Operation != "delete 3" {
		t.Fatalf("Scan = %+v", infos)
	}
	if len(bad) != 1 || bad[0].ID != big || !strings.Contains(bad[0].Reason, "over the 4096-byte cap") {
		t.Fatalf("bad = %+v", bad)
	}
	if _, err := b.Read(big); err == nil || !strings.Contains(err.Error(), "not usable") {
		t.Fatalf("Read of an oversized file = %v", err)
	}
	// A backup that would exceed the cap is not written (it could not be read back).
	_, err = b.Write(Backup{Tool: "delete_model", Models: []owui.Model{{ID: strings.Repeat("x", 5<<10)}}})
	if err == nil || !strings.Contains(err.Error(), "over the 4096-byte cap") {
		t.Fatalf("Write over the cap = %v", err)
	}
}

// encodeBackup holds exactly what the indented encoding held (the same JSON
// value), with one model per line, whatever the strings contain.
func TestEncodeBackupLayout(t *testing.T) {
	tricky := fullModel()
	tricky.ID = "team/bot:v2"
	tricky.Name = "x\n  \"models\": [],\n</script>"
	for _, n := range []int{0, 1, 3} {
		bk := Backup{Format: BackupFormat, ID: "20261202T050000Z-update_models-abcdef", Time: time.Unix(1764651600, 0).UTC(),
			Tool: "update_models", Operation: `change "models": [] of 3`, Deleted: []string{"a"}, Changed: []string{"b"}, ModelCount: n,
			Models: []owui.Model{}} // Write never encodes nil models
		for i := range n {
			m := tricky
			m.ID += strings.Repeat("x", i)
			bk.Models = append(bk.Models, m)
		}
		got, err := encodeBackup(bk)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := json.MarshalIndent(bk, "", "  ")
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("%d models: not JSON: %v\n%s", n, err, got)
		}
		_ = json.Unmarshal(old, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%d models: value differs from the indented encoding\n%s", n, got)
		}
		if lines := strings.Count(string(got), "\n    {\"id\":"); lines != n {
			t.Fatalf("%d models on %d lines of their own:\n%s", n, lines, got)
		}
		if got[len(got)-1] != '\n' {
			t.Fatal("no final newline")
		}
	}
}

// encodeBackupMarshal is encodeBackup as it was before owui.Model.AppendJSON:
// each model through json.Marshal. The reference of the byte-equality test
// and of the benchmark.
func encodeBackupMarshal(bk Backup) ([]byte, error) {
	models := bk.Models
	bk.Models = []owui.Model{}
	env, err := json.MarshalIndent(bk, "", "  ")
	if err != nil {
		return nil, err
	}
	const slot = "\n  \"models\": []"
	at := strings.Index(string(env), slot)
	var buf strings.Builder
	buf.Write(env[:at+len(slot)-1])
	for i, m := range models {
		line, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		buf.WriteString("\n    ")
		buf.Write(line)
		if i < len(models)-1 {
			buf.WriteByte(',')
		}
	}
	if len(models) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteByte(']')
	buf.Write(env[at+len(slot):])
	buf.WriteByte('\n')
	return []byte(buf.String()), nil
}

// benchBackup is a backup of n models shaped like fullModel, each with
// different ids and a tricky name.
func benchBackup(n int) Backup {
	bk := Backup{Format: BackupFormat, ID: "20261202T050000Z-update_models-abcdef", Time: time.Unix(1764651600, 0).UTC(),
		Tool: "update_models", Operation: "add a grant to 500 models", ModelCount: n, Models: []owui.Model{}}
	for i := range n {
		m := fullModel()
		m.ID = m.ID + "-" + strings.Repeat("x", i%7) + string(rune('a'+i%26))
		m.Name = "Bot <" + m.ID + "> & \u2028 \"co\""
		bk.Models = append(bk.Models, m)
	}
	return bk
}

// encodeBackup writes exactly the bytes it wrote with json.Marshal per model.
func TestEncodeBackupSameAsMarshal(t *testing.T) {
	tricky := fullModel()
	tricky.Name = "x\n  \"models\": [],\n</script>\xff"
	tricky.Meta = owui.ObjectOf(map[string]any{"s": "<&>\u2028\u2029", "n": []any{1.5, nil, true}})
	tricky.User, tricky.WriteAccess, tricky.BaseModelID, tricky.AccessGrants = nil, nil, nil, nil
	for _, bk := range []Backup{benchBackup(0), benchBackup(1), benchBackup(40),
		{Format: BackupFormat, Tool: "delete_model", Models: []owui.Model{tricky, {}, fullModel()}}} {
		got, err := encodeBackup(bk)
		if err != nil {
			t.Fatal(err)
		}
		want, err := encodeBackupMarshal(bk)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("encodeBackup =\n%s\nwith json.Marshal =\n%s", got, want)
		}
	}
}

// BenchmarkEncodeBackup: the backup of a 500-model bulk change, encoded
// with json.Marshal per model (old) and with AppendJSON (new).
func BenchmarkEncodeBackup(b *testing.B) {
	bk := benchBackup(500)
	for _, enc := range []struct {
		name string
		f    func(Backup) ([]byte, error)
	}{{"marshal", encodeBackupMarshal}, {"append", encodeBackup}} {
		b.Run(enc.name, func(b *testing.B) {
			for b.Loop() {
				out, err := enc.f(bk)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}

// dirNames lists a directory's entries, temporary files included.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// A staged backup is a synced temporary file that no reader sees; Publish
// makes it the backup Write would have written, Discard leaves nothing.
func TestBackupStage(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	at := time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)
	m := fullModel()

	s, err := b.Stage(Backup{Time: at, Tool: "update_models", Caller: "u", Operation: "grant", Models: []owui.Model{m}, Changed: []string{m.ID}})
	if err != nil {
		t.Fatal(err)
	}
	names := dirNames(t, dir)
	if len(names) != 1 || !strings.HasPrefix(names[0], ".tmp-backup-") {
		t.Fatalf("after Stage the directory holds %q; want one temporary file", names)
	}
	if list, bad, err := b.Scan("u"); err != nil || len(list) != 0 || len(bad) != 0 {
		t.Fatalf("Scan sees a staged backup: %v %v %v", list, bad, err)
	}
	info, err := s.Publish()
	if err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != info.ID+".json" {
		t.Fatalf("after Publish the directory holds %q; want only %s.json", names, info.ID)
	}
	got, err := b.Read(info.ID)
	if err != nil || len(got.Models) != 1 || got.Models[0].ID != m.ID || got.Operation != "grant" || !reflect.DeepEqual(got.Changed, []string{m.ID}) {
		t.Fatalf("Read(%s) = %+v, %v", info.ID, got, err)
	}
	if _, err := s.Publish(); err == nil || !strings.Contains(err.Error(), "already published or discarded") {
		t.Fatalf("second Publish: %v", err)
	}
	s.Discard() // after Publish: the backup stays
	if _, err := b.Read(info.ID); err != nil {
		t.Fatalf("Discard after Publish removed the backup: %v", err)
	}

	d, err := b.Stage(Backup{Time: at, Tool: "update_models", Caller: "u", Operation: "dropped"})
	if err != nil {
		t.Fatal(err)
	}
	d.Discard()
	d.Discard()
	if names := dirNames(t, dir); len(names) != 1 {
		t.Fatalf("after Discard the directory holds %q; want only the published backup", names)
	}
	if _, err := d.Publish(); err == nil {
		t.Fatal("Publish after Discard succeeded")
	}
}

// A generated ID taken between Stage and Publish (another replica, same
// second and random draw) is drawn again at Publish, never overwritten.
func TestBackupStageIDClash(t *testing.T) {
	dir := t.TempDir()
	b := NewBackups(dir)
	at := time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)
	cryptotest.SetGlobalRandom(t, 3)
	s, err := b.Stage(Backup{Time: at, Tool: "delete_models", Operation: "staged"})
	if err != nil {
		t.Fatal(err)
	}
	cryptotest.SetGlobalRandom(t, 3) // the other writer draws the same ID
	other, err := b.Write(Backup{Time: at, Tool: "delete_models", Operation: "other"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Publish()
	if err != nil {
		t.Fatalf("Publish after a clash: %v", err)
	}
	twoBackups(t, b, other, "other", info, "staged")
	if names := dirNames(t, dir); len(names) != 2 {
		t.Fatalf("directory holds %q; want the two backups only", names)
	}
}
