package fakeowui

import (
	"fmt"
	"strings"
	"time"
)

// DefaultVersion is what GET /api/version reports when Options.Version is empty.
const DefaultVersion = "0.12.4"

// Options configures a Server. The zero value emulates Open WebUI 0.12.4, as
// recorded against a live server in docs/openwebui-compatibility.md, with
// default server configuration.
type Options struct {
	// Version is reported by GET /api/version; empty means DefaultVersion.
	// It changes nothing else: behaviour is chosen by Behaviour.
	Version string
	// Now is the clock for created_at/updated_at; nil means time.Now.
	// Tests inject a fixed clock to get deterministic timestamps.
	Now func() time.Time
	// Sandbox adds the response header "X-OWUI-Fake: sandbox" to every
	// response, so a client can tell it is talking to the fake.
	Sandbox bool
	// RequestLogLimit keeps only the newest N requests in the log (0 keeps
	// all, for tests). --demo sets it, so a long session stays bounded.
	RequestLogLimit int
	// Behaviour selects version-specific quirks; see Behaviour.
	Behaviour Behaviour
	// UserPermissions are the permissions every non-admin user holds.
	// Nil means DefaultPermissions().
	UserPermissions *Permissions
	// Users are more (non-admin) users besides the two built-in ones: they
	// have no API key, and exist for user lookups, grants and sessions.
	Users []User
}

// User is one extra user of Options.Users.
type User struct {
	ID, Email, Name string
}

