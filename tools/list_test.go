package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

func TestListParams(t *testing.T) {
	cases := []struct {
		in   schemas.ListModelsArgs
		want owui.ListParams
	}{
		{schemas.ListModelsArgs{}, owui.ListParams{OrderBy: "created_at", Direction: "desc"}},
		{schemas.ListModelsArgs{Query: "q", ViewOption: "shared", Tag: "t", OrderBy: "name", Direction: "asc", Page: 3, All: true, Limit: 5},
			owui.ListParams{Query: "q", ViewOption: "shared", Tag: "t", OrderBy: "name", Direction: "asc", Page: 3}},
		{schemas.ListModelsArgs{Direction: "asc"}, owui.ListParams{OrderBy: "created_at", Direction: "asc"}},
	}
	for _, c := range cases {
		if got := listParams(c.in); got != c.want {
			t.Errorf("listParams(%+v) = %+v; want %+v", c.in, got, c.want)
		}
	}
}

// models returns n models named prefix0, prefix1, …
func models(prefix string, n int) []owui.Model {
	out := make([]owui.Model, n)
	for i := range out {
		out[i] = owui.Model{ID: fmt.Sprintf("%s%d", prefix, i)}
	}
	return out
}

func TestWalkPages(t *testing.T) {
	full, second := models("a", owui.PageSize), models("b", 5)
	cases := []struct {
		name      string
		pages     [][]owui.Model // page i+1
		total     int
		limit     int
		want      int
		truncated bool
		reads     int
	}{
		{"one short page", [][]owui.Model{models("a", 3)}, 3, 200, 3, false, 1},
		{"empty list", [][]owui.Model{nil}, 0, 200, 0, false, 1},
		{"two pages", [][]owui.Model{full, second}, 35, 200, 35, false, 2},
		{"a full last page ends at the total", [][]owui.Model{full}, owui.PageSize, 200, owui.PageSize, false, 1},
		{"cut at the limit", [][]owui.Model{full, second}, 35, 32, 32, true, 2},
		{"limit met exactly at the end is not cut", [][]owui.Model{full, second}, 35, 35, 35, false, 2},
		{"a model repeated by a shift is listed once", [][]owui.Model{full, append([]owui.Model{full[29]}, second...)}, 36, 200, 35, false, 2},
	}
	for _, c := range cases {
		var asked []int
		got, total, truncated, err := walkPages(owui.ListParams{Tag: "t", Page: 7}, c.limit, func(lp owui.ListParams) (owui.ModelList, error) {
			asked = append(asked, lp.Page)
			if lp.Tag != "t" {
				t.Errorf("%s: filters lost: %+v", c.name, lp)
			}
			return owui.ModelList{Items: c.pages[lp.Page-1], Total: c.total}, nil
		})
		if err != nil || len(got) != c.want || total != c.total || truncated != c.truncated || !slices.Equal(asked, []int{1, 2}[:c.reads]) {
			t.Errorf("%s: %d models, total %d, truncated %v, pages read %v, err %v", c.name, len(got), total, truncated, asked, err)
		}
		ids := map[string]bool{}
		for _, m := range got {
			if ids[m.ID] {
				t.Errorf("%s: %s listed twice", c.name, m.ID)
			}
			ids[m.ID] = true
		}
	}

	boom := errors.New("boom")
	_, _, _, err := walkPages(owui.ListParams{}, 200, func(lp owui.ListParams) (owui.ModelList, error) {
		if lp.Page == 2 {
			return owui.ModelList{}, boom
		}
		return owui.ModelList{Items: full, Total: 40}, nil
	})
	if !errors.Is(err, boom) || err.Error() != "reading page 2: boom" {
		t.Errorf("error: %v", err)
	}
}

func TestListTags(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name string
		got  []string
		err  error
		want []string
	}{
		{"sorted", []string{"b", "A", "a"}, nil, []string{"A", "a", "b"}},
		{"none", []string{}, nil, []string{}},
		{"error passes through", nil, boom, nil},
	}
	for _, c := range cases {
		h := listTags(func(*owui.Client, context.Context) ([]string, error) { return c.got, c.err })
		res, err := h(context.Background(), &Deps{}, schemas.NoArgs{})
		if !errors.Is(err, c.err) || !slices.Equal(res.Tags, c.want) || (c.want != nil && res.Tags == nil) {
			t.Errorf("%s: %v, %v; want %v", c.name, res.Tags, err, c.want)
		}
	}
}
