package fakeowui

import "time"

// DefaultVersion is what GET /api/version reports when Options.Version is empty.
const DefaultVersion = "0.12.4"

// Options configures a Server. The zero value emulates Open WebUI 0.11.0
// (the newest verified contract) with default server configuration.
type Options struct {
	// Version is reported by GET /api/version; empty means DefaultVersion.
	Version string
	// Now is the clock for created_at/updated_at; nil means time.Now.
	// Tests inject a fixed clock to get deterministic timestamps.
	Now func() time.Time
	// Sandbox adds the response header "X-OWUI-Fake: sandbox" to every
	// response, so a client can tell it is talking to the fake.
	Sandbox bool
	// Behaviour selects version-specific quirks; see Behaviour.
	Behaviour Behaviour
	// UserPermissions are the permissions every non-admin user holds.
	// Nil means DefaultPermissions().
	UserPermissions *Permissions
}

// Behaviour gathers every place where the fake has to pick one Open WebUI
// release's behaviour over another, or a non-default server setting. The zero
// value is 0.11.0 with default settings; each field says what setting it
// changes, so differences found on newer releases can be applied here.
type Behaviour struct {
	// UpdateKeepsOmittedGrants: 0.9.6–0.11.0 answer POST /model/update
	// without an access_grants key with 500 "Internal Server Error"
	// (issue #28513). Set it to emulate a release that preserves the grants.
	UpdateKeepsOmittedGrants bool
	// UpdateNullKeepsGrants: 0.9.6–0.11.0 answer `"access_grants": null`
	// with 422. Set it to emulate 0.8.0–0.9.5, where null preserves grants.
	UpdateNullKeepsGrants bool
	// ImportReplacesMeta: up to 0.10.x import replaced meta of an existing
	// model; 0.11.0 merges it key-wise.
	ImportReplacesMeta bool
	// ListKeepsParams: before 0.11.0, /list returned params to callers
	// without write access; 0.11.0 replaces them by {}.
	ListKeepsParams bool
	// ModelIDTakenStatus is the status of create with a taken id. Upstream
	// uses 401 (0 means 401); kept configurable in case a release fixes it.
	ModelIDTakenStatus int
	// NoAdminBypass emulates BYPASS_ADMIN_ACCESS_CONTROL=false: admins then
	// need grants to read others' models in list, get, tags and export.
	NoAdminBypass bool
	// DisableAPIKeys emulates ENABLE_API_KEYS=false: every sk- key gets 403.
	DisableAPIKeys bool
	// NoProfileImageForwarding emulates ENABLE_PROFILE_IMAGE_URL_FORWARDING=
	// false: stored http(s) profile URLs fall back to the default image.
	NoProfileImageForwarding bool
}

// Permissions are the Open WebUI user permissions the models routes check.
type Permissions struct {
	WorkspaceModels bool // workspace.models: create
	ModelsImport    bool // workspace.models_import
	ModelsExport    bool // workspace.models_export
	PublicModels    bool // sharing.public_models: may keep user:* grants
	AllowUsers      bool // access_grants.allow_users: may keep per-user grants
	AllowGroups     bool // access_grants.allow_groups: may keep group grants
}

// DefaultPermissions mirrors Open WebUI's defaults: workspace, import, export
// and public sharing are off for users. The defaults of the two newer
// access_grants.* switches were not verified; they are on here so that
// non-admin sharing works unless a test turns it off.
func DefaultPermissions() Permissions {
	return Permissions{AllowUsers: true, AllowGroups: true}
}