// Behaviour gathers every place where the fake has to pick one Open WebUI
// release's behaviour over another, or a non-default server setting.
//
// The zero value is 0.12.4 with default settings. Each release switch brings
// back one older behaviour, as the contract document
// (shared/reference/openwebui-models-api.md, up to 0.11.0) describes it, and
// says which releases behave that way. Behaviour011 sets all of those that
// 0.11.0 needs.
type Behaviour struct {
	// --- POST /model/update ---

	// UpdateAppliesGrants: 0.8.0–0.11.0 apply the form's access_grants on
	// update, and on import over an existing model: a list replaces the
	// grants (filtered silently for non-admins), [] clears them. 0.12.4
	// ignores access_grants there (absent, null, [] or a list all leave
	// the grants unchanged); grants change only through
	// /model/access/update.
	UpdateAppliesGrants bool
	// UpdateKeepsOmittedGrants only matters with UpdateAppliesGrants.
	// 0.9.6–0.11.0 answer an update without an access_grants key with a
	// plain-text 500 (issue #28513); set it to emulate 0.8.0–0.9.5, which
	// keep the grants.
	UpdateKeepsOmittedGrants bool
	// UpdateNullKeepsGrants only matters with UpdateAppliesGrants.
	// 0.9.6–0.11.0 type ModelForm.access_grants as a non-nullable list, so
	// `"access_grants": null` is a 422 on create and update and a 500 from
	// import. Set it to emulate 0.8.0–0.9.5, where null is accepted and
	// update keeps the grants. (0.12.4 accepts null everywhere.)
	UpdateNullKeepsGrants bool
	// UpdateResetsOmittedIsActive: ≤0.11.0 default an omitted is_active to
	// true on update, re-enabling a disabled model. 0.12.4 keeps the
	// stored value; an explicit true/false still sets it.
	UpdateResetsOmittedIsActive bool
	// DBFailureAnswersFalsy: while FailDB is on, ≤0.11.0 answer update with
	// 200 null, delete and delete/all with 200 false, sync with 200 [] and
	// create with 401 "Something went wrong :/". 0.12.4 raises: a
	// plain-text 500 "Internal Server Error" for all of them.
	DBFailureAnswersFalsy bool

	// --- schema and ids ---

	// UntypedMetaAndParams: ≤0.11.0 treat meta and params as free objects.
	// Responses carry only the stored meta keys, and meta's typed keys and
	// params.model_controls are not checked. 0.12.4 always returns the typed
	// ModelMeta keys (profile_image_url, background_image_url, description,
	// i18n, capabilities, knowledge, voice, voice_avatar), null when unset,
	// and 422s a wrongly typed one.
	UntypedMetaAndParams bool
	// NoModelHistory: ≤0.11.0 have no model history. Responses carry no
	// version_id, commit_message is ignored, and /model/history,
	// /model/history/{id} and /model/update/version do not exist (the SPA
	// page or 405 answers). 0.12.4 keeps a history entry per changed
	// snapshot and returns the current one's id as version_id.
	NoModelHistory bool
	// WhitespaceIDsAllowed: ≤0.11.0 only require a model id to be non-empty
	// and at most 256 characters, so "a b" can be created, updated, shared
	// and imported; an empty id gives 400 MODEL_ID_TOO_LONG. 0.12.4 types
	// the id of create, update and access/update as `^\S+$` (422
	// string_pattern_mismatch for empty or whitespace ids) and import skips
	// such ids. Rows that already have one still list, read, toggle and
	// delete.
	WhitespaceIDsAllowed bool
	// KeepsSelfBaseModelID: ≤0.11.0 store a base_model_id equal to the id
	// as given; 0.12.4 stores null instead (create, update, import).
	KeepsSelfBaseModelID bool

	// --- create and import ---

	// CreateChecksTakenBeforeID: ≤0.11.0 check permission, then a taken id
	// (401), then the id rules (400). 0.12.4 checks the id before the taken
	// id.
	CreateChecksTakenBeforeID bool
	// ModelIDTakenStatus is the status of create with a taken id. Upstream
	// uses 401 (0 means 401); kept configurable in case a release fixes it.
	ModelIDTakenStatus int
	// NoNonAdminBaseModelChecks: ≤0.11.0 lack 0.12.4's base-model rules for
	// non-admins, which answer create without base_model_id with 401
	// "401 Unauthorized", create or import with the id of a live provider
	// model with 401 MODEL_ID_TAKEN, and an update that clears a
	// base_model_id with 401 "401 Unauthorized"; import skips such elements
	// silently.
	NoNonAdminBaseModelChecks bool
	// NoSharingModelsPermission: ≤0.11.0 do not consult sharing.models
	// (Permissions.ShareModels); a non-admin's grants are only checked
	// audience by audience. 0.12.4 drops (create, import) or rejects
	// (access/update) every grant of a non-admin without it.
	NoSharingModelsPermission bool
	// ImportInvalidElementIs500: ≤0.11.0 answer an import element that
	// fails ModelForm validation with 500; 0.12.4 with 400. The detail is
	// pydantic's text either way, and earlier elements stay imported.
	ImportInvalidElementIs500 bool
	// ImportSkipsUnwritable: 0.9.0–0.11.0 silently skip an import element
	// that would overwrite a model the non-admin caller cannot write;
	// 0.12.4 answers 401 MODEL_ID_TAKEN (earlier elements stay imported).
	ImportSkipsUnwritable bool
	// ImportReplacesMeta: up to 0.10.x import replaced meta of an existing
	// model; 0.11.0 and 0.12.4 merge it key-wise.
	ImportReplacesMeta bool

	// --- access/update, sync, export ---

	// AccessUpdateFiltersGrants: ≤0.11.0 silently drop the grants of
	// /model/access/update that the caller may not give. 0.12.4 answers
	// 403 "You do not have permission to share with the requested
	// audience" and changes nothing (malformed items and duplicates are
	// still dropped silently). This applies to admins too for "anyone".
	AccessUpdateFiltersGrants bool
	// SyncTakesOverRows: ≤0.11.0 make the caller the owner of every listed
	// row, replace its grants by the listed ones, store the listed
	// created_at, and answer every row after the sync. 0.12.4 keep owner,
	// created_at and grants of listed rows that exist, give new rows the
	// caller, now and the listed grants, and answer the written rows in
	// list order.
	SyncTakesOverRows bool
	// SyncLocksOnSQLite (with SyncTakesOverRows): 0.9.6–0.11.x on their
	// default SQLite database fail a sync that lists a row which exists
	// ("database is locked": grants are written through a second
	// connection while the first holds the write lock). Open WebUI rolls
	// back and answers 200 [] after a 5 s busy timeout; the fake answers
	// at once. Verified on 0.11.4, 0.10.2 and 0.9.6.
	SyncLocksOnSQLite bool
	// SyncReplacesGrants: 0.12.3 keeps owner and created_at of listed rows
	// that exist, as 0.12.4 does, but replaces their grants with the
	// listed ones (its update path applies a given access_grants list).
	SyncReplacesGrants bool
	// ExportIsPlainModelModel: ≤0.11.0 export plain ModelModel items and
	// ignore ?ids=. 0.12.4 adds background_image_data to each item and,
	// given ?ids=, exports only those, answering 403 ACCESS_PROHIBITED when
	// one of them is not exportable.
	ExportIsPlainModelModel bool

	// --- reads ---

	// ListKeepsParams: before 0.11.0, /list returned params to callers
	// without write access; 0.11.0 and later replace them by {}.
	ListKeepsParams bool
	// ProfileImageIgnoresAccess: ≤0.11.0 serve any model's profile image to
	// any verified user. 0.12.4 check read access and redirect callers who
	// cannot read the model to the default favicon.
	ProfileImageIgnoresAccess bool
	// NoAllModelsRoute: ≤0.11.0 have no GET /api/v1/models/all (the SPA page
	// answers).
	NoAllModelsRoute bool
	// UnloadIgnoresBaseChain: before 0.10.0 POST /api/models/unload only
	// knows provider models; a custom model's id is a 404 "Model \"id\"
	// not found" (0.10.0 follows the base_model_id chain). Verified on
	// 0.9.6.
	UnloadIgnoresBaseChain bool
	// NoBaseModelTagsRoute: before 0.10.0 there is no
	// GET /api/v1/models/base/tags (the SPA page answers 200 text/html).
	NoBaseModelTagsRoute bool
	// VersionWithoutDeploymentID: ≤0.11.0 answer GET /api/version with
	// {"version"} only; 0.12.4 adds "deployment_id":"".
	VersionWithoutDeploymentID bool

	// --- authentication ---

	// JWTErrorSaysInvalidToken: ≤0.11.0 answer a bearer that is neither an
	// sk- key nor a valid session token with 401 "Invalid token"; 0.12.4
	// says "401 Unauthorized".
	JWTErrorSaysInvalidToken bool
	// SessionRoutesAcceptAPIKeys: ≤0.11.0 answer GET /api/v1/auths/ for sk-
	// keys too. 0.12.4 requires a human session (a JWT, see IssueSession)
	// and answers sk- keys with 403 "A human session is required.".
	SessionRoutesAcceptAPIKeys bool

	// --- provider maps (all releases) ---

	// ProviderMapsFilledAtStart emulates ENABLE_BASE_MODELS_CACHE=true: the
	// provider maps that POST /api/models/unload consults are filled at
	// startup. By default they start empty, as after a restart, and only
	// GET /api/models, GET /api/v1/models and GET /api/models/base fill
	// them, so an unload before any listing is a 404.
	ProviderMapsFilledAtStart bool
	// UnloadKeepsProviderMaps turns off a quirk found on 0.12.4 (and
	// probably older releases): a successful unload empties the map of its
	// connection type, so the next unload of any model of that type is a
	// 404 until a listing refills it. This is not a release difference,
	// only a convenience for tests.
	UnloadKeepsProviderMaps bool

	// --- server settings (all releases) ---

	// NoAdminBypass emulates BYPASS_ADMIN_ACCESS_CONTROL=false: admins then
	// need grants to read others' models in list, get, tags, export,
	// profile image and history.
	NoAdminBypass bool
	// DisableAPIKeys emulates ENABLE_API_KEYS=false: every known sk- key
	// gets 403.
	DisableAPIKeys bool
	// NoProfileImageForwarding emulates ENABLE_PROFILE_IMAGE_URL_FORWARDING=
	// false: stored http(s) profile URLs fall back to the default image.
	NoProfileImageForwarding bool
}

