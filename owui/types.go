package owui

// Grant is one access grant as Open WebUI accepts it in forms (0.8.0+):
// principal_type "user" or "group", principal_id a user id, a group id or
// "*" (everyone), permission "read" or "write".
type Grant struct {
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Permission    string `json:"permission"`
}

// AccessGrant is a grant as Open WebUI returns it, with server-assigned fields.
type AccessGrant struct {
	ID            string `json:"id,omitempty"`
	ResourceType  string `json:"resource_type,omitempty"`
	ResourceID    string `json:"resource_id,omitempty"`
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Permission    string `json:"permission"`
	CreatedAt     int64  `json:"created_at,omitempty"`
}

// Grant reduces a returned grant to the three fields a form takes.
func (g AccessGrant) Grant() Grant {
	return Grant{PrincipalType: g.PrincipalType, PrincipalID: g.PrincipalID, Permission: g.Permission}
}

// User is Open WebUI's UserResponse (the owner attached to list items, and
// the answer of GET /api/v1/auths/).
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
}

// Model is Open WebUI's ModelModel, plus the optional fields of
// ModelUserResponse (user) and ModelAccessResponse (write_access).
// Meta and Params are kept as the JSON Open WebUI sent (see Object): Open
// WebUI stores any extra keys verbatim, so a typed struct would lose them on
// a round trip, and most reads only pass them through.
type Model struct {
	// VersionID is the id of the current history snapshot (Open WebUI
	// 0.12+; empty before): it changes whenever a write changes the
	// record's snapshot. Read-only: never sent back.
	VersionID    string        `json:"version_id,omitempty"`
	ID           string        `json:"id"`
	UserID       string        `json:"user_id"`
	BaseModelID  *string       `json:"base_model_id"`
	Name         string        `json:"name"`
	Params       Object        `json:"params"`
	Meta         Object        `json:"meta"`
	AccessGrants []AccessGrant `json:"access_grants"`
	IsActive     bool          `json:"is_active"`
	UpdatedAt    int64         `json:"updated_at"`
	CreatedAt    int64         `json:"created_at"`
	User         *User         `json:"user,omitempty"`
	WriteAccess  *bool         `json:"write_access,omitempty"`
}

// Grants returns the model's grants reduced to form grants (never nil).
func (m Model) Grants() []Grant {
	out := make([]Grant, 0, len(m.AccessGrants))
	for _, g := range m.AccessGrants {
		out = append(out, g.Grant())
	}
	return out
}

// CanWrite reports whether the caller may write the model, as far as the
// response says: write_access is absent on some routes (toggle, export) and
// in 0.6.x, and then we do not know, so we answer true and let upstream decide.
func (m Model) CanWrite() bool { return m.WriteAccess == nil || *m.WriteAccess }

// ModelForm is the body of create and update (Open WebUI's ModelForm).
// AccessGrants is always sent (never omitted, never null): omitted grants make
// update answer 500 on 0.9.6+, null answers 422, and [] clears every share.
type ModelForm struct {
	ID           string         `json:"id"`
	BaseModelID  *string        `json:"base_model_id"`
	Name         string         `json:"name"`
	Meta         map[string]any `json:"meta"`
	Params       map[string]any `json:"params"`
	AccessGrants []Grant        `json:"access_grants"`
	IsActive     bool           `json:"is_active"`
	// CommitMessage is stored in the history entry the write creates
	// (0.12+). The client drops it for older servers.
	CommitMessage string `json:"commit_message,omitempty"`
}

// Form returns the form that writes m back unchanged: the current grants
// re-sent, is_active and base_model_id kept, server-injected read-only keys
// (meta.chat_variables_schema) removed.
func (m Model) Form() ModelForm {
	meta, params := m.Meta.Map(), m.Params.Map()
	if meta == nil {
		meta = map[string]any{}
	}
	if params == nil {
		params = map[string]any{}
	}
	delete(meta, "chat_variables_schema")
	return ModelForm{
		ID:           m.ID,
		BaseModelID:  m.BaseModelID,
		Name:         m.Name,
		Meta:         meta,
		Params:       params,
		AccessGrants: m.Grants(),
		IsActive:     m.IsActive,
	}
}

// normalize makes the form safe to send: objects never null, grants never null.
func (f ModelForm) normalize() ModelForm {
	if f.Meta == nil {
		f.Meta = map[string]any{}
	}
	if f.Params == nil {
		f.Params = map[string]any{}
	}
	if f.AccessGrants == nil {
		f.AccessGrants = []Grant{}
	}
	return f
}

// ModelList is the {items,total} envelope of GET /api/v1/models/list.
type ModelList struct {
	Items []Model `json:"items"`
	Total int     `json:"total"`
}

// ListParams are the filters of GET /api/v1/models/list. Empty fields are
// not sent.
type ListParams struct {
	Query      string
	ViewOption string // "created" or "shared"
	Tag        string
	OrderBy    string // name, created_at, updated_at
	Direction  string // asc or desc
	Page       int    // 1-based; 0 means 1
}

// PageSize is Open WebUI's fixed page size for /models/list.
const PageSize = 30

// AccessForm is the body of POST /api/v1/models/model/access/update.
type AccessForm struct {
	ID           string  `json:"id"`
	Name         *string `json:"name,omitempty"`
	AccessGrants []Grant `json:"access_grants"`
}

// ProfileImage is what GET /model/profile/image answered: stored bytes, a
// redirect to an external URL (never fetched), or Open WebUI's default image.
type ProfileImage struct {
	Kind     string // "image", "url" or "default"
	MIMEType string
	Data     []byte
	URL      string
}

// ProviderModel is one entry of GET /api/models/base: a live model of a
// connected provider, kept as the provider's free-form object.
type ProviderModel map[string]any
