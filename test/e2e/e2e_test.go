//go:build e2e

package e2e

import (
	"slices"
	"testing"
)

// expectedTools is every tool the server offers with --allow-admin
// --allow-access-changes (the 17 operations, the four model-history tools,
// list_backups, restore_models, update_models and delete_models).
var expectedTools = []string{
	"create_model", "delete_all_models", "delete_model", "delete_model_version", "delete_models", "export_models", "get_model",
	"get_model_profile_image", "get_model_version", "import_models", "list_backups", "list_base_model_tags",
	"list_base_models", "list_base_models_direct", "list_model_history", "list_model_tags", "list_models",
	"restore_models", "rollback_model", "sync_models", "toggle_model", "unload_model", "update_model",
	"update_model_access", "update_models",
}

// TestE2E runs everything in a fixed order: the per-tool checks against the
// real server, the non-admin checks, the fake-vs-real parity table, Open
// WebUI as an MCP client, and last delete_all_models (which empties the
// server). Each part is a subtest, so -run 'TestE2E/tools/update_model'
// picks one; the fixture is always seeded first.
func TestE2E(t *testing.T) {
	tg := realTarget(t)
	tg.seed(t)
	s := tg.adminServer(t)
	if !slices.Equal(s.tools, expectedTools) {
		t.Fatalf("tools/list with every class on:\n got %v\nwant %v", s.tools, expectedTools)
	}

	t.Run("version_surface", func(t *testing.T) { checkVersionSurface(t, s) })
	t.Run("tools", func(t *testing.T) {
		for _, c := range toolChecks {
			t.Run(c.name, func(t *testing.T) { c.fn(t, tg, s) })
		}
	})
	t.Run("bulk", func(t *testing.T) { checkBulk(t, tg, s) })
	t.Run("confirm_token_refusals", func(t *testing.T) { checkTokenRefusals(t, tg, s) })
	t.Run("elicitation", func(t *testing.T) { checkElicitation(t, tg) })
	t.Run("non_admin", func(t *testing.T) { checkNonAdmin(t, tg) })
	t.Run("release_rules", func(t *testing.T) { checkReleaseRules(t, tg) })
	t.Run("parity", func(t *testing.T) { runParity(t) })
	t.Run("openwebui_as_mcp_client", func(t *testing.T) { checkOpenWebUIClient(t, tg) })
	// Last: it empties the server.
	t.Run("tools/delete_all_models", func(t *testing.T) { checkDeleteAll(t, tg) })
}

type toolCheck struct {
	name string
	fn   func(t *testing.T, tg *target, s *server)
}

// toolChecks run in this order against the real server; each creates the
// models it changes (ids "e2e/<tool>...") next to the shared fixture.
var toolChecks = []toolCheck{
	{"list_models", checkListModels},
	{"get_model", checkGetModel},
	{"get_model_profile_image", checkProfileImage},
	{"list_model_tags", checkModelTags},
	{"list_base_models", checkBaseModels},
	{"list_base_models_direct", checkBaseModelsDirect},
	{"list_base_model_tags", checkBaseModelTags},
	{"create_model", checkCreateModel},
	{"update_model", checkUpdateModel},
	{"toggle_model", checkToggleModel},
	{"delete_model", checkDeleteModel},
	{"update_model_access", checkUpdateAccess},
	{"export_import_models", checkExportImport},
	{"sync_models", checkSyncModels},
	{"unload_model", checkUnloadModel},
	{"restore_models", checkRestoreModels},
	{"list_backups", checkListBackups},
	{"model_history", checkModelHistory},
}
