// Package caller carries the identity of whoever is calling a tool through a
// request's context: the HTTP transport puts it there, the Open WebUI client
// reads the upstream token from it, and the safety layer binds confirmations,
// backups and audit lines to its ID.
package caller

import (
	"context"
	"fmt"
)

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

// Profile shapes answers for one kind of client, chosen per connection (the
// HTTP transport reads ?profile= on the server URL).
type Profile string

const (
	// ProfileDefault: text for people plus structuredContent and outputSchema
	// for clients that use them (IDE agents over stdio, most MCP clients).
	ProfileDefault Profile = ""
	// ProfileChat: text only, no outputSchema or structuredContent. Open
	// WebUI's chat forwards every content block to the LLM and re-sends
	// structuredContent as indented JSON next to the text; the text alone
	// carries everything at a quarter of the tokens.
	ProfileChat Profile = "chat"
)

// ParseProfile checks a profile name.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case ProfileDefault, ProfileChat:
		return p, nil
	}
	return "", fmt.Errorf("unknown profile %q: use profile=chat (Open WebUI's chat) or no profile", s)
}

type profileKey struct{}

// WithProfile returns ctx carrying p.
func WithProfile(ctx context.Context, p Profile) context.Context {
	return context.WithValue(ctx, profileKey{}, p)
}

// ProfileFrom returns the profile in ctx (ProfileDefault when none).
func ProfileFrom(ctx context.Context) Profile {
	p, _ := ctx.Value(profileKey{}).(Profile)
	return p
}
