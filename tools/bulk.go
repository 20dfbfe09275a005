package tools

// update_models and delete_models: one selection, one preview, one
// confirmation, then many upstream calls with bounded concurrency.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

var updateModels = Gated(Spec{Name: "update_models", Title: "Update many models", Class: ClassWrite,
	Description: "Change many models at once, picked by ids or filter (one preview, confirmed).",
	ReadOnly:    false, Destructive: true, Idempotent: true, OpenWorld: false},
	Gate[schemas.UpdateModelsArgs, bulkPlan]{
		Check: func(d *Deps, p schemas.UpdateModelsArgs) error {
			if (p.AddGrants != nil || p.RemoveGrants != nil) && !d.Options.AllowAccessChanges {
				return errors.New("add_grants/remove_grants are refused: this server was started without --allow-access-changes (env OWUI_MCP_ALLOW_ACCESS_CHANGES=true). Call again without them, or ask the operator to enable the flag")
			}
			return checkUpdateModels(d, p)
		},
		Plan: planUpdateModels,
		Run: func(ctx context.Context, d *Deps, p schemas.UpdateModelsArgs, plan Plan[bulkPlan]) (schemas.Outcome, error) {
			bp := plan.Data
			return runBulk(ctx, d, bp, "updated", p.ContinueOnError, func(ctx context.Context, t bulkTarget) error {
				return t.apply(ctx, d, bp.commit)
			})
		},
	})

var deleteModels = Gated(adminSpec("delete_models", "Delete many models",
	"Delete many models at once, picked by ids or filter (one preview, confirmed).",
	true, false),
	Gate[schemas.DeleteModelsArgs, bulkPlan]{
		Check: func(d *Deps, p schemas.DeleteModelsArgs) error {
			return checkSelection("delete_models", p.Selection(), d.Options.maxBulk())
		},
		Plan: planDeleteModels,
		Run: func(ctx context.Context, d *Deps, p schemas.DeleteModelsArgs, plan Plan[bulkPlan]) (schemas.Outcome, error) {
			return runBulk(ctx, d, plan.Data, "deleted", p.ContinueOnError, func(ctx context.Context, t bulkTarget) error {
				return d.Client.DeleteModel(ctx, t.cur.ID)
			})
		},
	})

// bulkTarget is one model a bulk call changes: the record as selected, the
// full record (for the backup and the update form) and what changes.
type bulkTarget struct {
	cur, full          owui.Model
	delete             bool
	active             *bool // wanted state; nil: unchanged
	tags               bool  // tags change
	tagsAfter          []string
	grants             bool // grants change
	grantsAfter        []owui.Grant
	gains, loses       []schemas.Grant
	tagOnlyMentionedIn bool
}

type bulkPlan struct {
	targets []bulkTarget
	commit  string // commit_message, sent only to 0.12+
	// export is the export the full records were read from, when they
	// were (a preview's; see quickPlans).
	export *owui.Export
}

// --- argument checks (no upstream call) ---

func checkSelection(tool string, s schemas.BulkSelection, maxBulk int) error {
	bad := func(msg string) error { return &ArgError{Tool: tool, Problems: []string{msg}} }
	switch {
	case s.IDs != nil && s.Filter != nil:
		return bad("give ids or filter, not both")
	case s.IDs == nil && s.Filter == nil:
		return bad("give ids (a list of model ids) or filter (query, tag, base_model_id, owner, active)")
	case s.Filter == nil && len(s.IDs) == 0:
		return bad("ids is empty: list at least one model id")
	case s.Filter != nil && *s.Filter == (schemas.BulkFilter{}):
		return bad("filter needs at least one of query, tag, base_model_id, owner, active")
	}
	for i, id := range s.IDs {
		if strings.TrimSpace(id) == "" {
			return bad(fmt.Sprintf("ids[%d] is empty", i))
		}
	}
	if n := len(uniq(s.IDs)); n > maxBulk {
		return tooMany(n, maxBulk, "")
	}
	return nil
}

func tooMany(n, maxBulk int, atLeast string) error {
	return fmt.Errorf("the selection has %s%d models, more than --max-bulk=%d (env OWUI_MCP_MAX_BULK): nothing was previewed or changed. Narrow the selection or split it into smaller calls", atLeast, n, maxBulk)
}

func checkUpdateModels(d *Deps, p schemas.UpdateModelsArgs) error {
	if err := checkSelection("update_models", p.BulkSelection, d.Options.maxBulk()); err != nil {
		return err
	}
	var probs []string
	if p.Active == nil && len(p.AddTags)+len(p.RemoveTags)+len(p.AddGrants)+len(p.RemoveGrants) == 0 {
		probs = append(probs, "nothing to change: give active, add_tags, remove_tags, add_grants or remove_grants")
	}
	for _, t := range append(append([]string{}, p.AddTags...), p.RemoveTags...) {
		if strings.TrimSpace(t) == "" {
			probs = append(probs, "tags must not be empty")
			break
		}
	}
	for _, t := range p.AddTags {
		if containsFold(p.RemoveTags, t) {
			probs = append(probs, fmt.Sprintf("tag %q is both added and removed", t))
		}
	}
	for _, g := range grantArgs(p.AddGrants) {
		if containsGrant(grantArgs(p.RemoveGrants), g) {
			probs = append(probs, fmt.Sprintf("grant %s (%s) is both added and removed", grantee(g), g.Permission))
		}
	}
	if len(probs) > 0 {
		return &ArgError{Tool: "update_models", Problems: probs}
	}
	return nil
}

