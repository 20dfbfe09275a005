package fakeowui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Error texts, verbatim from Open WebUI's constants.py and utils/auth.py
// (doc §1); clients match on them, so they must not drift.
const (
	msgUnauthorized      = "401 Unauthorized"
	msgAccessProhibited  = "You do not have permission to access this resource. Please contact your administrator for assistance."
	msgNotFound          = "We could not find what you're looking for :/"
	msgModelIDTaken      = "Uh-oh! This model id is already registered. Please choose another model id string."
	msgModelIDTooLong    = "The model id is too long. Please make sure your model id is less than 256 characters long."
	msgInvalidToken      = "Your session has expired or the token is invalid. Please sign in again."
	msgAPIKeyNotAllowed  = "Use of API key is not enabled in the environment."
	msgNotAuthenticated  = "Not authenticated"
	msgInvalidJWT        = "Invalid token"
	msgMethodNotAllowed  = "Method Not Allowed"
	msgInternalServerErr = "Internal Server Error"
)

const (
	ctJSON = "application/json"
	ctText = "text/plain; charset=utf-8"
	ctHTML = "text/html; charset=utf-8"
)

// response is computed under the server lock and written after it is
// released, so a slow client never blocks other requests.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) write(w http.ResponseWriter) {
	for k, vs := range r.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// encodeJSON encodes like FastAPI: no HTML escaping, no trailing newline.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values built by this package are encoded; failing here is a bug.
		panic(fmt.Sprintf("fakeowui: encode response: %v", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func jsonResp(status int, v any) *response {
	return &response{status: status, header: http.Header{"Content-Type": {ctJSON}}, body: encodeJSON(v)}
}

func detailResp(status int, text string) *response {
	return jsonResp(status, map[string]string{"detail": text})
}

func textResp(status int, ctype, body string) *response {
	return &response{status: status, header: http.Header{"Content-Type": {ctype}}, body: []byte(body)}
}

// internalError is FastAPI's answer to an unhandled exception: plain text.
func internalError() *response {
	return textResp(http.StatusInternalServerError, ctText, msgInternalServerErr)
}

func redirect(location string) *response {
	return &response{status: http.StatusFound, header: http.Header{"Location": {location}, "Content-Length": {"0"}}}
}

// valErr is one item of a FastAPI/pydantic 422 detail list.
type valErr struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

func validationResp(errs []valErr) *response {
	return jsonResp(http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

// pydanticMessage renders errs the way str(ValidationError) does; import
// puts that text in a 500 detail.
func pydanticMessage(title string, errs []valErr) string {
	var b strings.Builder
	noun := "errors"
	if len(errs) == 1 {
		noun = "error"
	}
	fmt.Fprintf(&b, "%d validation %s for %s", len(errs), noun, title)
	for _, e := range errs {
		parts := make([]string, len(e.Loc))
		for i, l := range e.Loc {
			parts[i] = fmt.Sprint(l)
		}
		fmt.Fprintf(&b, "\n%s\n  %s [type=%s, input_value=%s, input_type=%s]", strings.Join(parts, "."), e.Msg, e.Type, pyRepr(e.Input), pyType(e.Input))
		fmt.Fprintf(&b, "\n    For further information visit https://errors.pydantic.dev/2.11/v/%s", e.Type)
	}
	return b.String()
}

func pyType(v any) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case float64:
		if v == float64(int64(v)) {
			return "int"
		}
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyRepr approximates Python's repr of a decoded JSON value.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
