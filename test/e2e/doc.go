//go:build e2e

// Package e2e proves every owui-mcp tool against a real Open WebUI.
//
// It is compiled only with the build tag "e2e", so `go test ./...` ignores it.
// Run it with scripts/e2e, or directly:
//
//	go test -tags e2e -count=1 -timeout 30m ./test/e2e/ -v
//
// TestMain builds the binary once, installs Open WebUI (OWUI_VERSION, default
// 0.12.4; a no-op when the cached venv is complete) and starts a throw-away
// server with scripts/openwebui-up, and stops it with scripts/openwebui-down
// at the end, also after a failure, a panic, a timeout or a signal (a
// watchdog process tears it down when the test process dies). If Open WebUI
// cannot be installed or started, the suite FAILS with the reason; it is
// never skipped.
//
// OWUI_E2E_ENV=FILE reuses a server started earlier with
// `scripts/openwebui-up FILE` instead (it is not stopped at the end). The
// suite deletes every model of that server: point it at throw-away servers
// only.
//
// Other settings: OWUI_VERSION picks the release (scripts/openwebui-install
// caches one venv per version); OWUI_E2E_STRICT_PARITY=1 fails on known
// fake-vs-real differences too; OWUI_E2E_KEEP=1 keeps the suite's temp dir.
//
// The binary is driven over stdio by the official MCP Go SDK client
// (github.com/modelcontextprotocol/go-sdk), and every effect is read back
// through Open WebUI's REST API with plain net/http. The parity cases run
// the same table against the Go fake (fakeowui, served by httptest) and the
// real server, and report every difference.
package e2e