// --- pure helpers: filter matching, tag and grant set math ---

// matchesFilter applies the criteria Open WebUI's /models/list cannot:
// query and tag were already applied upstream, exactly as list_models does.
func matchesFilter(m owui.Model, f schemas.BulkFilter) bool {
	if f.BaseModelID != "" && (m.BaseModelID == nil || *m.BaseModelID != f.BaseModelID) {
		return false
	}
	if f.Owner != "" && !ownedBy(m, f.Owner) {
		return false
	}
	return f.Active == nil || m.IsActive == *f.Active
}

// ownedBy matches the owner by user id (exact), e-mail or name (both
// case-insensitive, whole value).
func ownedBy(m owui.Model, who string) bool {
	who = strings.TrimSpace(who)
	if m.UserID == who {
		return true
	}
	u := m.User
	return u != nil && (u.ID == who || strings.EqualFold(u.Email, who) || strings.EqualFold(u.Name, who))
}

// hasTag reports whether m carries tag as a tag (Open WebUI's tag filter
// also matches any other meta value equal to it).
func hasTag(m owui.Model, tag string) bool {
	return containsFold(tagsOf(m.Meta), strings.TrimSpace(tag))
}

// tagChange removes and adds tags, comparing case-insensitively (Open
// WebUI's tag filter does), keeping the order of the tags that stay.
func tagChange(cur, add, remove []string) (after []string, changed bool) {
	after = []string{}
	for _, t := range cur {
		if containsFold(remove, strings.TrimSpace(t)) {
			changed = true
			continue
		}
		after = append(after, t)
	}
	for _, t := range add {
		t = strings.TrimSpace(t)
		if !containsFold(after, t) {
			after = append(after, t)
			changed = true
		}
	}
	return after, changed
}

