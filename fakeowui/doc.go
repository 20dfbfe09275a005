// Package fakeowui is an in-memory stand-in for Open WebUI's models API,
// served as an http.Handler.
//
// It backs the unit tests of the Open WebUI client and the MCP tools (through
// httptest) and the binary's --demo mode. It follows the HTTP contract in
// shared/reference/openwebui-models-api.md, newest verified release (0.11.0),
// including the quirks clients must survive: non-REST status codes, 422
// bodies with a list detail, plain-text 500s, an HTML page for unknown GETs,
// and update's full-replace semantics. Version-specific choices are gathered
// in Behaviour.
//
// Two users exist, reached with AdminKey and UserKey. State lives in memory
// behind one mutex; timestamps come from Options.Now.
package fakeowui
