package tools

import (
	"context"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
)

// toolFeature names the tools that need a newer release than the oldest
// supported one. Such a tool stays listed on an older release (calling it
// answers a clear error naming the release needed), and its description
// says so once the connected version is known.
var toolFeature = map[string]owui.Feature{
	"list_base_model_tags": owui.FeatureBaseModelTags,
	"list_model_history":   owui.FeatureModelHistory,
	"get_model_version":    owui.FeatureModelHistory,
	"rollback_model":       owui.FeatureModelHistory,
	"delete_model_version": owui.FeatureModelHistory,
}

// versionWait bounds how long tools/list waits to learn the upstream
// version when it is not known yet; on failure the generic (newest-release)
// descriptions are served and the next request tries again.
const versionWait = 3 * time.Second

// learnVersion reads /api/version once (the client keeps it).
func learnVersion(ctx context.Context, d *Deps) string {
	if d == nil || d.Client == nil {
		return ""
	}
	if v := d.Client.KnownVersion(); v != "" {
		return v
	}
	ctx, cancel := context.WithTimeout(ctx, versionWait)
	defer cancel()
	v, _ := d.Client.Version(ctx)
	return v
}

// knownVersion is the upstream version if it was already read, without
// contacting the server.
func knownVersion(d *Deps) string {
	if d == nil || d.Client == nil {
		return ""
	}
	return d.Client.KnownVersion()
}

// versionHooks make the tool descriptions of tools/list reflect the
// connected release: tools/list waits (at most versionWait) for the version.
// initialize never waits for the upstream (a client's first answer must not
// depend on Open WebUI's latency or health): its instructions name the
// release only when it is already known — main reads it in the background
// at start, so a long-running HTTP server states it, while a stdio server's
// initialize usually comes first. The instructions never depend on it
// otherwise; what a release lacks is said per tool at tools/list.
func versionHooks(d *Deps, enabled []Tool) *server.Hooks {
	names := make([]string, len(enabled))
	for i, t := range enabled {
		names[i] = t.Name
	}
	h := &server.Hooks{}
	h.AddAfterInitialize(func(_ context.Context, _ any, _ *mcp.InitializeRequest, res *mcp.InitializeResult) {
		if note := VersionNote(knownVersion(d), names); note != "" {
			res.Instructions = strings.TrimSpace(res.Instructions + "\n" + note)
		}
	})
	// 2026-07-28 clients learn the instructions from server/discover.
	h.AddAfterDiscover(func(_ context.Context, _ any, _ *mcp.DiscoverRequest, res *mcp.DiscoverResult) {
		if note := VersionNote(knownVersion(d), names); note != "" {
			res.Instructions = strings.TrimSpace(res.Instructions + "\n" + note)
		}
	})
	h.AddBeforeListTools(func(ctx context.Context, _ any, _ *mcp.ListToolsRequest) { learnVersion(ctx, d) })
	return h
}

// versionFilter prefixes the description of every tool the connected
// release lacks. It never removes a tool: a call still answers the clear
// "needs Open WebUI X" error.
func versionFilter(d *Deps) server.ToolFilterFunc {
	return func(_ context.Context, ts []mcp.Tool) []mcp.Tool {
		v := ""
		if d != nil && d.Client != nil {
			v = d.Client.KnownVersion()
		}
		if v == "" {
			return ts
		}
		out := make([]mcp.Tool, len(ts))
		for i, t := range ts {
			if f, ok := toolFeature[t.Name]; ok && owui.Lacks(v, f) {
				t.Description = "UNAVAILABLE on this server: " + owui.NeedsText(f, v) + ". " + t.Description
			}
			out[i] = t
		}
		return out
	}
}

// VersionNote is the instructions' line about the connected release: the
// version, whether it is in the verified range, and which listed tools it
// lacks. Empty when the version is unknown.
func VersionNote(v string, listed []string) string {
	if v == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("Connected to Open WebUI " + v)
	r, ok := owui.ParseRelease(v)
	switch {
	case !ok:
		b.WriteString(" (unrecognized version; verified range " + owui.OldestVerified.String() + "–" + owui.NewestVerified.String() + ")")
	case r.Before(owui.OldestVerified):
		b.WriteString(" (OLDER than the verified range " + owui.OldestVerified.String() + "–" + owui.NewestVerified.String() + ": some tools may fail)")
	case owui.NewestVerified.Before(r):
		b.WriteString(" (newer than the newest verified " + owui.NewestVerified.String() + ")")
	}
	b.WriteString(".")
	var lacks []string
	for _, n := range listed {
		if f, ok := toolFeature[n]; ok && owui.Lacks(v, f) {
			lacks = append(lacks, n+" (needs "+f.Min.String()+")")
		}
	}
	if len(lacks) > 0 {
		b.WriteString(" Unavailable on this version: " + strings.Join(lacks, ", ") + ".")
	}
	return b.String()
}

// release names the connected version for a warning ("Open WebUI 0.11.4"),
// or the releases a rule belongs to when the version is unknown.
func release(r owui.Rules, fallback string) string {
	if r.Version != "" {
		return "Open WebUI " + r.Version
	}
	return "Open WebUI " + fallback
}

// importGrantsWarning: what import does with an existing model's grants.
func importGrantsWarning(id string, r owui.Rules) string {
	if r.UpdateAppliesGrants {
		return id + ": " + release(r, "≤0.12.3") + " REPLACES the grants of an existing model with the element's access_grants on import."
	}
	return id + ": " + release(r, "0.12") + " ignores access_grants of existing models on import (use update_model_access); 0.12.3 and older replace them."
}

// syncOwnerWarning: what sync does with the owner and grants of listed
// models that exist.
func syncOwnerWarning(r owui.Rules) string {
	if r.SyncTakesOverRows {
		return release(r, "≤0.11") + " makes the caller the OWNER of every listed model and replaces its grants with the listed ones."
	}
	if r.SyncReplacesGrants {
		return release(r, "0.12.3") + " keeps the owner of listed models that already exist but REPLACES their grants with the listed ones."
	}
	return release(r, "0.12") + " keeps the owner and grants of listed models that already exist; only new ones get the listed grants."
}

// syncLockWarning: on 0.9.6–0.11 a sync that lists an existing model fails
// upstream on SQLite with default settings (owui.Rules.SyncLocksOnSQLite).
func syncLockWarning(r owui.Rules) string {
	return release(r, "0.9.6–0.11") + " FAILS a sync that lists an existing model when it runs on SQLite with DATABASE_ENABLE_SESSION_SHARING=false (the default): " +
		"the sync is rolled back and nothing changes. Set DATABASE_ENABLE_SESSION_SHARING=true first, or use import_models and delete_models."
}
