package schemas

// BulkFilter selects models the way list_models does; every given field
// must hold.
type BulkFilter struct {
	Query       string `json:"query,omitempty" jsonschema_description:"As list_models"`
	Tag         string `json:"tag,omitempty" jsonschema_description:"As list_models"`
	BaseModelID string `json:"base_model_id,omitempty" jsonschema_description:"Base model"`
	Owner       string `json:"owner,omitempty" jsonschema_description:"E-mail, name or user id"`
	Active      *bool  `json:"active,omitempty" jsonschema_description:"Enabled"`
}

// BulkSelection picks the models of a bulk call: ids or filter, not both.
type BulkSelection struct {
	IDs    []string    `json:"ids,omitempty" jsonschema_description:"Model ids, or:"`
	Filter *BulkFilter `json:"filter,omitempty" jsonschema_description:"All must match"`
}

type UpdateModelsArgs struct {
	BulkSelection
	Active          *bool      `json:"active,omitempty" jsonschema_description:"Enable or disable"`
	AddTags         []string   `json:"add_tags,omitempty" jsonschema_description:"Tags to add"`
	RemoveTags      []string   `json:"remove_tags,omitempty" jsonschema_description:"Tags to remove"`
	AddGrants       []GrantArg `json:"add_grants,omitempty" jsonschema_description:"Grants to add, as in update_model_access"`
	RemoveGrants    []GrantArg `json:"remove_grants,omitempty" jsonschema_description:"Grants to remove, likewise"`
	CommitMessage   string     `json:"commit_message,omitempty" jsonschema_description:"History note (0.12+)"`
	ContinueOnError bool       `json:"continue_on_error,omitempty" jsonschema_description:"Go on past failures"`
	Confirm
}

type DeleteModelsArgs struct {
	BulkSelection
	ContinueOnError bool `json:"continue_on_error,omitempty" jsonschema_description:"Go on past failures"`
	Confirm
}

// GrantArg is a Grant whose shape update_model_access's schema shows; bulk
// tools validate it the same way but do not repeat it (tools/list budget).
type GrantArg Grant

func (GrantArg) compactInInputSchema() {}

// Failure is one model a bulk call could not change, with the upstream reason.
type Failure struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}
