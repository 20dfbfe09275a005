package owui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// Kind classifies an upstream failure so that callers can branch on it (and
// decide what to advise next). Open WebUI's status codes are not REST-clean
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
