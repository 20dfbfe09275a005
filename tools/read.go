package tools

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// readSpec fills the hints every read tool shares.
func readSpec(name, title, desc string) Spec {
	return Spec{Name: name, Title: title, Description: desc, Class: ClassRead,
		ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false}
}

var listModels = Simple(readSpec("list_models", "List models",
	"List custom models you can see, 30 a page, newest first; all=true walks every page up to limit."),
	func(ctx context.Context, d *Deps, p schemas.ListModelsArgs) (listResult, error) {
		lp := listParams(p)
		res := listResult{full: p.Detail == "full"}
		var ms []owui.Model
		if !p.All {
			page, err := d.Client.ListModels(ctx, lp)
			if err != nil {
				return listResult{}, err
			}
			ms, res.Total, res.Page, res.Pages = page.Items, page.Total, max(p.Page, 1), pages(page.Total)
		} else {
			var err error
			ms, res.Total, res.Truncated, err = walkPages(lp, cmp.Or(p.Limit, 200), func(lp owui.ListParams) (owui.ModelList, error) {
				return d.Client.ListModels(ctx, lp)
			})
			if err != nil {
				return listResult{}, err
			}
			res.Pages = pages(res.Total)
		}
		conv := row
		if res.full {
			conv = record
		}
		res.Models = make([]schemas.Model, 0, len(ms))
		for _, m := range ms {
			res.Models = append(res.Models, conv(m))
		}
		return res, nil
	})

// listParams are list_models' filters as Open WebUI takes them. An order is
// always sent: without one, non-admin pages have no defined order.
func listParams(p schemas.ListModelsArgs) owui.ListParams {
	return owui.ListParams{Query: p.Query, ViewOption: p.ViewOption, Tag: p.Tag, Page: p.Page,
		OrderBy: cmp.Or(p.OrderBy, "created_at"), Direction: cmp.Or(p.Direction, "desc")}
}

// walkPages reads pages 1, 2, … of the list lp describes until the last one
// or until limit models are listed (then truncated). The total may shift
// between pages: a model met twice is listed once.
func walkPages(lp owui.ListParams, limit int, fetch func(owui.ListParams) (owui.ModelList, error)) (ms []owui.Model, total int, truncated bool, err error) {
	seen := map[string]bool{}
	for lp.Page = 1; ; lp.Page++ {
		page, err := fetch(lp)
		if err != nil {
			return nil, 0, false, fmt.Errorf("reading page %d: %w", lp.Page, err)
		}
		total = page.Total
		for _, m := range page.Items {
			if seen[m.ID] {
				continue
			}
			if len(ms) == limit {
				return ms, total, true, nil
			}
			seen[m.ID] = true
			ms = append(ms, m)
		}
		if len(page.Items) < owui.PageSize || lp.Page*owui.PageSize >= page.Total {
			return ms, total, false, nil
		}
	}
}

func pages(total int) int { return (total + owui.PageSize - 1) / owui.PageSize }

// listResult renders as a table: one line per model keeps the text an agent
// reads to a few tokens per row.
type listResult struct {
	schemas.ListModelsResult
	full bool
}

func (r listResult) Text() string {
	var b strings.Builder
	switch {
	case r.Page > max(r.Pages, 1) && len(r.Models) == 0:
		// Open WebUI answers a page past the end with no rows, not an error.
		fmt.Fprintf(&b, "page %d is past the end: %d models fill %d page(s) of 30; ask for page 1 to %d, or all=true", r.Page, r.Total, r.Pages, max(r.Pages, 1))
		return b.String()
	case r.Page > 0:
		fmt.Fprintf(&b, "%d models, page %d of %d (30 per page)", r.Total, r.Page, max(r.Pages, 1))
	default:
		fmt.Fprintf(&b, "%d of %d models", len(r.Models), r.Total)
		if r.Truncated {
			b.WriteString(" (cut at limit; raise limit or narrow filters)")
		}
	}
	if r.full {
		b.WriteString("\n" + compactJSON(r.Models))
		return b.String()
	}
	// Tab-separated, one line per model; state is empty for an enabled model
	// the key may write, so the common case costs nothing.
	b.WriteString("\nid\tname\tbase\ttags\towner\tupdated\tstate\n")
	for _, m := range r.Models {
		var state []string
		if !m.IsActive {
			state = append(state, "disabled")
		}
		if m.WriteAccess != nil && !*m.WriteAccess {
			state = append(state, "read-only")
		}
		tags := make([]string, len(m.Tags))
		for i, t := range m.Tags {
			tags[i] = cell(t)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(m.ID), cell(m.Name), cell(m.BaseModelID),
			strings.Join(tags, ","), cell(m.Owner), day(m.UpdatedAt), strings.Join(state, ","))
	}
	return strings.TrimRight(b.String(), "\n")
}

