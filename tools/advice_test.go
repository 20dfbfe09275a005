package tools

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// clientKinds reads every Kind constant declared in owui/errors.go, so a
// kind added to the client without advice here fails this test.
func clientKinds(t *testing.T) []owui.Kind {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../owui/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []owui.Kind
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				s, err := strconv.Unquote(v.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				kinds = append(kinds, owui.Kind(s))
			}
		}
	}
	if len(kinds) < 10 {
		t.Fatalf("found only %d kinds in owui/errors.go: %v", len(kinds), kinds)
	}
	return kinds
}

func TestEveryKindHasItsOwnAdvice(t *testing.T) {
	fallback := advice("no such kind")
	seen := map[string]owui.Kind{}
	for _, k := range clientKinds(t) {
		a := advice(k)
		if k == owui.KindOther {
			if a != fallback {
				t.Errorf("%s: %q, want the fallback %q", k, a, fallback)
			}
			continue
		}
		if a == fallback {
			t.Errorf("%s: only the fallback advice", k)
		}
		if prev, dup := seen[a]; dup {
			t.Errorf("%s and %s share the advice %q", k, prev, a)
		}
		seen[a] = k
	}
}

// The advice names the next step; a few are pinned here because agents
// act on them (others are asserted through the tools in errors_test.go
// and faults_test.go).
func TestAdviceNamesTheNextStep(t *testing.T) {
	for k, want := range map[owui.Kind]string{
		owui.KindNotFound:        "check the id with list_models",
		owui.KindConflict:        "update the existing model with update_model",
		owui.KindVersionConflict: "read it again (a fresh preview)",
		owui.KindTimeout:         "raise --timeout",
		owui.KindUnavailable:     "check OPENWEBUI_URL",
	} {
		if a := advice(k); !strings.Contains(a, want) {
			t.Errorf("%s: %q lacks %q", k, a, want)
		}
	}
}
