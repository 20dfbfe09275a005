package schemas

import "encoding/json"

// NeedsClass is the schema keyword (set with the struct tag
// `jsonschema_extras:"x-owui-class=<class>"`) of an argument that only a
// tool class switched on by a flag accepts, such as access grants
// (class "access", --allow-access-changes). The server leaves the argument
// out of the schemas it advertises while that class is off and never
// publishes the keyword itself.
const NeedsClass = "x-owui-class"

// Grant is one access grant in tool arguments.
type Grant struct {
	PrincipalType string `json:"principal_type" jsonschema:"required,enum=user,enum=group"`
	PrincipalID   string `json:"principal_id" jsonschema:"required,minLength=1" jsonschema_description:"User or group id; * = everyone"`
	Permission    string `json:"permission" jsonschema:"required,enum=read,enum=write"`
}

// Confirm are the arguments every mutating tool shares. They carry no
// description: the server instructions say once what they do, and every
// preview says it again next to the token (a description here would be
// paid for on every gated tool in every request).
type Confirm struct {
	DryRun       bool   `json:"dry_run,omitempty"`
	ConfirmToken string `json:"confirm_token,omitempty"`
}

// Model is one model in results. Compact rows fill only id, name,
// base_model_id, is_active, tags, owner, write_access and updated_at; full
// records add the rest.
type Model struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	BaseModelID string          `json:"base_model_id,omitempty"`
	IsActive    bool            `json:"is_active"`
	Tags        []string        `json:"tags,omitempty"`
	Owner       string          `json:"owner,omitempty"`
	WriteAccess *bool           `json:"write_access,omitempty"`
	UpdatedAt   int64           `json:"updated_at,omitempty"`
	CreatedAt   int64           `json:"created_at,omitempty"`
	Description string          `json:"description,omitempty"`
	Meta        json.RawMessage `json:"meta,omitempty"`
	Params      json.RawMessage `json:"params,omitempty"`
	Grants      []Grant         `json:"access_grants,omitzero"`
}

func (Model) opaqueInOutputSchema() {}

// Preview is what a mutating call would do, returned before it runs.
type Preview struct {
	Action   string         `json:"action"`
	Summary  string         `json:"summary"`
	Models   []Affected     `json:"models,omitempty"`
	Access   []AccessDiff   `json:"access,omitempty"`
	Changes  []FieldChange  `json:"changes,omitempty"`
	Counts   map[string]int `json:"counts,omitempty"`
	Warnings []string       `json:"warnings,omitempty"`
	// NotRestored names what a rollback leaves as it is.
	NotRestored []string `json:"not_restored,omitempty"`
	// Text, when set, is the preview's own compact rendering (bulk tools:
	// one line per model keeps hundreds of models readable).
	Text string `json:"-"`
	// People names the users its grants point at (user id → e-mail or
	// name) for the rendering; the structured grants keep the ids.
	People map[string]string `json:"-"`
}

func (Preview) opaqueInOutputSchema() {}

// Affected is one model a call would create, change or delete.
type Affected struct {
	ID     string  `json:"id"`
	Name   string  `json:"name,omitempty"`
	Owner  string  `json:"owner,omitempty"`
	Effect string  `json:"effect"` // create, update, overwrite, delete, unload, restore
	Grants []Grant `json:"access_grants,omitzero"`
}

// AccessDiff is the before → after of one model's grants.
type AccessDiff struct {
	ID     string  `json:"id"`
	Before []Grant `json:"before"`
	After  []Grant `json:"after"`
	Gains  []Grant `json:"gains,omitempty"`
	Loses  []Grant `json:"loses,omitempty"`
}

// FieldChange is one changed field of one model.
type FieldChange struct {
	ID     string `json:"id"`
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

func (FieldChange) opaqueInOutputSchema() {}

// Outcome is the result of every mutating tool: a preview waiting for
// confirmation, a dry run, a refusal by the user (declined), a question
// dismissed or left unanswered (cancelled), or the change done.
type Outcome struct {
	Status       string   `json:"status" jsonschema:"required,enum=done,enum=partial,enum=failed,enum=confirmation_required,enum=dry_run,enum=declined,enum=cancelled" jsonschema_description:"Outcome"`
	Message      string   `json:"message" jsonschema:"required" jsonschema_description:"What happened or what next"`
	Preview      *Preview `json:"preview,omitempty" jsonschema_description:"Planned changes"`
	ConfirmToken string   `json:"confirm_token,omitempty" jsonschema_description:"Pass back to confirm"`
	ExpiresAt    string   `json:"-"` // folded into Message, which agents read
	Backup       string   `json:"backup,omitempty" jsonschema_description:"Backup id"`
	Result       *Result  `json:"result,omitempty" jsonschema_description:"State after"`
}

// Result is what a done mutation left behind.
type Result struct {
	Model    *Model         `json:"model,omitempty"`
	Models   []Model        `json:"models,omitempty"`
	Deleted  []string       `json:"deleted,omitempty"`
	Provider map[string]any `json:"provider_response,omitempty"`
	// Bulk calls: what was changed, what failed (with the upstream reason)
	// and what was not attempted after a failure stopped the run.
	Changed      []string  `json:"changed,omitempty"`
	Failed       []Failure `json:"failed,omitempty"`
	NotAttempted []string  `json:"not_attempted,omitempty"`
}

func (Result) opaqueInOutputSchema() {}

// Confirmation reports the dry-run flag and the confirm_token of a call.
func (c Confirm) Confirmation() (dryRun bool, token string) { return c.DryRun, c.ConfirmToken }
