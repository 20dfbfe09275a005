package tools

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/safety"
)

// A confirmation of an unchanged selection, by confirm_token, can run the
// plan its preview already built: the preview of a bulk call reads the
// whole export to fill in the full records, builds from that same export
// the lean plan a confirmation would build, checks that it binds the very
// state the preview shows, and keeps it for the token it mints. The
// confirmation reads the export again; when its bytes hash to the same
// digest, the records are the same bytes, so the plan built from them is
// the kept one (what Run and the backup read of a plan is a function of
// the records, the arguments and the server's options; what else a plan
// reads, names for its warnings, is never run): the decoding, selection,
// planning and fingerprint are
// skipped, and the backup of the kept plan is written while the export is
// being read. Any other digest (a record changed, or another replica
// minted the token) takes the usual path on the bytes just read. The token
// is redeemed against the kept plan's target as against any other, so what
// runs is still exactly what the preview bound.

// quickPlan is a plan kept for a confirm_token and the digest of the export
// it was built from.
type quickPlan struct {
	digest [sha256.Size]byte
	plan   any // the Plan[D] of the tool that minted the token
}

// quickPlans holds the quick plans of the last few tokens minted. It is
// local to this process (a token redeemed on another replica finds none),
// bounded in entries and in time, and each entry is taken once.
type quickPlans struct {
	mu      sync.Mutex
	entries map[string]quickEntry // by confirm_token
	order   []string              // tokens, oldest first
}

type quickEntry struct {
	quickPlan
	claims  safety.Claims // what the token was minted for
	expires time.Time
}

// maxQuickPlans bounds the memory kept: a plan of 500 models holds their
// full records (a few MB). A preview whose plan was dropped still
// confirms, the usual way.
const maxQuickPlans = 4

func (q *quickPlans) put(token string, e quickEntry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.entries == nil {
		q.entries = map[string]quickEntry{}
	}
	now := time.Now()
	keep := q.order[:0]
	for _, t := range q.order {
		if x, ok := q.entries[t]; ok && now.Before(x.expires) {
			keep = append(keep, t)
		} else {
			delete(q.entries, t)
		}
	}
	q.order = keep
	for len(q.order) >= maxQuickPlans {
		delete(q.entries, q.order[0])
		q.order = q.order[1:]
	}
	q.entries[token] = e
	q.order = append(q.order, token)
}

// take removes and returns the plan kept for token, if it is still valid
// and was minted for exactly these claims (the target aside: that is what
// the confirmation checks).
func (q *quickPlans) take(token string, want safety.Claims) (quickPlan, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.entries[token]
	if !ok {
		return quickPlan{}, false
	}
	delete(q.entries, token)
	want.Target = e.claims.Target
	if time.Now().After(e.expires) || e.claims != want {
		return quickPlan{}, false
	}
	return e.quickPlan, true
}

// quickKey carries into the Plan of a confirming call the plan kept for its
// token; quickWantedKey asks the Plan of a preview that will mint a token
// to build one.
type (
	quickKey       struct{}
	quickWantedKey struct{}
)

func keptPlan(ctx context.Context) *quickPlan {
	q, _ := ctx.Value(quickKey{}).(*quickPlan)
	return q
}

func quickWanted(ctx context.Context) bool {
	w, _ := ctx.Value(quickWantedKey{}).(bool)
	return w
}

// stagedBackup is the backup of a kept plan, being written while the
// confirmation reads and checks the export.
type stagedBackup struct {
	done   chan struct{}
	staged *safety.Staged
	err    error
}

func stageBackup(b *safety.Backups, bk safety.Backup) *stagedBackup {
	s := &stagedBackup{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.staged, s.err = b.Stage(bk)
	}()
	return s
}

// publish waits for the staged file and makes it the backup. ok false means
// staging failed: the caller writes the backup the usual way, which reports
// the error if it persists.
func (s *stagedBackup) publish() (info safety.BackupInfo, err error, ok bool) {
	<-s.done
	if s.err != nil {
		return safety.BackupInfo{}, nil, false
	}
	info, err = s.staged.Publish()
	return info, err, true
}

// discard waits for the staged file and removes it (a published one stays).
func (s *stagedBackup) discard() {
	if s == nil {
		return
	}
	<-s.done
	if s.staged != nil {
		s.staged.Discard()
	}
}