// Behaviour011 returns the release switches that make the fake behave like
// Open WebUI 0.11.0 as the contract document describes it. Server settings,
// the switches for releases before 0.11.0 (ImportReplacesMeta,
// ListKeepsParams, UpdateKeepsOmittedGrants, UpdateNullKeepsGrants) and the
// provider-map switches stay off.
func Behaviour011() Behaviour {
	return Behaviour{
		UpdateAppliesGrants:         true,
		UpdateResetsOmittedIsActive: true,
		DBFailureAnswersFalsy:       true,
		UntypedMetaAndParams:        true,
		NoModelHistory:              true,
		WhitespaceIDsAllowed:        true,
		KeepsSelfBaseModelID:        true,
		CreateChecksTakenBeforeID:   true,
		NoNonAdminBaseModelChecks:   true,
		NoSharingModelsPermission:   true,
		ImportInvalidElementIs500:   true,
		ImportSkipsUnwritable:       true,
		AccessUpdateFiltersGrants:   true,
		SyncTakesOverRows:           true,
		ExportIsPlainModelModel:     true,
		ProfileImageIgnoresAccess:   true,
		NoAllModelsRoute:            true,
		VersionWithoutDeploymentID:  true,
		JWTErrorSaysInvalidToken:    true,
		SessionRoutesAcceptAPIKeys:  true,
	}
}

