package tools

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// row is the compact form of a model: what an agent needs to pick one.
func row(m owui.Model) schemas.Model {
	r := schemas.Model{
		ID:          m.ID,
		Name:        m.Name,
		IsActive:    m.IsActive,
		Tags:        tagsOf(m.Meta),
		Owner:       owner(m),
		WriteAccess: m.WriteAccess,
		UpdatedAt:   m.UpdatedAt,
	}
	if m.BaseModelID != nil {
		r.BaseModelID = *m.BaseModelID
	}
	return r
}

// record is the full form of a model.
func record(m owui.Model) schemas.Model {
	r := row(m)
	r.CreatedAt = m.CreatedAt
	r.Description = m.Meta.String("description")
	// meta and params pass through as Open WebUI sent them (the result
	// omits them when empty, as it did when they were maps).
	r.Meta = rawOrNil(m.Meta)
	r.Params = rawOrNil(m.Params)
	r.Grants = grantsOut(m.Grants())
	if r.Grants == nil {
		r.Grants = []schemas.Grant{}
	}
	return r
}

// rawOrNil is o's JSON, or nil (omitted) when o is null or {}.
func rawOrNil(o owui.Object) json.RawMessage {
	if o.Empty() {
		return nil
	}
	return o.Raw()
}

func records(ms []owui.Model) []schemas.Model {
	out := make([]schemas.Model, len(ms))
	for i, m := range ms {
		out[i] = record(m)
	}
	return out
}

// ownerOf names m's owner as a person (e-mail, else name) for previews.
// A single-model read carries only user_id, so it asks Open WebUI who that
// is; if that fails the id is shown rather than failing the preview.
func (d *Deps) ownerOf(ctx context.Context, m owui.Model) string {
	if m.User != nil || m.UserID == "" {
		return owner(m)
	}
	u, err := d.Client.UserInfo(ctx, m.UserID)
	if err != nil {
		d.logger().Debug("owner lookup failed; showing the user id", "user_id", m.UserID, "err", d.scrub(err.Error()))
		return m.UserID
	}
	m.User = &u
	return owner(m)
}

// maxPeopleLookups bounds the user lookups of one preview: a bulk preview
// over many models shows the users past it by id rather than wait.
const maxPeopleLookups = 20

// people asks Open WebUI who the users in grants are (GET
// /api/v1/users/{id}/info, which any verified user may call), for previews
// to name people rather than ids. A failed lookup leaves that user shown by
// id; the result is never nil, so callers can tell "looked up" from "not yet".
func (d *Deps) people(ctx context.Context, sets ...[]schemas.Grant) people {
	return d.morePeople(ctx, nil, sets...)
}

// morePeople adds to pp the users of sets it has not looked up yet. The
// maxPeopleLookups budget is for all of pp, and a failed lookup is kept (as
// "": shown by id) so that a plan adding people in several steps never asks
// for anyone twice.
func (d *Deps) morePeople(ctx context.Context, pp people, sets ...[]schemas.Grant) people {
	if pp == nil {
		pp = people{}
	}
	for _, gs := range sets {
		for _, g := range gs {
			id := g.PrincipalID
			if _, done := pp[id]; done || g.PrincipalType != "user" || id == "*" {
				continue
			}
			if len(pp) >= maxPeopleLookups {
				return pp
			}
			pp[id] = ""
			u, err := d.Client.UserInfo(ctx, id)
			if err != nil {
				d.logger().Debug("grantee lookup failed; showing the user id", "user_id", id, "err", d.scrub(err.Error()))
				continue
			}
			pp[id] = owner(owui.Model{User: &u})
		}
	}
	return pp
}

// previewGrants is every grant a preview's own parts (models, access diffs)
// show.
func previewGrants(p schemas.Preview) [][]schemas.Grant {
	var out [][]schemas.Grant
	for _, m := range p.Models {
		out = append(out, m.Grants)
	}
	for _, a := range p.Access {
		out = append(out, a.Before, a.After)
	}
	return out
}

func owner(m owui.Model) string {
	if m.User != nil {
		if m.User.Email != "" {
			return m.User.Email
		}
		if m.User.Name != "" {
			return m.User.Name
		}
	}
	return m.UserID
}

// tagsOf reads meta.tags, stored as [{"name": ...}] or, before 0.8.11, as
// plain strings. Only the names are decoded.
func tagsOf(meta owui.Object) []string { return meta.Names("tags") }

func tagObjects(tags []string) []any {
	out := make([]any, len(tags))
	for i, t := range tags {
		out[i] = map[string]any{"name": t}
	}
	return out
}

func grantsOut(gs []owui.Grant) []schemas.Grant {
	if gs == nil {
		return nil
	}
	out := make([]schemas.Grant, len(gs))
	for i, g := range gs {
		out[i] = schemas.Grant(g)
	}
	return out
}

func grantsIn(gs []schemas.Grant) []owui.Grant {
	out := make([]owui.Grant, len(gs))
	for i, g := range gs {
		out[i] = owui.Grant(g)
	}
	return out
}

// grantDiff lists what after adds to before and what it removes.
func grantDiff(before, after []owui.Grant) (gains, loses []schemas.Grant) {
	in := func(g owui.Grant, set []owui.Grant) bool {
		for _, x := range set {
			if x == g {
				return true
			}
		}
		return false
	}
	for _, g := range after {
		if !in(g, before) {
			gains = append(gains, schemas.Grant(g))
		}
	}
	for _, g := range before {
		if !in(g, after) {
			loses = append(loses, schemas.Grant(g))
		}
	}
	return gains, loses
}

// sortedGrants returns a canonical order, so that equal sets compare equal.
func sortedGrants(gs []owui.Grant) []owui.Grant {
	out := append([]owui.Grant(nil), gs...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.PrincipalType != b.PrincipalType {
			return a.PrincipalType < b.PrincipalType
		}
		if a.PrincipalID != b.PrincipalID {
			return a.PrincipalID < b.PrincipalID
		}
		return a.Permission < b.Permission
	})
	return out
}

// normJSON maps a value through JSON so that values decoded from different
// sources (ints vs float64, typed slices vs []any) compare equal.
func normJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}
