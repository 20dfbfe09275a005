package schemas

// Arguments and results of each tool, in tool order.

type ListModelsArgs struct {
	Query      string `json:"query,omitempty" jsonschema_description:"Text in name, base model or owner"`
	ViewOption string `json:"view_option,omitempty" jsonschema:"enum=created,enum=shared" jsonschema_description:"Own or others' only"`
	Tag        string `json:"tag,omitempty"`
	OrderBy    string `json:"order_by,omitempty" jsonschema:"enum=name,enum=created_at,enum=updated_at"`
	Direction  string `json:"direction,omitempty" jsonschema:"enum=asc,enum=desc"`
	Page       int    `json:"page,omitempty" jsonschema:"minimum=1"`
	All        bool   `json:"all,omitempty"`
	Limit      int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=10000" jsonschema_description:"Default 200"`
	Detail     string `json:"detail,omitempty" jsonschema:"enum=compact,enum=full"`
}

type ListModelsResult struct {
	Models    []Model `json:"models" jsonschema_description:"Models"`
	Total     int     `json:"total" jsonschema_description:"Matches"`
	Page      int     `json:"page,omitempty" jsonschema_description:"Page"`
	Pages     int     `json:"pages" jsonschema_description:"Pages of 30"`
	Truncated bool    `json:"truncated,omitempty" jsonschema_description:"Cut at limit"`
}

type IDArgs struct {
	ID string `json:"id" jsonschema:"required,minLength=1"`
}

type ModelResult struct {
	Model Model `json:"model" jsonschema_description:"The model"`
}

type ProfileImageResult struct {
	ID       string `json:"id" jsonschema_description:"Model id"`
	Kind     string `json:"kind" jsonschema:"enum=image,enum=url,enum=default" jsonschema_description:"What was found"`
	MIMEType string `json:"mime_type,omitempty" jsonschema_description:"MIME type"`
	Bytes    int    `json:"bytes,omitempty" jsonschema_description:"Size"`
	URL      string `json:"url,omitempty" jsonschema_description:"External URL"`
}

type NoArgs struct{}

type TagsResult struct {
	Tags []string `json:"tags" jsonschema_description:"Tags"`
}

type ModelsResult struct {
	Models []Model `json:"models" jsonschema_description:"Models"`
	Count  int     `json:"count" jsonschema_description:"Count"`
}

type ProviderModel struct {
	ID      string         `json:"id"`
	Name    string         `json:"name,omitempty"`
	OwnedBy string         `json:"owned_by,omitempty"`
	Raw     map[string]any `json:"raw,omitempty"`
}

func (ProviderModel) opaqueInOutputSchema() {}

type BaseDirectArgs struct {
	Detail string `json:"detail,omitempty" jsonschema:"enum=compact,enum=full"`
}

type ProviderModelsResult struct {
	Models []ProviderModel `json:"models" jsonschema_description:"Models"`
	Count  int             `json:"count" jsonschema_description:"Count"`
}

type CreateModelArgs struct {
	ID            string         `json:"id" jsonschema:"required,minLength=1,maxLength=256"`
	Name          string         `json:"name" jsonschema:"required,minLength=1"`
	BaseModelID   string         `json:"base_model_id,omitempty"`
	Description   string         `json:"description,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	System        string         `json:"system,omitempty" jsonschema_description:"System prompt"`
	Meta          map[string]any `json:"meta,omitempty" jsonschema_description:"More meta keys"`
	Params        map[string]any `json:"params,omitempty" jsonschema_description:"More params keys, e.g. temperature"`
	IsActive      *bool          `json:"is_active,omitempty"`
	AccessGrants  GrantList      `json:"access_grants,omitempty" jsonschema_extras:"x-owui-class=access" jsonschema_description:"As in update_model_access (confirmed)"`
	CommitMessage string         `json:"commit_message,omitempty" jsonschema:"maxLength=500"`
	Confirm
}

type UpdateModelArgs struct {
	ID            string         `json:"id" jsonschema:"required,minLength=1"`
	Name          string         `json:"name,omitempty"`
	BaseModelID   string         `json:"base_model_id,omitempty"`
	Description   *string        `json:"description,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	System        *string        `json:"system,omitempty" jsonschema_description:"System prompt"`
	Meta          map[string]any `json:"meta,omitempty"`
	Params        map[string]any `json:"params,omitempty"`
	IsActive      *bool          `json:"is_active,omitempty"`
	AccessGrants  GrantList      `json:"access_grants,omitempty" jsonschema_extras:"x-owui-class=access" jsonschema_description:"Replace all, as in update_model_access (confirmed); default kept"`
	CommitMessage string         `json:"commit_message,omitempty" jsonschema:"maxLength=500"`
	Confirm
}

type ToggleModelArgs struct {
	ID     string `json:"id" jsonschema:"required,minLength=1"`
	Active *bool  `json:"active,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
}

type DeleteModelArgs struct {
	ID string `json:"id" jsonschema:"required,minLength=1"`
	Confirm
}

type UpdateAccessArgs struct {
	ID           string  `json:"id" jsonschema:"required,minLength=1"`
	AccessGrants []Grant `json:"access_grants" jsonschema:"required" jsonschema_description:"Grants ([] = private)"`
	Mode         string  `json:"mode,omitempty" jsonschema:"enum=replace,enum=add,enum=remove"`
	Name         string  `json:"name,omitempty" jsonschema_description:"Name if a record is created"`
	Confirm
}

type ConfirmOnlyArgs struct {
	Confirm
}

type ImportModelsArgs struct {
	Models []map[string]any `json:"models" jsonschema:"required,minItems=1" jsonschema_description:"As export_models gives"`
	Confirm
}

type SyncModelsArgs struct {
	Models []map[string]any `json:"models" jsonschema:"required" jsonschema_description:"ALL wanted records"`
	Confirm
}

type UnloadModelArgs struct {
	Model string `json:"model" jsonschema:"required,minLength=1"`
	Confirm
}

type ListBackupsArgs struct {
	Limit int `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000" jsonschema_description:"Default 50"`
}

type BackupInfo struct {
	ID        string `json:"id"`
	Time      string `json:"time"`
	Tool      string `json:"tool"`
	Operation string `json:"operation"`
	Models    int    `json:"models"`
}

func (BackupInfo) opaqueInOutputSchema() {}

type ListBackupsResult struct {
	Backups  []BackupInfo     `json:"backups" jsonschema_description:"Newest first"`
	Dir      string           `json:"dir" jsonschema_description:"Directory"`
	Unusable []UnusableBackup `json:"unusable,omitempty" jsonschema_description:"Files named like backups that cannot be used, and why"`
}

type UnusableBackup struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

type RestoreModelsArgs struct {
	Backup string   `json:"backup" jsonschema:"required,minLength=1"`
	IDs    []string `json:"ids,omitempty" jsonschema_description:"Only these ids"`
	Confirm
}

// Confirmation: toggle never needs a token; it only has dry_run.
func (a ToggleModelArgs) Confirmation() (dryRun bool, token string) { return a.DryRun, "" }
