package owui

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// MaxIDLength is Open WebUI's limit on model ids.
const MaxIDLength = 256

// Every endpoint of the models API, in one place. Ids always travel in the
// query string (percent-encoded by url.Values) or the JSON body, never in a
// path: they may contain '/', ':', '.' and spaces.
const (
	pathList            = "/api/v1/models/list"
	pathModel           = "/api/v1/models/model"
	pathProfileImage    = "/api/v1/models/model/profile/image"
	pathTags            = "/api/v1/models/tags"
	pathBase            = "/api/v1/models/base"
	pathBaseDirect      = "/api/models/base"
	pathRuntime         = "/api/models"
	pathBaseTags        = "/api/v1/models/base/tags"
	pathExport          = "/api/v1/models/export"
	pathCreate          = "/api/v1/models/create"
	pathUpdate          = "/api/v1/models/model/update"
	pathToggle          = "/api/v1/models/model/toggle"
	pathDelete          = "/api/v1/models/model/delete"
	pathAccessUpdate    = "/api/v1/models/model/access/update"
	pathDeleteAll       = "/api/v1/models/delete/all"
	pathImport          = "/api/v1/models/import"
	pathSync            = "/api/v1/models/sync"
	pathUnload          = "/api/models/unload"
	pathCurrentUser     = "/api/v1/auths/"
	pathUserStatus      = "/api/v1/users/user/status"
	defaultFaviconPath  = "/static/favicon.png"
	defaultFaviconPath2 = "/favicon.png"
)

func idQuery(id string) url.Values { return url.Values{"id": {id}} }

// ListModels is GET /api/v1/models/list: one page (30 rows) of the custom
// models visible to the caller.
func (c *Client) ListModels(ctx context.Context, p ListParams) (ModelList, error) {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("query", p.Query)
	set("view_option", p.ViewOption)
	set("tag", p.Tag)
	set("order_by", p.OrderBy)
	set("direction", p.Direction)
	page := max(p.Page, 1)
	q.Set("page", strconv.Itoa(page))
	var out ModelList
	err := c.call(ctx, request{op: "list_models", method: http.MethodGet, path: pathList, query: q}, &out)
	if out.Items == nil {
		out.Items = []Model{}
	}
	if err == nil && c.Rules(ctx).ListShowsReadOnlyParams {
		for i := range out.Items {
			if !out.Items[i].CanWrite() {
				out.Items[i].Params = EmptyObject()
			}
		}
	}
	return out, err
}

// GetModel is GET /api/v1/models/model?id=.
func (c *Client) GetModel(ctx context.Context, id string) (Model, error) {
	var m Model
	err := c.call(ctx, request{op: "get_model", method: http.MethodGet, path: pathModel, query: idQuery(id)}, &m)
	return m, err
}

// GetProfileImage is GET /api/v1/models/model/profile/image?id=. A stored
// image comes back as bytes; a redirect to another URL is reported, not
// followed; Open WebUI's default favicon redirect (0.9.2+) is reported as
// Kind "default". Older servers answer the favicon's bytes with 200, which
// comes back as an image.
func (c *Client) GetProfileImage(ctx context.Context, id string) (ProfileImage, error) {
	r := request{op: "get_model_profile_image", method: http.MethodGet, path: pathProfileImage, query: idQuery(id)}
	resp, err := c.do(ctx, r)
	if err != nil {
		return ProfileImage{}, c.enrich(ctx, err)
	}
	if resp.status >= 300 && resp.status < 400 {
		loc := resp.header.Get("Location")
		target, perr := c.base.Parse(loc)
		if loc == "" || perr != nil {
			return ProfileImage{}, &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindBadResponse, Detail: "redirect without a usable Location"}
		}
		if sameOrigin(target, c.base) {
			p := strings.TrimPrefix(target.Path, c.base.Path)
			if p == defaultFaviconPath || p == defaultFaviconPath2 {
				return ProfileImage{Kind: "default", URL: target.String()}, nil
			}
		}
		return ProfileImage{Kind: "url", URL: target.String()}, nil
	}
	mt, _, _ := mime.ParseMediaType(resp.header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "image/") {
		if isHTML(resp.header.Get("Content-Type"), resp.body) {
			return ProfileImage{}, c.enrich(ctx, &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindRouteMissing,
				Detail: "Open WebUI answered with its web page instead of an image: this version lacks the endpoint"})
		}
		return ProfileImage{}, &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindBadResponse,
			Detail: fmt.Sprintf("expected an image, got content type %q", mt)}
	}
	return ProfileImage{Kind: "image", MIMEType: mt, Data: resp.body}, nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// ListModelTags is GET /api/v1/models/tags.
