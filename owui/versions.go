package owui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Release is a parsed Open WebUI version number (major.minor.patch).
type Release struct{ Major, Minor, Patch int }

// ParseRelease reads "0.12.4" (a leading "v" and a "-suffix" or "+build"
// are tolerated). ok is false for anything else.
func ParseRelease(s string) (r Release, ok bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+ "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Release{}, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Release{}, false
		}
		n[i] = v
	}
	return Release{n[0], n[1], n[2]}, true
}

func (r Release) String() string { return fmt.Sprintf("%d.%d.%d", r.Major, r.Minor, r.Patch) }

// Before reports whether r is an older release than o.
func (r Release) Before(o Release) bool {
	if r.Major != o.Major {
		return r.Major < o.Major
	}
	if r.Minor != o.Minor {
		return r.Minor < o.Minor
	}
	return r.Patch < o.Patch
}

// The range the end-to-end matrix verifies (docs/openwebui-compatibility.md).
var (
	OldestVerified = Release{0, 9, 6}
	NewestVerified = Release{0, 12, 4}
)

// Feature is an upstream route that not every supported release has.
type Feature struct {
	Name string  // what the agent reads, e.g. "base-model tags"
	Min  Release // the first release that has it
}

// Features whose routes older releases lack (the SPA page answers instead).
var (
	FeatureBaseModelTags = Feature{Name: "base-model tags (GET /api/v1/models/base/tags)", Min: Release{0, 10, 0}}
	FeatureModelHistory  = Feature{Name: "model history (/api/v1/models/model/history)", Min: Release{0, 12, 0}}
	FeatureAllModels     = Feature{Name: "all model rows (GET /api/v1/models/all)", Min: Release{0, 12, 0}}
)

// featureOfPath names the feature of a path that some releases lack, so
// that an SPA answer there names the release needed.
var featureOfPath = map[string]Feature{
	pathBaseTags: FeatureBaseModelTags,
}

// Rules are the release-specific behaviours of the models API that the
// client and the tools must follow. Each was observed on a real release by
// the end-to-end matrix (scripts/e2e with OWUI_VERSIONS).
type Rules struct {
	// Version is the server's version; empty when it is not known (yet).
	// Unknown versions get the newest verified release's rules.
	Version string
	// UpdateAppliesGrants (≤0.12.3): update, and import over an existing
	// model, replace the stored grants with the form's access_grants ([]
	// clears every share; a non-admin's new grants are filtered silently).
	// The client always re-sends the current grants, so a rename cannot
	// unshare a model. 0.12.4 ignores access_grants there.
	UpdateAppliesGrants bool
	// UpdateRejectsOmittedGrants (0.9.6–0.10): an update without an
	// access_grants key is a plain 500 (issue #28513: the router filters
	// None). 0.11 and 0.12 keep the grants then (verified on 0.11.4).
	UpdateRejectsOmittedGrants bool
	// UpdateResetsOmittedIsActive (≤0.11): an update without is_active
	// re-enables the model (verified on 0.11.4). The client always sends
	// is_active.
	UpdateResetsOmittedIsActive bool
	// AccessUpdateFiltersGrants (≤0.12.3): access/update silently drops the
	// grants the caller may not give and stores the rest. 0.12.4 refuses
	// the whole request with 403 and changes nothing.
	AccessUpdateFiltersGrants bool
	// ImportSkipsUnwritable (≤0.12.3): import silently skips an element
	// whose id exists but that the caller cannot write. 0.12.4 answers 401
	// MODEL_ID_TAKEN.
	ImportSkipsUnwritable bool
	// SyncTakesOverRows (≤0.11): sync makes the caller the owner of every
	// listed model and replaces its grants with the listed ones. 0.12
	// keep owner and grants of listed models that exist.
	SyncTakesOverRows bool
	// SyncLocksOnSQLite (0.9.6–0.11): with the default SQLite database and
	// DATABASE_ENABLE_SESSION_SHARING=false, a sync that lists a model
	// which exists fails upstream ("database is locked": the grants are
	// written through a second connection while the first holds the
	// write lock). Open WebUI logs it, rolls the sync back and answers
	// 200 [] after SQLite's 5 s busy timeout. Verified on 0.11.4, 0.10.2
	// and 0.9.6; 0.12 rewrote sync into one transaction.
	SyncLocksOnSQLite bool
	// UnloadIgnoresBaseChain (<0.10): /api/models/unload knows provider
	// models only and answers 404 for a custom model's id; 0.10 follow
	// its base_model_id chain. The client follows the chain itself there
	// and sends the provider model's id. Verified on 0.9.6.
	UnloadIgnoresBaseChain bool
	// ListShowsReadOnlyParams (<0.11): /list returns params (the system
	// prompt and other curated config) of models the caller may only
	// read, which GET /model and 0.11+ /list hide. The client clears them,
	// so every release shows a reader the same. Verified on 0.10.2.
	ListShowsReadOnlyParams bool
	// SyncReplacesGrants (≤0.12.3): sync replaces the grants of listed
	// models that exist with the listed ones (0.12.3 keeps the owner).
	SyncReplacesGrants bool
}

