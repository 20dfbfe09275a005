package safety

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRedeem: no input panics Redeem, none is accepted (the key is fresh, so
// only a forged MAC could pass), and every refusal carries a known reason.
func FuzzRedeem(f *testing.F) {
	other := NewTokens(0, nil)
	real := other.Mint(baseClaims)
	for _, s := range []string{"", "abc", "a.b", ".", "..", real, real[:len(real)/2], strings.ReplaceAll(real, ".", "")} {
		f.Add(s)
	}
	tok := NewTokens(time.Minute, nil)
	known := map[Reason]bool{ReasonMalformed: true, ReasonForged: true}
	f.Fuzz(func(t *testing.T, s string) {
		err := tok.Redeem(s, baseClaims)
		if err == nil {
			t.Fatalf("Redeem accepted %q", s)
		}
		if r := ReasonOf(err); !known[r] {
			t.Fatalf("Redeem(%q): reason %q (%v); only malformed or forged can occur without the key", s, r, err)
		}
	})
}

// FuzzBackupID: Read never panics, refuses every id without the backup ID
// shape before touching the disk, and an accepted id always names a file
// directly inside the directory. Tool names of any kind make valid IDs.
func FuzzBackupID(f *testing.F) {
	for _, s := range []string{"", "..", "../x", "20261126T153012Z-delete_model-3f9a1c", "20261126T153012Z-../../-3f9a1c", "delete_model"} {
		f.Add(s)
	}
	dir := f.TempDir()
	b := NewBackups(dir)
	f.Fuzz(func(t *testing.T, s string) {
		_, err := b.Read(s)
		if err == nil {
			t.Fatalf("Read(%q) succeeded in an empty directory", s)
		}
		if ValidBackupID(s) {
			if strings.ContainsAny(s, `/\.`) || strings.ContainsRune(s, 0) {
				t.Fatalf("ValidBackupID accepted path-like %q", s)
			}
			if filepath.Dir(b.path(s)) != filepath.Clean(dir) {
				t.Fatalf("id %q resolves outside the directory: %s", s, b.path(s))
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Read(%q) of a well-formed id: %v, want not found", s, err)
			}
		}
		if id := newID(time.Unix(int64(len(s)), 0), s); !ValidBackupID(id) {
			t.Fatalf("newID(tool %q) = %q is not a valid ID", s, id)
		}
	})
}
