package owui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// Kind classifies an upstream failure so that callers can branch on it and
// tell the agent what to do next. Open WebUI's status codes are not REST-clean
// (401 for "not found", 400 for "forbidden"), so the kind is decided from the
// status and the detail text together.
type Kind string

const (
	KindNotFound        Kind = "not_found"         // no such model (404, or 401/400 with the NOT_FOUND text)
	KindForbidden       Kind = "forbidden"         // authenticated, but not allowed (admin-only, no write access)
	KindUnauthenticated Kind = "unauthenticated"   // missing, invalid or expired key
	KindAPIKeysDisabled Kind = "api_keys_disabled" // ENABLE_API_KEYS is off upstream
	KindConflict        Kind = "conflict"          // model id already taken
	KindVersionConflict Kind = "version_conflict"  // 409: the record changed upstream while this write was under way (0.12+)
	KindInvalid         Kind = "invalid"           // 400/422: the request was rejected as malformed
	KindRouteMissing    Kind = "route_missing"     // this Open WebUI version lacks the endpoint (SPA HTML or 405)
	KindServer          Kind = "server_error"      // 5xx from Open WebUI
	KindUnavailable     Kind = "unavailable"       // 502/503/504, or cannot connect
	KindTimeout         Kind = "timeout"           // no answer within the timeout
	KindBadResponse     Kind = "bad_response"      // 2xx, but not the JSON we expected (null, false, truncated)
	KindTooLarge        Kind = "too_large"         // the response exceeded the size cap
	KindCanceled        Kind = "canceled"          // the caller cancelled the request
	KindUnsupported     Kind = "unsupported"       // the model's provider cannot do this (unload on a plain OpenAI connection)
	KindOther           Kind = "error"
)

// Exact detail texts of Open WebUI (backend/open_webui/constants.py).
const (
	detailNotFound         = "We could not find what you're looking for :/"
	detailAccessProhibited = "You do not have permission to access this resource. Please contact your administrator for assistance."
	detailUnauthorized     = "401 Unauthorized"
	detailIDTaken          = "Uh-oh! This model id is already registered. Please choose another model id string."
	detailIDTooLong        = "The model id is too long. Please make sure your model id is less than 256 characters long."
	detailAPIKeyNotAllowed = "Use of API key is not enabled in the environment."
	detailNotAuthenticated = "Not authenticated"
	detailInvalidToken     = "Invalid token"
	detailSessionExpired   = "Your session has expired or the token is invalid. Please sign in again."
	detailHumanSession     = "A human session is required."
)

// Error is a failed call to Open WebUI. Its message never contains the API
// key or any request header.
type Error struct {
	Op     string // client operation, e.g. "get_model"
	Method string
	Path   string
	Status int    // HTTP status; 0 when no response arrived
	Detail string // Open WebUI's detail text (a 422 list is joined), or a short body excerpt
	Kind   Kind
	Err    error // underlying transport or decoding error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "open webui %s %s", e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Hint says what the agent or user can do next.
func (e *Error) Hint() string {
	switch e.Kind {
	case KindNotFound:
		return "No model with this id is visible to this key: check the id with list_models (ids are case-sensitive and may contain '/' or ':')."
	case KindForbidden:
		return "The Open WebUI key lacks permission for this: admin-only operations need an admin's key; other changes need ownership of the model or a write grant."
	case KindUnauthenticated:
		return "Open WebUI rejected the credentials: check OPENWEBUI_API_KEY (an sk- key from Settings > Account) and that it belongs to an active user."
	case KindAPIKeysDisabled:
		return "API keys are disabled on this Open WebUI: an admin must enable them (Admin Panel > Settings > General > Enable API Keys, or ENABLE_API_KEYS=true)."
	case KindConflict:
		return "Choose another model id, or update the existing model with update_model."
	case KindVersionConflict:
		return "The model changed in Open WebUI while this change was being written, so Open WebUI refused it: read it again (a fresh preview) and repeat the change on the current version."
	case KindInvalid:
		return "Open WebUI rejected the request as invalid: correct the arguments named in the detail and call again."
	case KindRouteMissing:
		return "This Open WebUI version does not have this endpoint: upgrade Open WebUI or use another tool."
	case KindServer:
		return "Open WebUI failed internally: check its logs; the change may or may not have been applied, so read the model back before retrying."
	case KindUnavailable:
		return "Open WebUI is not reachable: check OPENWEBUI_URL and that the server is running, then retry."
	case KindTimeout:
		return "Open WebUI did not answer in time: retry later or raise --timeout; for a change, read the model back first, as it may have been applied."
	case KindBadResponse:
		return "Open WebUI answered with something unexpected: check that OPENWEBUI_URL points at Open WebUI's root, and read the model back before retrying."
	case KindTooLarge:
		return "The answer was too large to handle: narrow the request (filters, one model at a time)."
	case KindUnsupported:
		return "Only Ollama connections and OpenAI-compatible connections set up as a llama.cpp provider can unload models; other providers manage their own memory. Nothing was changed, and retrying will not help."
	case KindCanceled:
		return "The call was cancelled before Open WebUI answered; a change may or may not have been applied."
	}
	return "Retry, or check the Open WebUI server logs."
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// classify decides the kind from status and detail text.
func classify(status int, detail string) Kind {
	switch {
	case detail == detailNotFound || strings.HasPrefix(detail, "Model \"") && strings.HasSuffix(detail, "\" not found"):
		return KindNotFound
	case strings.HasSuffix(detail, "does not support model unloading"):
		return KindUnsupported
	case detail == detailAPIKeyNotAllowed:
		return KindAPIKeysDisabled
	case detail == detailIDTaken:
		return KindConflict
	case detail == detailNotAuthenticated || detail == detailInvalidToken || detail == detailSessionExpired:
		return KindUnauthenticated
	case detail == detailAccessProhibited || detail == detailUnauthorized:
		return KindForbidden
	}
	switch {
	case status == 409 && strings.Contains(detail, `"version_conflict"`):
		// 0.12's optimistic lock answers {"detail":{"code":"version_conflict"}}.
		return KindVersionConflict
	case status == 404:
		return KindNotFound
	case status == 401:
		return KindUnauthenticated
	case status == 403:
		return KindForbidden
	case status == 405:
		return KindRouteMissing
	case status == 400 || status == 422:
		return KindInvalid
	case status == 413:
		return KindTooLarge
	case status == 502 || status == 503 || status == 504:
		return KindUnavailable
	case status >= 500:
		return KindServer
	}
	return KindOther
}

// transportKind classifies an error that happened before any response.
func transportKind(ctx context.Context, err error) Kind {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return KindTimeout
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return KindCanceled
	}
	return KindUnavailable
}