// RulesFor returns the rules of version v (empty or unparsable: newest).
func RulesFor(v string) Rules {
	r, ok := ParseRelease(v)
	if !ok {
		return Rules{Version: v}
	}
	le := func(max Release) bool { return !max.Before(r) }
	v10, v11 := Release{0, 10, 999}, Release{0, 11, 999}
	return Rules{
		Version:                     v,
		UpdateAppliesGrants:         le(Release{0, 12, 3}),
		UpdateRejectsOmittedGrants:  le(v10),
		UpdateResetsOmittedIsActive: le(v11),
		AccessUpdateFiltersGrants:   le(Release{0, 12, 3}),
		ImportSkipsUnwritable:       le(Release{0, 12, 3}),
		SyncTakesOverRows:           le(v11),
		SyncLocksOnSQLite:           le(v11),
		UnloadIgnoresBaseChain:      r.Before(Release{0, 10, 0}),
		ListShowsReadOnlyParams:     r.Before(Release{0, 11, 0}),
		SyncReplacesGrants:          le(Release{0, 12, 3}),
	}
}

// KnownVersion returns the server version if it was already read, without
// contacting the server; "" otherwise.
func (c *Client) KnownVersion() string {
	c.verMu.Lock()
	defer c.verMu.Unlock()
	return c.version
}

// Rules returns the rules of the connected release, reading /api/version
// once if it is not known yet. When the version cannot be read, the
// newest release's rules are returned (with Version "").
func (c *Client) Rules(ctx context.Context) Rules {
	v, err := c.Version(ctx)
	if err != nil {
		return Rules{}
	}
	return RulesFor(v)
}

// Lacks reports whether the connected release is known to predate f. An
// unknown or unparsable version lacks nothing: the call is tried, and a
// missing route is still recognized by its answer (the SPA page).
func Lacks(version string, f Feature) bool {
	r, ok := ParseRelease(version)
	return ok && r.Before(f.Min)
}

// Has reports whether version is known to have f (an unknown or
// unparsable version is not).
func Has(version string, f Feature) bool {
	r, ok := ParseRelease(version)
	return ok && !r.Before(f.Min)
}

// require answers a route-missing error, without sending anything, when
// the connected release predates f. The version is read once if unknown.
func (c *Client) require(ctx context.Context, f Feature, op, method, path string) error {
	v, err := c.Version(ctx)
	if err != nil || !Lacks(v, f) {
		return nil
	}
	return &Error{Op: op, Method: method, Path: path, Kind: KindRouteMissing,
		Detail: NeedsText(f, v) + " (not sent)"}
}

// NeedsText is the one wording of "this release lacks f".
func NeedsText(f Feature, version string) string {
	return fmt.Sprintf("%s needs Open WebUI %s or later; this server runs %s", f.Name, f.Min, version)
}

// SyncLockedText explains the empty answer of a sync on a release with
// SyncLocksOnSQLite: what happened upstream and the two ways around it.
func SyncLockedText(version string) string {
	return fmt.Sprintf("Open WebUI %s answered an empty list after syncing models: releases 0.9.6–0.11 fail a sync that lists an existing model "+
		"when they run on SQLite with DATABASE_ENABLE_SESSION_SHARING=false, the default (\"database is locked\" in the server log); "+
		"the sync was rolled back and the listed models were left as they were. Set DATABASE_ENABLE_SESSION_SHARING=true on Open WebUI "+
		"and restart it, upgrade to 0.12, or use import_models and delete_models instead", version)
}
