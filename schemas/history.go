package schemas

// Arguments and results of the model-history tools (Open WebUI 0.12+).

type ListModelHistoryArgs struct {
	ID    string `json:"id" jsonschema:"required,minLength=1"`
	Page  int    `json:"page,omitempty" jsonschema:"minimum=1"`
	All   bool   `json:"all,omitempty"`
	Limit int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=10000" jsonschema_description:"Default 200"`
}

// Version is one entry of a model's history.
type Version struct {
	VersionID     string `json:"version_id"`
	Time          string `json:"time"`
	CreatedAt     int64  `json:"created_at"`
	Author        string `json:"author"`
	CommitMessage string `json:"commit_message,omitempty"`
	ParentID      string `json:"parent_id,omitempty"`
	Current       bool   `json:"current,omitempty"`
}

func (Version) opaqueInOutputSchema() {}

type ListModelHistoryResult struct {
	ID               string    `json:"id" jsonschema_description:"Model id"`
	CurrentVersionID string    `json:"current_version_id,omitempty" jsonschema_description:"Model's version_id"`
	Versions         []Version `json:"versions" jsonschema_description:"Newest first"`
	Page             int       `json:"page,omitempty" jsonschema_description:"Page"`
	More             bool      `json:"more,omitempty" jsonschema_description:"Next page may exist"`
	Truncated        bool      `json:"truncated,omitempty" jsonschema_description:"Cut at limit"`
}

type GetModelVersionArgs struct {
	ID          string `json:"id" jsonschema:"required,minLength=1"`
	VersionID   string `json:"version_id" jsonschema:"required,minLength=1"`
	DiffAgainst string `json:"diff_against,omitempty"`
}

// Snapshot is what a version keeps of a model.
type Snapshot struct {
	Name        string         `json:"name"`
	BaseModelID string         `json:"base_model_id,omitempty"`
	Meta        map[string]any `json:"meta"`
	Params      map[string]any `json:"params"`
}

func (Snapshot) opaqueInOutputSchema() {}

type GetModelVersionResult struct {
	ID       string        `json:"id" jsonschema_description:"Model id"`
	Version  Version       `json:"version" jsonschema_description:"The version"`
	Snapshot Snapshot      `json:"snapshot" jsonschema_description:"Its stored fields"`
	Against  string        `json:"against" jsonschema_description:"current or diff_against"`
	Changes  []FieldChange `json:"changes" jsonschema_description:"against → this version"`
	Notes    []string      `json:"notes,omitempty" jsonschema_description:"Not versioned"`
}

type RollbackModelArgs struct {
	ID            string `json:"id" jsonschema:"required,minLength=1"`
	VersionID     string `json:"version_id" jsonschema:"required,minLength=1"`
	CommitMessage string `json:"commit_message,omitempty" jsonschema:"maxLength=500" jsonschema_description:"Why; kept in the backup"`
	Confirm
}

type DeleteModelVersionArgs struct {
	ID        string `json:"id" jsonschema:"required,minLength=1"`
	VersionID string `json:"version_id" jsonschema:"required,minLength=1"`
	Confirm
}
