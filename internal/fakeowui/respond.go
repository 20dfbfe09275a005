package fakeowui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
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
	msgSomethingWrong    = "Something went wrong :/"          // ERROR_MESSAGES.DEFAULT()
	msgToggleFailed      = "[ERROR: Error updating function]" // ERROR_MESSAGES.DEFAULT("Error updating function")
	msgHumanSession      = "A human session is required."
	msgShareForbidden    = "You do not have permission to share with the requested audience"
	msgVersionNotFound   = "Model version not found"
	msgCurrentVersion    = "Cannot delete the current version"
	msgBackgroundDenied  = "Background image is not accessible."
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

// valueEncoder encodes many values into one buffer, each exactly as
// encodeJSON would, without a new encoder per value.
type valueEncoder struct {
	b   *bytes.Buffer
	enc *json.Encoder
}

func newValueEncoder(b *bytes.Buffer) valueEncoder {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	return valueEncoder{b: b, enc: enc}
}

// encode appends v's JSON to the buffer (the encoder's newline dropped).
func (e valueEncoder) encode(v any) error {
	if err := e.enc.Encode(v); err != nil {
		return err
	}
	e.b.Truncate(e.b.Len() - 1)
	return nil
}

func jsonResp(status int, v any) *response {
	if a, ok := v.(appender); ok {
		var b bytes.Buffer
		if err := a.appendJSON(newValueEncoder(&b)); err != nil {
			panic(fmt.Sprintf("fakeowui: encode response: %v", err))
		}
		return &response{status: status, header: http.Header{"Content-Type": {ctJSON}}, body: b.Bytes()}
	}
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
