package owui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Model history (Open WebUI 0.12+): every create, and every update that
// changes the snapshot (name, base_model_id, params, meta), writes an entry;
// the record's version_id names the current one.
const (
	pathHistory       = "/api/v1/models/model/history"
	pathUpdateVersion = "/api/v1/models/model/update/version"
)

// maxHistoryIDLength bounds a history id; Open WebUI's are UUIDs (36 chars).
const maxHistoryIDLength = 128

// HistoryEntry is one item of GET /model/history (ModelHistoryResponse),
// or, with Snapshot, the answer of GET /model/history/{id}.
type HistoryEntry struct {
	ID            string       `json:"id"`
	ModelID       string       `json:"model_id"`
	ParentID      *string      `json:"parent_id"`
	UserID        string       `json:"user_id"`
	CommitMessage *string      `json:"commit_message"`
	CreatedAt     int64        `json:"created_at"`
	User          *HistoryUser `json:"user,omitempty"`
	Snapshot      *Snapshot    `json:"snapshot,omitempty"`
}

// HistoryUser is the author as the history list names it.
type HistoryUser struct {
	Name string `json:"name"`
}

// Snapshot is what a history entry keeps of a model. Grants, is_active and
// the owner live outside it, so a rollback leaves them as they are.
type Snapshot struct {
	Name        string         `json:"name"`
	BaseModelID *string        `json:"base_model_id"`
	Params      map[string]any `json:"params"`
	Meta        map[string]any `json:"meta"`
}

// HistoryPageSize is Open WebUI's page size for /model/history.
const HistoryPageSize = 20

// HistoryIDProblem says why id cannot be a history id, or "" when it can.
// Open WebUI's are UUIDs; an id must travel as one path segment, so
// anything beyond unreserved URL characters is a mistake, never sent.
func HistoryIDProblem(id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return "is empty"
	case len(id) > maxHistoryIDLength:
		return fmt.Sprintf("is %d bytes long; at most %d", len(id), maxHistoryIDLength)
	case id == "." || id == "..":
		return "is a dot path segment"
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '~') {
			return fmt.Sprintf("contains %q; version ids are like 0b6d1c2e-… (letters, digits, '-', '_', '.')", r)
		}
	}
	return ""
}

func checkHistoryID(op, method, path, id string) error {
	if why := HistoryIDProblem(id); why != "" {
		return &Error{Op: op, Method: method, Path: path, Kind: KindInvalid, Detail: "the version id " + why + " (not sent)"}
	}
	return nil
}

// historyEntryPath is /model/history/{history_id}; id has passed
// checkHistoryID, so escaping cannot change it, but it is escaped anyway.
func historyEntryPath(id string) string { return pathHistory + "/" + url.PathEscape(id) }

// ListModelHistory is GET /api/v1/models/model/history?id=&page=: one page
// (20) of the model's versions, newest first.
func (c *Client) ListModelHistory(ctx context.Context, modelID string, page int) ([]HistoryEntry, error) {
	const op = "list_model_history"
	if err := c.require(ctx, FeatureModelHistory, op, http.MethodGet, pathHistory); err != nil {
		return nil, err
	}
	q := idQuery(modelID)
	q.Set("page", strconv.Itoa(max(page, 1)))
	out := []HistoryEntry{}
	err := c.call(ctx, request{op: op, method: http.MethodGet, path: pathHistory, query: q}, &out)
	return out, err
}

// GetModelVersion is GET /api/v1/models/model/history/{history_id}?id=:
// one entry with its snapshot. An entry of another model is 404.
func (c *Client) GetModelVersion(ctx context.Context, modelID, historyID string) (HistoryEntry, error) {
	const op = "get_model_version"
	if err := checkHistoryID(op, http.MethodGet, pathHistory+"/{history_id}", historyID); err != nil {
		return HistoryEntry{}, err
	}
	p := historyEntryPath(historyID)
	if err := c.require(ctx, FeatureModelHistory, op, http.MethodGet, p); err != nil {
		return HistoryEntry{}, err
	}
	var e HistoryEntry
	if err := c.call(ctx, request{op: op, method: http.MethodGet, path: p, query: idQuery(modelID)}, &e); err != nil {
		return HistoryEntry{}, err
	}
	if e.Snapshot == nil {
		return HistoryEntry{}, &Error{Op: op, Method: http.MethodGet, Path: p, Status: 200, Kind: KindBadResponse, Detail: "the version came back without its snapshot"}
	}
	return e, nil
}

// DeleteModelVersion is DELETE /api/v1/models/model/history/{history_id}?id=.
func (c *Client) DeleteModelVersion(ctx context.Context, modelID, historyID string) error {
	const op = "delete_model_version"
	if err := checkHistoryID(op, http.MethodDelete, pathHistory+"/{history_id}", historyID); err != nil {
		return err
	}
	p := historyEntryPath(historyID)
	if err := c.require(ctx, FeatureModelHistory, op, http.MethodDelete, p); err != nil {
		return err
	}
	return c.callOK(ctx, request{op: op, method: http.MethodDelete, path: p, query: idQuery(modelID)})
}

// RollbackModel is POST /api/v1/models/model/update/version?id= with
// {"version_id"}: the model takes that version's snapshot.
func (c *Client) RollbackModel(ctx context.Context, modelID, versionID string) (Model, error) {
	const op = "rollback_model"
	if err := checkHistoryID(op, http.MethodPost, pathUpdateVersion, versionID); err != nil {
		return Model{}, err
	}
	if err := c.require(ctx, FeatureModelHistory, op, http.MethodPost, pathUpdateVersion); err != nil {
		return Model{}, err
	}
	var m Model
	err := c.call(ctx, request{op: op, method: http.MethodPost, path: pathUpdateVersion, query: idQuery(modelID),
		body: map[string]string{"version_id": versionID}}, &m)
	return m, err
}

// withCommit drops the commit message unless the server keeps history
// (0.12+): older releases have no place for it.
func (c *Client) withCommit(ctx context.Context, f ModelForm) ModelForm {
	if f.CommitMessage == "" {
		return f
	}
	// One try: a server that is down fails the write itself, unretried.
	if v, err := c.fetchVersion(ctx, true); err != nil || !Has(v, FeatureModelHistory) {
		f.CommitMessage = ""
	}
	return f
}