// grantChange removes and adds grants; the result is sorted and without
// duplicates.
func grantChange(cur, add, remove []owui.Grant) (after []owui.Grant, gains, loses []schemas.Grant) {
	before := sortedGrants(dedupGrants(cur))
	for _, g := range before {
		if !containsGrant(remove, g) {
			after = append(after, g)
		}
	}
	after = sortedGrants(dedupGrants(append(after, add...)))
	gains, loses = grantDiff(before, after)
	return after, gains, loses
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// parallel calls fn(0..n-1), at most workers at once, starting them in
// index order; once stop reports true no further call starts.
func parallel(n, workers int, stop func() bool, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(workers, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// --- selection (upstream reads) ---

// selection is what a bulk call matched, sorted by id.
type selection struct {
	models []owui.Model
	// full: the models are complete records (read one by one, or exported),
	// not /models/list items, which lack meta.profile_image_url.
	full bool
}

// selectModels resolves a selection to records: ids are read one by one
// (exact, so '/', ':' and spaces are fine), a filter walks every page of
// /models/list with a fixed order, as list_models all=true does.
func selectModels(ctx context.Context, d *Deps, s schemas.BulkSelection) (selection, error) {
	var out []owui.Model
	var err error
	if s.Filter == nil {
		out, err = readIDs(ctx, d, uniq(s.IDs))
	} else {
		out, err = listMatching(ctx, d, *s.Filter)
	}
	if err != nil {
		return selection{}, err
	}
	if len(out) == 0 {
		return selection{}, errors.New("no model matches the selection: nothing to preview or change. Check it with list_models (same query and tag filters)")
	}
	sortByID(out)
	return selection{models: out, full: s.Filter == nil}, nil
}

func sortByID(ms []owui.Model) { sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID }) }

// exportGuess says whether exportedSelection can guess s: filters by query
// or owner are not guessed (Open WebUI matches them against user names
// too, which the export does not carry).
func exportGuess(s schemas.BulkSelection) bool {
	f := s.Filter
	return f == nil || f.Query == "" && f.Owner == ""
}

// exportedSelection is the shortcut a confirming call tries first: the
// selection picked out of one export instead of one read per id or every
// list page. It is only a guess: planBulk keeps it only when the plan built
// from it binds exactly the state the preview bound.
func exportedSelection(d *Deps, s schemas.BulkSelection, all []owui.Model) (selection, bool) {
	if !exportGuess(s) {
		return selection{}, false
	}
	var out []owui.Model
	if s.Filter == nil {
		have := byID(all)
		for _, id := range uniq(s.IDs) {
			m, ok := have[id]
			if !ok {
				return selection{}, false
			}
			out = append(out, m)
		}
	} else {
		for _, m := range all {
			if m.BaseModelID != nil && (s.Filter.Tag == "" || tagFilterMatches(m, s.Filter.Tag)) && matchesFilter(m, *s.Filter) {
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 || len(out) > d.Options.maxBulk() {
		return selection{}, false
	}
	sortByID(out)
	return selection{models: out, full: true}, true
}

// tagFilterMatches guesses Open WebUI's tag filter: the quoted tag, in any
// case, anywhere in the JSON text of meta (a tag of that name always is).
func tagFilterMatches(m owui.Model, tag string) bool {
	if strings.TrimSpace(tag) == tag && hasTag(m, tag) {
		return true
	}
	text, err1 := jsonText(m.Meta)
	quoted, err2 := jsonText(tag)
	return err1 == nil && err2 == nil && bytes.Contains(bytes.ToLower(text), bytes.ToLower(quoted))
}

// jsonText is v as compact JSON without HTML escaping, as Python writes it.
func jsonText(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// planBulk selects the models and builds the plan from them. A confirming
// call first tries the selection out of one export (exportedSelection):
// when the plan built from it binds the very state the preview bound, the
// list pages or per-id reads are skipped; otherwise, or when the guess
// fails in any way, it reads the selection as the preview did.
func planBulk(ctx context.Context, d *Deps, s schemas.BulkSelection, build func(context.Context, selection) (Plan[bulkPlan], error)) (Plan[bulkPlan], error) {
	if bound := boundState(ctx); bound != nil && exportGuess(s) {
		if plan, ok := boundPlan(ctx, d, s, build, bound); ok {
			return plan, nil
		}
	}
	sel, err := selectModels(ctx, d, s)
	if err != nil {
		return Plan[bulkPlan]{}, err
	}
	plan, err := build(ctx, sel)
	if err == nil && quickWanted(ctx) {
		plan.quickNext, plan.target = keepPlan(ctx, d, s, build, plan)
	}
	return plan, err
}

// boundPlan is the shortcut of a confirming call: one export read, and the
// plan kept for its token when the export is byte for byte the one that
// plan was built from, else a plan built from the export, if it binds.
func boundPlan(ctx context.Context, d *Deps, s schemas.BulkSelection, build func(context.Context, selection) (Plan[bulkPlan], error), bound func(any) (string, bool)) (Plan[bulkPlan], bool) {
	exp, err := d.Client.ReadExport(ctx)
	if err != nil {
		return Plan[bulkPlan]{}, false
	}
	if q := keptPlan(ctx); q != nil && q.digest == exp.Digest {
		if plan, ok := q.plan.(Plan[bulkPlan]); ok {
			plan.quick = true
			return plan, true
		}
	}
	all, err := exp.Models(ctx)
	if err != nil {
		return Plan[bulkPlan]{}, false
	}
	sel, ok := exportedSelection(d, s, all)
	if !ok {
		return Plan[bulkPlan]{}, false
	}
	// A bound plan runs unseen, so it is built without the preview's text
	// (milliseconds for 500 lines) when leanPreview allows; one that does
	// not bind is built again by planBulk, in full.
	lean := leanPreview(ctx)
	plan, err := build(context.WithValue(ctx, leanKey{}, lean), sel)
	if err != nil {
		return Plan[bulkPlan]{}, false
	}
	target, ok := bound(plan.State)
	if !ok {
		return Plan[bulkPlan]{}, false
	}
	plan.target, plan.lean = target, lean
	return plan, true
}

// keepPlan builds, for a preview that will mint a confirm_token, the plan
// its confirmation would build from the same export (boundPlan's) and
// returns it when it binds the preview's own state, with that state's
// fingerprint (computed once here, not again by the gate). It returns
// no plan when the preview read no export or the two states differ.
func keepPlan(ctx context.Context, d *Deps, s schemas.BulkSelection, build func(context.Context, selection) (Plan[bulkPlan], error), preview Plan[bulkPlan]) (*quickPlan, string) {
	exp := preview.Data.export
	if exp == nil {
		return nil, ""
	}
	all, err := exp.Models(ctx)
	if err != nil {
		return nil, ""
	}
	sel, ok := exportedSelection(d, s, all)
	if !ok {
		return nil, ""
	}
	kept, err := build(context.WithValue(ctx, leanKey{}, true), sel)
	if err != nil {
		return nil, ""
	}
	target := fingerprint(preview.State)
	if fingerprint(kept.State) != target {
		return nil, target
	}
	kept.target, kept.lean = target, true
	return &quickPlan{digest: exp.Digest, plan: kept}, target
}

func readIDs(ctx context.Context, d *Deps, ids []string) ([]owui.Model, error) {
	got := make([]owui.Model, len(ids))
	errs := make([]error, len(ids))
	parallel(len(ids), d.Options.bulkConcurrency(), func() bool { return ctx.Err() != nil }, func(i int) {
		got[i], errs[i] = d.Client.GetModel(ctx, ids[i])
	})
	var missing []string
	for i, err := range errs {
		switch {
		case err == nil:
		case owui.IsKind(err, owui.KindNotFound) || owui.IsKind(err, owui.KindForbidden):
			missing = append(missing, ids[i])
		default:
			return nil, fmt.Errorf("reading %s: %w", ids[i], err)
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("not found or not readable with this key: %s. Nothing was previewed or changed; fix the ids (list_models shows them exactly) and call again", litList(missing))
	}
	return got, nil
}

func listMatching(ctx context.Context, d *Deps, f schemas.BulkFilter) ([]owui.Model, error) {
	maxBulk := d.Options.maxBulk()
	listed, total := 0, 0
	// A model added or removed while the pages are read can shift them;
	// read again once, then give up rather than act on a partial view.
	for range 2 {
		lp := owui.ListParams{Query: f.Query, Tag: f.Tag, OrderBy: "created_at", Direction: "asc", Page: 1}
		first, err := d.Client.ListModels(ctx, lp)
		if err != nil {
			return nil, fmt.Errorf("reading page 1 of the model list: %w", err)
		}
		total = first.Total
		// Page 1 gives the count; the other pages are read at once,
		// --bulk-concurrency at a time, stopping early past --max-bulk.
		n := max(pages(total), 1)
		items := make([][]owui.Model, n)
		errs := make([]error, n)
		items[0] = first.Items
		var matched atomic.Int64
		count := func(ms []owui.Model) {
			for _, m := range ms {
				if matchesFilter(m, f) {
					matched.Add(1)
				}
			}
		}
		count(first.Items)
		var shifted atomic.Bool
		var read atomic.Int64
		stop := func() bool { return ctx.Err() != nil || matched.Load() > int64(maxBulk) }
		parallel(n-1, d.Options.bulkConcurrency(), stop, func(i int) {
			p := lp
			p.Page = i + 2
			page, err := d.Client.ListModels(ctx, p)
			items[i+1], errs[i+1] = page.Items, err
			read.Add(1)
			if err == nil && page.Total != total {
				shifted.Store(true)
			}
			count(page.Items)
		})
		if m := matched.Load(); m > int64(maxBulk) {
			atLeast := ""
			if read.Load() < int64(n-1) {
				atLeast = "at least "
			}
			return nil, tooMany(int(m), maxBulk, atLeast)
		}
		seen := map[string]bool{}
		var out []owui.Model
		for i, page := range items {
			if errs[i] != nil {
				return nil, fmt.Errorf("reading page %d of the model list: %w", i+1, errs[i])
			}
			for _, m := range page {
				if seen[m.ID] {
					continue
				}
				seen[m.ID] = true
				if matchesFilter(m, f) {
					out = append(out, m)
				}
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		listed = len(seen)
		if listed == total && !shifted.Load() {
			return out, nil
		}
	}
	return nil, fmt.Errorf("the model list changed while it was read (%d models listed, Open WebUI counted %d): nothing was previewed or changed. Call again", listed, total)
}

// fullRecords fills t.full for every target: one export when the key may
// export (Open WebUI's list strips meta.profile_image_url, so list items are
// not complete records), else one read per model. It returns the export by
// id (empty when none was read) and the export read (nil if none).
func fullRecords(ctx context.Context, d *Deps, ts []bulkTarget) (map[string]owui.Model, *owui.Export, error) {
	have := map[string]owui.Model{}
	if len(ts) == 0 {
		return have, nil, nil
	}
	var exp *owui.Export
	if len(ts) > d.Options.bulkConcurrency() {
		var all []owui.Model
		var err error
		if exp, err = d.Client.ReadExport(ctx); err == nil {
			all, err = exp.Models(ctx)
		}
		if err != nil && !owui.IsKind(err, owui.KindForbidden) {
			return nil, nil, fmt.Errorf("reading the full records for the backup: %w", err)
		}
		if err != nil {
			exp = nil
		}
		have = byID(all)
	}
	var missing []int
	for i := range ts {
		if m, ok := have[ts[i].cur.ID]; ok {
			ts[i].full = m
		} else {
			missing = append(missing, i)
		}
	}
	errs := make([]error, len(missing))
	parallel(len(missing), d.Options.bulkConcurrency(), func() bool { return ctx.Err() != nil }, func(k int) {
		t := &ts[missing[k]]
		t.full, errs[k] = d.Client.GetModel(ctx, t.cur.ID)
	})
	for k, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s for the backup: %w", ts[missing[k]].cur.ID, err)
		}
	}
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	for i := range ts {
		t := &ts[i]
		if t.full.UpdatedAt != t.cur.UpdatedAt {
			return nil, nil, changedWhileRead(t.cur.ID)
		}
		t.full.WriteAccess = nil
	}
	return have, exp, nil
}

func changedWhileRead(id string) error {
	return fmt.Errorf("%s changed while the selection was read: nothing was previewed or changed. Call again", lit(id))
}

// --- plans ---

func planUpdateModels(ctx context.Context, d *Deps, p schemas.UpdateModelsArgs) (Plan[bulkPlan], error) {
	return planBulk(ctx, d, p.BulkSelection, func(ctx context.Context, sel selection) (Plan[bulkPlan], error) {
		return planUpdateOf(ctx, d, p, sel)
	})
}

func planUpdateOf(ctx context.Context, d *Deps, p schemas.UpdateModelsArgs, sel selection) (Plan[bulkPlan], error) {
	add, remove := grantArgs(p.AddGrants), grantArgs(p.RemoveGrants)
	ts := make([]bulkTarget, 0, len(sel.models)) // large: grown by appends it would be copied ~10 times
	var same []string
	blocked := map[string][]string{}
	for _, m := range sel.models {
		t := bulkTarget{cur: m}
		if p.Active != nil && m.IsActive != *p.Active {
			t.active = p.Active
		}
		if len(p.AddTags)+len(p.RemoveTags) > 0 {
			t.tagsAfter, t.tags = tagChange(tagsOf(m.Meta), p.AddTags, p.RemoveTags)
		}
		if len(add)+len(remove) > 0 {
			t.grantsAfter, t.gains, t.loses = grantChange(m.Grants(), add, remove)
			t.grants = len(t.gains)+len(t.loses) > 0
		}
		t.tagOnlyMentionedIn = p.Filter != nil && p.Filter.Tag != "" && !hasTag(m, p.Filter.Tag)
		switch {
		case t.active == nil && !t.tags && !t.grants:
			same = append(same, m.ID)
		case !m.CanWrite():
			blocked["read-only for this key"] = append(blocked["read-only for this key"], m.ID)
		default:
			ts = append(ts, t)
		}
	}
	bp := bulkPlan{targets: ts, commit: p.CommitMessage}
	var warnings []string
	if p.CommitMessage != "" {
		// The client drops the message for servers without history.
		v, _ := d.Client.Version(ctx)
		switch {
		case !owui.Has(v, owui.FeatureModelHistory):
			warnings = append(warnings, "commit_message is not sent: Open WebUI "+v+" keeps no model history (0.12+)")
		case len(p.AddTags)+len(p.RemoveTags) == 0:
			warnings = append(warnings, "commit_message is kept only with tag changes (an update); toggles and grant changes write no history entry")
		}
	}
	pp := d.people(ctx, grantsOut(add))
	if len(add) > 0 {
		warnings = append(warnings, writeOnlyWarnings(pp, add)...)
	}
	return finishPlan(ctx, d, "update_models", p.BulkSelection, sel, bp, same, blocked, warnings, pp)
}

func planDeleteModels(ctx context.Context, d *Deps, p schemas.DeleteModelsArgs) (Plan[bulkPlan], error) {
	return planBulk(ctx, d, p.Selection(), func(ctx context.Context, sel selection) (Plan[bulkPlan], error) {
		return planDeleteOf(ctx, d, p, sel)
	})
}

func planDeleteOf(ctx context.Context, d *Deps, p schemas.DeleteModelsArgs, sel selection) (Plan[bulkPlan], error) {
	ts := make([]bulkTarget, 0, len(sel.models))
	blocked := map[string][]string{}
	for _, m := range sel.models {
		if !m.CanWrite() {
			blocked["read-only for this key"] = append(blocked["read-only for this key"], m.ID)
			continue
		}
		ts = append(ts, bulkTarget{cur: m, delete: true,
			tagOnlyMentionedIn: p.Filter != nil && p.Filter.Tag != "" && !hasTag(m, p.Filter.Tag)})
	}
	return finishPlan(ctx, d, "delete_models", p.Selection(), sel, bulkPlan{targets: ts}, nil, blocked, nil, nil)
}

// finishPlan reads the full records, builds the one preview and binds the
// confirmation to every selected record.
func finishPlan(ctx context.Context, d *Deps, tool string, s schemas.BulkSelection, sel selection, bp bulkPlan, same []string, blocked map[string][]string, warnings []string, pp people) (Plan[bulkPlan], error) {
	if len(bp.targets) == 0 && len(blocked) > 0 {
		var why []string
		for reason, ids := range blocked {
			why = append(why, reason+": "+litList(ids))
		}
		sort.Strings(why)
		already := ""
		if len(same) > 0 {
			already = fmt.Sprintf(", %d already as asked", len(same))
		}
		return Plan[bulkPlan]{}, fmt.Errorf("none of the %d matched models that need a change can be changed by this key (%s%s); nothing was sent. Use the owners' or an admin's key", len(sel.models)-len(same), strings.Join(why, "; "), already)
	}
	state, exp, err := bindFullRecords(ctx, d, sel, bp.targets, blocked)
	if err != nil {
		return Plan[bulkPlan]{}, err
	}
	bp.export = exp
	if s.Filter != nil {
		warnings = append(warnings, ownerWarnings(sel.models, s.Filter.Owner)...)
		if s.Filter.Tag != "" {
			var loose []string
			for _, t := range bp.targets {
				if t.tagOnlyMentionedIn {
					loose = append(loose, t.cur.ID)
				}
			}
			if len(loose) > 0 {
				warnings = append(warnings, fmt.Sprintf("matched by tag %s only through another meta value (as list_models does), not a tag: %s", lit(s.Filter.Tag), litList(loose)))
			}
		}
	}
	// The people the preview lines name: grants gained or lost, and the
	// (first three) grants of each model deleted.
	var shown [][]schemas.Grant
	for _, t := range bp.targets {
		if t.delete {
			shown = append(shown, grantsOut(t.cur.Grants()[:min(3, len(t.cur.Grants()))]))
		}
		shown = append(shown, t.gains, t.loses)
	}
	lean, _ := ctx.Value(leanKey{}).(bool)
	if !lean { // a lean preview has no lines to name them in
		pp = d.morePeople(ctx, pp, shown...)
	}
	pv := bulkPreview(tool, len(sel.models), bp.targets, same, blocked, warnings, pp, lean)
	plan := Plan[bulkPlan]{Preview: pv, State: state, Data: bp, NoOp: len(bp.targets) == 0}
	for _, t := range bp.targets {
		plan.Backup = append(plan.Backup, t.full)
		plan.Targets = append(plan.Targets, t.cur.ID)
	}
	return plan, nil
}

// bindFullRecords fills every target's full record and returns the state a
// confirmation binds: each selected model as its most complete record (the
// export's or a single read's where one was made, else the list item) and
// the ids this key may not change. A confirming call that re-reads the
// selection out of one export (planBulk) binds the same state exactly when
// nothing changed and the preview read the same records. It also returns
// the export the full records came from (nil when none was read).
func bindFullRecords(ctx context.Context, d *Deps, sel selection, ts []bulkTarget, blocked map[string][]string) (map[string]any, *owui.Export, error) {
	records := slices.Clone(sel.models)
	var exp *owui.Export
	if sel.full {
		for i := range ts {
			ts[i].full = ts[i].cur
			ts[i].full.WriteAccess = nil
		}
	} else {
		var err error
		var have map[string]owui.Model
		if have, exp, err = fullRecords(ctx, d, ts); err != nil {
			return nil, nil, err
		}
		for _, t := range ts { // read one by one when there are few
			have[t.cur.ID] = t.full
		}
		for i, m := range records {
			if x, ok := have[m.ID]; ok {
				if x.UpdatedAt != m.UpdatedAt {
					return nil, nil, changedWhileRead(m.ID)
				}
				records[i] = x
			}
		}
	}
	readOnly := []string{}
	for _, ids := range blocked {
		readOnly = append(readOnly, ids...)
	}
	sort.Strings(readOnly)
	return map[string]any{"models": records, "read_only": readOnly}, exp, nil
}

// leanKey marks the build of planBulk's shortcut that may skip the
// preview's text.
type leanKey struct{}

// ownerWarnings flags an owner name shared by several users.
func ownerWarnings(sel []owui.Model, who string) []string {
	if who == "" {
		return nil
	}
	users := map[string]bool{}
	for _, m := range sel {
		users[m.UserID] = true
	}
	if len(users) < 2 {
		return nil
	}
	ids := make([]string, 0, len(users))
	for u := range users {
		ids = append(ids, u)
	}
	sort.Strings(ids)
	return []string{fmt.Sprintf("owner %s matches %d different users: %s", lit(who), len(ids), litList(ids))}
}

// --- preview ---

var onOff = map[bool]string{true: "on", false: "off"}

// bulkPreview is the one preview of a bulk call. lean leaves out the text
// and the before → after details, keeping the summary, counts and each
// model's effect (what the backup and the audit record read).
func bulkPreview(tool string, matched int, ts []bulkTarget, same []string, blocked map[string][]string, warnings []string, pp people, lean bool) schemas.Preview {
	verb := "change"
	if tool == "delete_models" {
		verb = "DELETE"
	}
	nBlocked := 0
	for _, ids := range blocked {
		nBlocked += len(ids)
	}
	pv := schemas.Preview{Action: tool, Warnings: warnings, People: pp,
		Counts: map[string]int{"matched": matched, "change": len(ts), "unchanged": len(same), "cannot_change": nBlocked}}
	pv.Summary = fmt.Sprintf("%s %d of %d matched models (%d already as asked, %d cannot be changed by this key)", verb, len(ts), matched, len(same), nBlocked)
	if tool == "delete_models" {
		pv.Summary = fmt.Sprintf("DELETE %d of %d matched models (%d cannot be deleted by this key)", len(ts), matched, nBlocked)
		pv.Counts["delete"] = len(ts)
		delete(pv.Counts, "change")
		delete(pv.Counts, "unchanged")
	}
	// Lines are grouped by owner, so that each line does not repeat it.
	byOwner := make([]*bulkTarget, len(ts))
	for i := range ts {
		byOwner[i] = &ts[i]
	}
	sort.SliceStable(byOwner, func(i, j int) bool { return owner(byOwner[i].cur) < owner(byOwner[j].cur) })
	pv = withEffects(pv, byOwner, same, blocked)
	if lean {
		return pv
	}
	var b strings.Builder
	b.WriteString(pv.Summary + "\n")
	if tool != "delete_models" && len(ts) > 0 {
		b.WriteString("Per model: what changes, before → after; tags [before] +added −removed; grants +gained −lost.\n")
	}
	for _, w := range warnings {
		b.WriteString("WARNING: " + w + "\n")
	}
	lastOwner := "\x00"
	for _, t := range byOwner {
		m := t.cur
		if o := owner(m); o != lastOwner {
			fmt.Fprintf(&b, "owner %s:\n", lit(o))
			lastOwner = o
		}
		if t.delete {
			fmt.Fprintf(&b, "- DELETE %s %s, %s\n", lit(m.ID), lit(m.Name), pp.grantsShort(m.Grants()))
			continue
		}
		var parts []string
		if t.active != nil {
			pv.Changes = append(pv.Changes, schemas.FieldChange{ID: m.ID, Field: "is_active", Before: m.IsActive, After: *t.active})
			parts = append(parts, "active "+onOff[m.IsActive]+"→"+onOff[*t.active])
		}
		if t.tags {
			before := tagsOf(m.Meta)
			pv.Changes = append(pv.Changes, schemas.FieldChange{ID: m.ID, Field: "meta.tags", Before: nonNilStr(before), After: t.tagsAfter})
			parts = append(parts, "tags ["+tagsShort(before)+"]"+tagsDelta(before, t.tagsAfter))
		}
		if t.grants {
			pv.Access = append(pv.Access, schemas.AccessDiff{ID: m.ID, Before: nonNil(grantsOut(m.Grants())), After: nonNil(grantsOut(t.grantsAfter)), Gains: t.gains, Loses: t.loses})
			var g []string
			for _, x := range t.gains {
				g = append(g, "+"+pp.grantList([]schemas.Grant{x}))
			}
			for _, x := range t.loses {
				g = append(g, "−"+pp.grantList([]schemas.Grant{x}))
			}
			parts = append(parts, strings.Join(g, " "))
		}
		fmt.Fprintf(&b, "- %s %s: %s\n", lit(m.ID), lit(m.Name), strings.Join(parts, "; "))
	}
	if len(same) > 0 {
		fmt.Fprintf(&b, "already as asked (%d): %s\n", len(same), litList(same))
	}
	reasons := make([]string, 0, len(blocked))
	for r := range blocked {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(&b, "cannot change, %s (%d): %s\n", r, len(blocked[r]), litList(blocked[r]))
	}
	if len(ts) > 0 {
		fmt.Fprintf(&b, "A backup of the %d records is written first; restore_models undoes the whole call.", len(ts))
	}
	pv.Text = strings.TrimRight(b.String(), "\n")
	return pv
}

// withEffects fills a preview's per-model effects: the targets in the
// order of the text's lines, then those already as asked, then those the
// key cannot change.
func withEffects(pv schemas.Preview, byOwner []*bulkTarget, same []string, blocked map[string][]string) schemas.Preview {
	for _, t := range byOwner {
		a := schemas.Affected{ID: t.cur.ID, Name: t.cur.Name, Owner: owner(t.cur), Effect: "update"}
		if t.delete {
			a.Effect, a.Grants = "delete", grantsOut(t.cur.Grants())
		}
		pv.Models = append(pv.Models, a)
	}
	for _, id := range same {
		pv.Models = append(pv.Models, schemas.Affected{ID: id, Effect: "unchanged"})
	}
	reasons := make([]string, 0, len(blocked))
	for r := range blocked {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		for _, id := range blocked[r] {
			pv.Models = append(pv.Models, schemas.Affected{ID: id, Effect: "skipped"})
		}
	}
	return pv
}

func nonNilStr(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// tagsDelta is " +added −removed" from before to after.
func tagsDelta(before, after []string) string {
	var b strings.Builder
	for _, t := range after {
		if !containsFold(before, t) {
			b.WriteString(" +" + lit(t))
		}
	}
	for _, t := range before {
		if !containsFold(after, t) {
			b.WriteString(" −" + lit(t))
		}
	}
	return b.String()
}

// tagsShort is a tag list in a few tokens: a,b,c
// (cut after 6).
func tagsShort(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	out := make([]string, 0, min(len(tags), 6))
	for i, t := range tags {
		if i == 6 {
			out = append(out, fmt.Sprintf("+%d more", len(tags)-6))
			break
		}
		out = append(out, lit(t))
	}
	return strings.Join(out, ",")
}

func (pp people) grantsShort(gs []owui.Grant) string {
	switch {
	case len(gs) == 0:
		return "private"
	case len(gs) > 3:
		return fmt.Sprintf("shared with %s and %d more", pp.grantList(grantsOut(gs[:3])), len(gs)-3)
	}
	return "shared with " + pp.grantList(grantsOut(gs))
}

// lit shows an untrusted value on one line in few tokens: as is when it is
// plain (letters, digits and -_./:@+), else as untrusted renders it.
func lit(s string) string {
	plain := s != "" && utf8.RuneCountInString(s) <= maxShown
	for _, c := range s {
		if !plain || !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune("-_./:@+", c) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return untrusted(s)
}

func litList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = lit(id)
	}
	return strings.Join(out, ", ")
}

// --- run ---

// apply makes one model's change with the cheapest correct route: tag
// changes need the full update (the merged form re-sends everything Open
// WebUI needs to keep, and carries is_active too); an active change alone
// is a toggle; grants go through the access route.
func (t bulkTarget) apply(ctx context.Context, d *Deps, commit string) error {
	if t.tags {
		form := mergeUpdate(t.full, schemas.UpdateModelArgs{Tags: t.tagsAfter, IsActive: t.active})
		if t.grants {
			form.AccessGrants = t.grantsAfter
		}
		// As update_model: the given message, else a short note naming the
		// tool, the client and the fields.
		fields := []string{"meta.tags"}
		if t.active != nil {
			fields = append(fields, "is_active")
		}
		form.CommitMessage = commitMessage(ctx, commit, "update_models", fields)
		_, err := writeUpdate(ctx, d, form, t.grants)
		return err
	}
	done := ""
	if t.active != nil {
		m, err := d.Client.ToggleModel(ctx, t.cur.ID)
		if err != nil {
			return err
		}
		if m.IsActive != *t.active {
			return fmt.Errorf("the toggle left it %s: it was switched by someone else meanwhile. Check it with get_model", onOff[m.IsActive])
		}
		done = "it was switched " + onOff[*t.active] + ", but "
	}
	if t.grants {
		kept, err := d.Client.SetModelAccess(ctx, owui.AccessForm{ID: t.cur.ID, AccessGrants: nonNilGrants(t.grantsAfter)})
		if err != nil {
			if done != "" {
				return fmt.Errorf("%schanging the grants failed: %w", done, err)
			}
			return err
		}
		if got := len(kept); got != len(t.grantsAfter) {
			// ≤0.12.3 drop grants the key may not give, without an error.
			return fmt.Errorf("%sOpen WebUI kept %d of the %d grants sent (it drops grants this key may not give); its grants are now %s", done, got, len(t.grantsAfter), grantListOrPrivate(grantsOut(kept)))
		}
	}
	return nil
}

func nonNilGrants(gs []owui.Grant) []owui.Grant {
	if gs == nil {
		return []owui.Grant{}
	}
	return gs
}

// runBulk runs op on every target, at most --bulk-concurrency at once. A
// failure stops the calls not yet started unless keepGoing; calls already
// in flight finish, so every target ends up reported exactly once.
func runBulk(ctx context.Context, d *Deps, bp bulkPlan, verb string, keepGoing bool, op func(context.Context, bulkTarget) error) (schemas.Outcome, error) {
	ts := bp.targets
	errs := make([]error, len(ts))
	started := make([]bool, len(ts))
	var stop atomic.Bool
	parallel(len(ts), d.Options.bulkConcurrency(), func() bool { return stop.Load() || ctx.Err() != nil }, func(i int) {
		started[i] = true
		if errs[i] = op(ctx, ts[i]); errs[i] != nil && !keepGoing {
			stop.Store(true)
		}
	})
	res := &schemas.Result{}
	for i, t := range ts {
		switch {
		case !started[i]:
			res.NotAttempted = append(res.NotAttempted, t.cur.ID)
		case errs[i] != nil:
			msg := strings.TrimRight(errs[i].Error(), ".")
			var oe *owui.Error
			if errors.As(errs[i], &oe) {
				msg += ". " + advice(oe.Kind)
			}
			res.Failed = append(res.Failed, schemas.Failure{ID: t.cur.ID, Error: d.scrub(msg)})
		case verb == "deleted":
			res.Deleted = append(res.Deleted, t.cur.ID)
		default:
			res.Changed = append(res.Changed, t.cur.ID)
		}
	}
	ok := len(ts) - len(res.Failed) - len(res.NotAttempted)
	if len(res.Failed) == 0 && len(res.NotAttempted) == 0 {
		return schemas.Outcome{Message: fmt.Sprintf("%s %d model(s).", upperFirst(verb), ok), Result: res}, nil
	}
	out := schemas.Outcome{Status: "partial", Result: res}
	if ok == 0 {
		out.Status = "failed"
	}
	out.Message = fmt.Sprintf("NOT ALL DONE: %s %d of %d model(s); %d failed; %d not attempted", verb, ok, len(ts), len(res.Failed), len(res.NotAttempted))
	if len(res.NotAttempted) > 0 {
		if ctx.Err() != nil {
			out.Message += " (the call was cancelled)"
		} else {
			out.Message += " (stopped at the first failure; continue_on_error=true goes on past failures)"
		}
	}
	out.Message += "."
	return schemas.Outcome{}, &PartialError{Done: ok, Err: errors.New(out.Message), Report: &out}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func grantArgs(gs []schemas.GrantArg) []owui.Grant {
	out := make([]owui.Grant, len(gs))
	for i, g := range gs {
		out[i] = owui.Grant(g)
	}
	return out
}