func (c *Client) ListModelTags(ctx context.Context) ([]string, error) {
	return c.tags(ctx, "list_model_tags", pathTags)
}

// tags is GET of a tag list endpoint: a JSON array of tag names.
func (c *Client) tags(ctx context.Context, op, path string) ([]string, error) {
	out := []string{}
	err := c.call(ctx, request{op: op, method: http.MethodGet, path: path}, &out)
	return out, err
}

// ListBaseModels is GET /api/v1/models/base (admin): the stored base-model
// records (rows with base_model_id null).
func (c *Client) ListBaseModels(ctx context.Context) ([]Model, error) {
	out := []Model{}
	err := c.call(ctx, request{op: "list_base_models", method: http.MethodGet, path: pathBase}, &out)
	return out, err
}

// ListBaseModelsDirect is GET /api/models/base (admin): the live models of
// the connected providers, unwrapped from {"data": [...]}.
func (c *Client) ListBaseModelsDirect(ctx context.Context) ([]ProviderModel, error) {
	var env struct {
		Data []ProviderModel `json:"data"`
	}
	r := request{op: "list_base_models_direct", method: http.MethodGet, path: pathBaseDirect}
	if err := c.call(ctx, r, &env); err != nil {
		return nil, err
	}
	if env.Data == nil {
		env.Data = []ProviderModel{}
	}
	return env.Data, nil
}

// RuntimeModelIDs is GET /api/models (any verified user): the ids of the
// models the caller can chat with (provider models and active custom ones).
func (c *Client) RuntimeModelIDs(ctx context.Context) ([]string, error) {
	var env struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.call(ctx, request{op: "list_runtime_models", method: http.MethodGet, path: pathRuntime}, &env); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(env.Data))
	for _, m := range env.Data {
		ids = append(ids, m.ID)
	}
	return ids, nil
}

// ListBaseModelTags is GET /api/v1/models/base/tags (admin, 0.10.0+).
func (c *Client) ListBaseModelTags(ctx context.Context) ([]string, error) {
	if err := c.require(ctx, FeatureBaseModelTags, "list_base_model_tags", http.MethodGet, pathBaseTags); err != nil {
		return nil, err
	}
	return c.tags(ctx, "list_base_model_tags", pathBaseTags)
}

// ExportModels is GET /api/v1/models/export: every custom model the caller
// may export, whole.
func (c *Client) ExportModels(ctx context.Context) ([]Model, error) {
	e, err := c.ReadExport(ctx)
	if err != nil {
		return []Model{}, err
	}
	return e.Models(ctx)
}

// Export is one answer of GET /api/v1/models/export as it was read. Its
// Digest names the exact bytes (after redaction), so that two reads can be
// compared without decoding either: equal digests mean the same records.
type Export struct {
	Digest [sha256.Size]byte
	c      *Client
	r      request
	resp   response
	// decoded is the first Models call's result (never nil once made): a
	// bulk preview reads the records twice (its own plan's and the one it
	// keeps).
	decoded   []Model
	decodeErr error
}

// ReadExport reads the export without decoding it (see Export.Models).
func (c *Client) ReadExport(ctx context.Context) (*Export, error) {
	r := request{op: "export_models", method: http.MethodGet, path: pathExport}
	resp, err := c.answer(ctx, r)
	if err != nil {
		return nil, err
	}
	return &Export{Digest: sha256.Sum256(resp.body), c: c, r: r, resp: resp}, nil
}

// Models decodes the export, as ExportModels would have, once: a later call
// returns the same records (in a list of its own).
func (e *Export) Models(ctx context.Context) ([]Model, error) {
	if e.decoded == nil {
		e.decoded = []Model{}
		e.decodeErr = e.c.decodeAnswer(ctx, e.r, &e.resp, &e.decoded)
	}
	// A copy of the list: a caller may change its elements.
	return slices.Clone(e.decoded), e.decodeErr
}

// CreateModel is POST /api/v1/models/create.
func (c *Client) CreateModel(ctx context.Context, f ModelForm) (Model, error) {
	if err := checkID("create_model", pathCreate, f.ID); err != nil {
		return Model{}, err
	}
	var m Model
	err := c.call(ctx, request{op: "create_model", method: http.MethodPost, path: pathCreate, body: c.withCommit(ctx, f).normalize()}, &m)
	return m, err
}

