// Package fakeowui is an in-memory stand-in for Open WebUI's models API,
// served as an http.Handler.
//
// It backs the unit tests of the Open WebUI client and the MCP tools (through
// httptest) and the binary's --demo mode. By default it behaves like Open
// WebUI 0.12.4 as recorded against a live server in
// docs/openwebui-compatibility.md (the real server wins over the older
// contract in shared/reference/openwebui-models-api.md), including the
// quirks clients must survive: non-REST status codes, 422 bodies with a list
// detail, plain-text 500s, an HTML page for unknown GETs, update's
// full-replace semantics, model history and version_id, and provider maps
// that an unload empties. Older releases' behaviour and non-default server
// settings are switched on in Behaviour (Behaviour011 for 0.11.0).
//
// Two users exist, reached with AdminKey and UserKey, or with a session
// token from IssueSession. FailDB emulates a broken database. State lives in
// memory behind one mutex; timestamps come from Options.Now.
package fakeowui
