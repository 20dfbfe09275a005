// Package caller carries the identity of whoever is calling a tool through a
// request's context: the HTTP transport puts it there, the Open WebUI client
// reads the upstream token from it, and the safety layer binds confirmations,
// backups and audit lines to its ID.
package caller

import "context"

// Identity is one caller. On stdio there is a single implicit caller
// ("local"); over HTTP it is derived from the bearer token.
type Identity struct {
	// ID is a stable, non-secret name for the caller: an Open WebUI user id,
	// or a digest of the shared HTTP token. It may appear in logs.
	ID string
	// Name is a human-readable label (email or user name), for logs only.
	Name string
	// UpstreamToken, when set, replaces the server's own Open WebUI API key
	// for this caller's upstream requests (--auth=openwebui). Never logged.
	UpstreamToken string
}

// Local is the identity used when no transport set one (stdio, tests).
var Local = Identity{ID: "local", Name: "local"}

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the identity in ctx, or Local when there is none.
func From(ctx context.Context) Identity {
	if id, ok := ctx.Value(ctxKey{}).(Identity); ok {
		return id
	}
	return Local
}