// UpdateModel is POST /api/v1/models/model/update. Open WebUI replaces the
// whole record with f, so f must be complete: build it from the current
// model with Model.Form and change only what is meant to change.
func (c *Client) UpdateModel(ctx context.Context, f ModelForm) (Model, error) {
	if err := checkID("update_model", pathUpdate, f.ID); err != nil {
		return Model{}, err
	}
	var m Model
	err := c.call(ctx, request{op: "update_model", method: http.MethodPost, path: pathUpdate, body: c.withCommit(ctx, f).normalize()}, &m)
	return m, err
}

// ToggleModel is POST /api/v1/models/model/toggle?id=: flips is_active.
func (c *Client) ToggleModel(ctx context.Context, id string) (Model, error) {
	var m Model
	err := c.call(ctx, request{op: "toggle_model", method: http.MethodPost, path: pathToggle, query: idQuery(id)}, &m)
	return m, err
}

// DeleteModel is POST /api/v1/models/model/delete with {"id"}.
func (c *Client) DeleteModel(ctx context.Context, id string) error {
	return c.callOK(ctx, request{op: "delete_model", method: http.MethodPost, path: pathDelete, body: map[string]string{"id": id}})
}

// DeleteAllModels is DELETE /api/v1/models/delete/all (admin): every model
// row, base and custom, and their grants.
func (c *Client) DeleteAllModels(ctx context.Context) error {
	return c.callOK(ctx, request{op: "delete_all_models", method: http.MethodDelete, path: pathDeleteAll})
}

// UpdateModelAccess is POST /api/v1/models/model/access/update: replaces
// every grant of the model (0.8.0+).
func (c *Client) UpdateModelAccess(ctx context.Context, f AccessForm) (Model, error) {
	var m Model
	err := c.call(ctx, accessUpdate(f), &m)
	return m, err
}

// accessUpdate is the one request both access-update methods send: an
// empty list, never null, replaces the grants. The form is encoded here,
// as json.Marshal would encode it (appendJSON), not boxed into body.
func accessUpdate(f AccessForm) request {
	if f.AccessGrants == nil {
		f.AccessGrants = []Grant{}
	}
	return request{op: "update_model_access", method: http.MethodPost, path: pathAccessUpdate, payload: f.appendJSON(make([]byte, 0, 256))}
}

// SetModelAccess is UpdateModelAccess for a caller that needs only the
// grants Open WebUI kept: nothing else of the answer is decoded, and the
// rest is only checked in one pass (keptGrants), which for hundreds of
// calls in a row (update_models) is most of their client cost.
func (c *Client) SetModelAccess(ctx context.Context, f AccessForm) ([]Grant, error) {
	var out keptGrants
	r := accessUpdate(f)
	r.keeps = true // three strings per grant are redacted, not the whole record
	err := c.call(ctx, r, &out)
	gs := make([]Grant, 0, len(out.AccessGrants))
	for _, g := range out.AccessGrants {
		gs = append(gs, g.Grant())
	}
	return gs, err
}

// ImportModels is POST /api/v1/models/import: each element is merged over
// the stored model with the same id, or created.
func (c *Client) ImportModels(ctx context.Context, models []map[string]any) error {
	if models == nil {
		models = []map[string]any{}
	}
	if err := c.callOK(ctx, request{op: "import_models", method: http.MethodPost, path: pathImport, body: map[string]any{"models": models}}); err != nil {
		return err
	}
	if r := c.Rules(ctx); r.ImportSkipsUnwritable {
		return c.checkImported(ctx, r.Version, models)
	}
	return nil
}

// checkImported reads every imported id back, on releases whose import
// skips elements silently (≤0.12.3: a model the caller cannot write), so
// that a skip is reported as 0.12.4 reports it: as a conflict.
func (c *Client) checkImported(ctx context.Context, version string, models []map[string]any) error {
	var skipped []string
	for _, el := range models {
		id, _ := el["id"].(string)
		if strings.TrimSpace(id) == "" || len(id) > MaxIDLength {
			continue // never sent as a model: Open WebUI skips it on every release
		}
		m, err := c.GetModel(ctx, id)
		switch {
		case err == nil && m.CanWrite():
		case err == nil, IsKind(err, KindForbidden):
			skipped = append(skipped, id+" (exists; the caller cannot write it)")
		case IsKind(err, KindNotFound):
			skipped = append(skipped, id+" (not stored)")
		default:
			return fmt.Errorf("the import was sent, but reading %s back failed: %w", id, err)
		}
	}
	if len(skipped) == 0 {
		return nil
	}
	return &Error{Op: "import_models", Method: http.MethodPost, Path: pathImport, Status: http.StatusOK, Kind: KindConflict,
		Detail: fmt.Sprintf("Open WebUI %s skipped %d element(s) without saying so: %s; the other elements were imported (0.12.4 and later answer 401 %q here)",
			version, len(skipped), strings.Join(skipped, ", "), detailIDTaken)}
}