// MarshalJSON keeps the unexported rendering flag out of the structured result.
func (r listResult) MarshalJSON() ([]byte, error) { return json.Marshal(r.ListModelsResult) }

func day(epoch int64) string {
	if epoch == 0 {
		return ""
	}
	return time.Unix(epoch, 0).UTC().Format("2006-01-02")
}

var getModel = Simple(readSpec("get_model", "Get model",
	"Get one model's full record, with grants and owner."),
	func(ctx context.Context, d *Deps, p schemas.IDArgs) (schemas.ModelResult, error) {
		m, err := d.Client.GetModel(ctx, p.ID)
		return schemas.ModelResult{Model: record(m)}, err
	})

var getModelProfileImage = withReply(readSpec("get_model_profile_image", "Get model profile image",
	"A model's profile image, or its URL (not fetched) or the default."),
	func(ctx context.Context, d *Deps, p schemas.IDArgs) (Reply[schemas.ProfileImageResult], error) {
		img, err := d.Client.GetProfileImage(ctx, p.ID)
		if err != nil {
			return Reply[schemas.ProfileImageResult]{}, err
		}
		out := schemas.ProfileImageResult{ID: p.ID, Kind: img.Kind, MIMEType: img.MIMEType, URL: img.URL, Bytes: len(img.Data)}
		r := Reply[schemas.ProfileImageResult]{Value: out}
		switch img.Kind {
		case "image":
			r.Text = fmt.Sprintf("Profile image of %s: %s, %d bytes (attached).", untrusted(p.ID), img.MIMEType, len(img.Data))
			r.Extra = []mcp.Content{mcp.NewImageContent(base64.StdEncoding.EncodeToString(img.Data), img.MIMEType)}
		case "url":
			r.Text = fmt.Sprintf("Profile image of %s is an external URL (not fetched): %s", untrusted(p.ID), untrusted(img.URL))
		default:
			r.Text = fmt.Sprintf("%s has no custom profile image (Open WebUI's default is used).", untrusted(p.ID))
		}
		return r, nil
	})

var listModelTags = Simple(readSpec("list_model_tags", "List model tags",
	"List the tags of visible custom models."),
	listTags((*owui.Client).ListModelTags))

// listTags is the handler of a tag tool: the tags its endpoint lists
// (list), sorted.
func listTags(list func(*owui.Client, context.Context) ([]string, error)) Handler[schemas.NoArgs, schemas.TagsResult] {
	return func(ctx context.Context, d *Deps, _ schemas.NoArgs) (schemas.TagsResult, error) {
		tags, err := list(d.Client, ctx)
		sort.Strings(tags)
		return schemas.TagsResult{Tags: tags}, err
	}
}

var listBaseModels = Simple(readSpec("list_base_models", "List base model records",
	"List base-model records (settings and grants saved for provider models). Admin key."),
	func(ctx context.Context, d *Deps, _ schemas.NoArgs) (schemas.ModelsResult, error) {
		ms, err := d.Client.ListBaseModels(ctx)
		return schemas.ModelsResult{Models: records(ms), Count: len(ms)}, err
	})

var listBaseModelsDirect = Simple(readSpec("list_base_models_direct", "List provider models",
	"List live provider models: the ids usable as base_model_id. Admin key."),
	func(ctx context.Context, d *Deps, p schemas.BaseDirectArgs) (schemas.ProviderModelsResult, error) {
		ms, err := d.Client.ListBaseModelsDirect(ctx)
		if err != nil {
			return schemas.ProviderModelsResult{}, err
		}
		out := schemas.ProviderModelsResult{Models: make([]schemas.ProviderModel, 0, len(ms)), Count: len(ms)}
		for _, m := range ms {
			pm := schemas.ProviderModel{}
			pm.ID, _ = m["id"].(string)
			pm.Name, _ = m["name"].(string)
			pm.OwnedBy, _ = m["owned_by"].(string)
			if p.Detail == "full" {
				pm.Raw = m
			}
			out.Models = append(out.Models, pm)
		}
		return out, nil
	})

var listBaseModelTags = Simple(readSpec("list_base_model_tags", "List base model tags",
	"List the tags of base-model records. Admin key."),
	listTags((*owui.Client).ListBaseModelTags))

var exportModels = Simple(readSpec("export_models", "Export models",
	"Export custom models as full records. Admin key or export permission."),
	func(ctx context.Context, d *Deps, _ schemas.NoArgs) (schemas.ModelsResult, error) {
		ms, err := d.Client.ExportModels(ctx)
		return schemas.ModelsResult{Models: records(ms), Count: len(ms)}, err
	})
