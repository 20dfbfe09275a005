package schemas

// BulkFilter selects models the way list_models does; every given field
// must hold.
type BulkFilter struct {
	Query       string `json:"query,omitempty"`
	Tag         string `json:"tag,omitempty"`
	BaseModelID string `json:"base_model_id,omitempty"`
	Owner       string `json:"owner,omitempty" jsonschema_description:"E-mail, name or user id"`
	Active      *bool  `json:"active,omitempty"`
}

// BulkSelection picks the models of a bulk call: ids or filter, not both.
type BulkSelection struct {
	IDs    []string    `json:"ids,omitempty"`
	Filter *BulkFilter `json:"filter,omitempty" jsonschema_description:"Fields as in list_models; all must match"`
}

type UpdateModelsArgs struct {
	BulkSelection
	Active          *bool      `json:"active,omitempty"`
	AddTags         []string   `json:"add_tags,omitempty"`
	RemoveTags      []string   `json:"remove_tags,omitempty"`
	AddGrants       []GrantArg `json:"add_grants,omitempty" jsonschema_extras:"x-owui-class=access" jsonschema_description:"As in update_model_access"`
	RemoveGrants    []GrantArg `json:"remove_grants,omitempty" jsonschema_extras:"x-owui-class=access" jsonschema_description:"Likewise"`
	CommitMessage   string     `json:"commit_message,omitempty"`
	ContinueOnError bool       `json:"continue_on_error,omitempty"`
	Confirm
}

type DeleteModelsArgs struct {
	IDs             []string   `json:"ids,omitempty"`
	Filter          *FilterArg `json:"filter,omitempty" jsonschema_description:"As in update_models"`
	ContinueOnError bool       `json:"continue_on_error,omitempty"`
	Confirm
}

// FilterArg is a BulkFilter whose shape update_models's schema shows:
// delete_models validates it the same way but does not repeat it (both are
// listed whenever delete_models is).
type FilterArg BulkFilter

func (FilterArg) compactInInputSchema() {}

// Selection is the models a delete_models call picks.
func (a DeleteModelsArgs) Selection() BulkSelection {
	return BulkSelection{IDs: a.IDs, Filter: (*BulkFilter)(a.Filter)}
}

// GrantList is access grants whose shape update_model_access's schema
// shows: create_model and update_model validate them the same way but do not
// repeat it (their access_grants are listed only when update_model_access
// is, see NeedsClass).
type GrantList []Grant

func (GrantList) compactInInputSchema() {}

// GrantArg is a Grant whose shape update_model_access's schema shows; bulk
// tools validate it the same way but do not repeat it (tools/list budget).
type GrantArg Grant

func (GrantArg) compactInInputSchema() {}

// Failure is one model a bulk call could not change, with the upstream reason.
type Failure struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}