// SyncModels is POST /api/v1/models/sync (admin): upserts the listed models
// and DELETES every stored model not listed. Open WebUI answers [] on an
// internal error; that is reported as an error when models was not empty.
func (c *Client) SyncModels(ctx context.Context, models []Model) ([]Model, error) {
	if models == nil {
		models = []Model{}
	}
	r := request{op: "sync_models", method: http.MethodPost, path: pathSync, body: map[string]any{"models": models}}
	out := []Model{}
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	if len(out) == 0 && len(models) > 0 {
		if ru := c.Rules(ctx); ru.SyncLocksOnSQLite {
			return nil, &Error{Op: r.op, Method: r.method, Path: r.path, Status: 200, Kind: KindServer, Detail: SyncLockedText(ru.Version)}
		}
		return nil, &Error{Op: r.op, Method: r.method, Path: r.path, Status: 200, Kind: KindBadResponse,
			Detail: "Open WebUI answered an empty list after syncing models: the sync failed upstream"}
	}
	return out, nil
}

// UnloadModel is POST /api/models/unload (admin, 0.9.3+): asks the model's
// provider to free it. The answer is the provider's own JSON.
func (c *Client) UnloadModel(ctx context.Context, model string) (map[string]any, error) {
	if c.Rules(ctx).UnloadIgnoresBaseChain {
		model = c.unloadTarget(ctx, model)
	}
	out := map[string]any{}
	err := c.call(ctx, request{op: "unload_model", method: http.MethodPost, path: pathUnload, body: map[string]string{"model": model}}, &out)
	return out, err
}

// unloadTarget follows a stored model's base_model_id chain as 0.10 and
// later do server-side: the first id without a stored record, or whose
// record has no base model, is the one to unload. A read that fails
// leaves the id as it is (the server then answers for it).
func (c *Client) unloadTarget(ctx context.Context, id string) string {
	seen := map[string]bool{}
	for !seen[id] {
		seen[id] = true
		m, err := c.GetModel(ctx, id)
		if err != nil || m.BaseModelID == nil || *m.BaseModelID == "" {
			return id
		}
		id = *m.BaseModelID
	}
	return id
}

// CurrentUser is GET /api/v1/auths/: who the credentials belong to. Open
// WebUI 0.12 answers that route only for session tokens (403 "A human
// session is required." for sk- keys); then the user-status route, which
// takes keys, names the user instead.
func (c *Client) CurrentUser(ctx context.Context) (User, error) {
	var u User
	err := c.call(ctx, request{op: "current_user", method: http.MethodGet, path: pathCurrentUser}, &u)
	var oe *Error
	if errors.As(err, &oe) && oe.Status == http.StatusForbidden && oe.Detail == detailHumanSession {
		u = User{}
		err = c.call(ctx, request{op: "current_user", method: http.MethodGet, path: pathUserStatus}, &u)
	}
	if err == nil && u.ID == "" {
		err = &Error{Op: "current_user", Method: http.MethodGet, Path: pathCurrentUser, Status: 200, Kind: KindBadResponse, Detail: "no user id in the answer"}
	}
	return u, err
}

// UserInfo is GET /api/v1/users/{id}/info: a user's name and e-mail, for
// naming owners as people. Any verified user may ask.
func (c *Client) UserInfo(ctx context.Context, id string) (User, error) {
	var u User
	if strings.TrimSpace(id) == "" || strings.ContainsAny(id, "/?#%") {
		return u, &Error{Op: "user_info", Method: http.MethodGet, Path: "/api/v1/users/{id}/info", Kind: KindInvalid, Detail: "invalid user id (not sent)"}
	}
	err := c.call(ctx, request{op: "user_info", method: http.MethodGet, path: "/api/v1/users/" + id + "/info"}, &u)
	return u, err
}

func checkID(op, path, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return &Error{Op: op, Method: http.MethodPost, Path: path, Kind: KindInvalid, Detail: "the model id is empty (not sent)"}
	case len(id) > MaxIDLength:
		return &Error{Op: op, Method: http.MethodPost, Path: path, Kind: KindInvalid,
			Detail: fmt.Sprintf("the model id is %d bytes long; Open WebUI allows at most %d (not sent)", len(id), MaxIDLength)}
	}
	return nil
}