// nullGrantsRejected reports the 0.9.6–0.11.0 typing of
// ModelForm.access_grants as a non-nullable list.
func (b Behaviour) nullGrantsRejected() bool {
	return b.UpdateAppliesGrants && !b.UpdateNullKeepsGrants
}

// Permissions are the Open WebUI user permissions the models routes check.
type Permissions struct {
	WorkspaceModels bool // workspace.models: create
	ModelsImport    bool // workspace.models_import
	ModelsExport    bool // workspace.models_export
	ShareModels     bool // sharing.models (0.12.4): may give any grant at all
	PublicModels    bool // sharing.public_models: may give user:* grants
	AllowUsers      bool // access_grants.allow_users: may give per-user grants
	AllowGroups     bool // access_grants.allow_groups: may give group grants
}

// DefaultPermissions mirrors Open WebUI's defaults, verified on 0.12.4:
// workspace.* and sharing.* are off for users, access_grants.allow_users
// and access_grants.allow_groups are on. (features.api_keys, off by
// default, is taken as granted: UserKey always works.)
func DefaultPermissions() Permissions {
	return Permissions{AllowUsers: true, AllowGroups: true}
}

// BehaviourFor returns the release switches of Open WebUI version v as the
// end-to-end matrix verified them on real servers (0.12.4, 0.12.3, 0.11.4,
// 0.10.2, 0.9.6; docs/openwebui-compatibility.md). Versions between those
// get the switches of the nearest verified release below; an empty or
// unparsable version, or one newer than 0.12.4, gets 0.12.4's (the zero
// value). Server settings and the provider-map switches stay off.
func BehaviourFor(v string) Behaviour {
	r, ok := parseRelease(v)
	if !ok || !r.before(release{0, 12, 4}) {
		return Behaviour{}
	}
	if !r.before(release{0, 12, 0}) {
		// 0.12.3 (verified; 0.12.0–0.12.2 assumed alike): 0.12.4's model
		// surface, but update and import apply a given access_grants list
		// (absent or null keeps the grants), no sharing.models permission,
		// access/update filters refused grants silently, and import skips
		// models the caller cannot write.
		return Behaviour{UpdateAppliesGrants: true, UpdateKeepsOmittedGrants: true, UpdateNullKeepsGrants: true,
			NoSharingModelsPermission: true, AccessUpdateFiltersGrants: true, ImportSkipsUnwritable: true,
			SyncReplacesGrants: true}
	}
	if !r.before(release{0, 11, 0}) {
		// 0.11.4 (verified; 0.11.0–0.11.3 assumed alike) is much closer
		// to 0.12.3 than the 0.11.0 contract said: typed meta (six keys,
		// no voice ones), ids typed ^\S+$, self base ids healed to null,
		// 0.12's create and import order and non-admin base-model rules,
		// export with ?ids= and background_image_data, /all, read access
		// checked for profile images, and an update without access_grants
		// keeps them. It still has no history, re-enables a model on an
		// update without is_active, answers DB failures falsy, takes
		// listed rows over on sync (which fails on SQLite) and accepts
		// API keys on session routes.
		return Behaviour{UpdateAppliesGrants: true, UpdateKeepsOmittedGrants: true, UpdateNullKeepsGrants: true,
			UpdateResetsOmittedIsActive: true, DBFailureAnswersFalsy: true, NoModelHistory: true,
			NoSharingModelsPermission: true, AccessUpdateFiltersGrants: true, ImportSkipsUnwritable: true,
			SyncTakesOverRows: true, SyncLocksOnSQLite: true, JWTErrorSaysInvalidToken: true, SessionRoutesAcceptAPIKeys: true}
	}
	// 0.10.2 and 0.9.6: the 0.11.0 contract's switches, plus the
	// pre-0.11 ones, plus the sync failure on SQLite.
	b := Behaviour011()
	b.SyncLocksOnSQLite = true
	b.ImportReplacesMeta = true
	b.ListKeepsParams = true
	if r.before(release{0, 10, 0}) {
		b.NoBaseModelTagsRoute = true
		b.UnloadIgnoresBaseChain = true
	}
	return b
}

type release struct{ major, minor, patch int }

func (r release) before(o release) bool {
	if r.major != o.major {
		return r.major < o.major
	}
	if r.minor != o.minor {
		return r.minor < o.minor
	}
	return r.patch < o.patch
}

func parseRelease(s string) (release, bool) {
	var r release
	n, err := fmt.Sscanf(strings.TrimPrefix(strings.TrimSpace(s), "v"), "%d.%d.%d", &r.major, &r.minor, &r.patch)
	return r, err == nil && n == 3
}
