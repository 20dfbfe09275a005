package tools

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// renderPreview writes a preview as short plain text: it is what a human
// reads in an elicitation dialog, and what an agent shows its user.
func renderPreview(tool string, p schemas.Preview) string {
	var b strings.Builder
	if tool != "" {
		fmt.Fprintf(&b, "%s: ", tool)
	}
	b.WriteString(p.Summary)
	b.WriteString("\n")
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "WARNING: %s\n", w)
	}
	for _, n := range p.NotRestored {
		fmt.Fprintf(&b, "NOT RESTORED: %s\n", n)
	}
	const maxRows = 50
	for i, m := range p.Models {
		if i == maxRows {
			fmt.Fprintf(&b, "… and %d more\n", len(p.Models)-maxRows)
			break
		}
		fmt.Fprintf(&b, "- %s %s", strings.ToUpper(m.Effect), m.ID)
		if m.Name != "" && m.Name != m.ID {
			fmt.Fprintf(&b, " (%s)", m.Name)
		}
		if m.Owner != "" {
			fmt.Fprintf(&b, " owner %s", m.Owner)
		}
		if len(m.Grants) > 0 {
			fmt.Fprintf(&b, " shared with %s", grantList(m.Grants))
		}
		b.WriteString("\n")
	}
	for i, c := range p.Changes {
		if i == maxRows {
			fmt.Fprintf(&b, "… and %d more changes\n", len(p.Changes)-maxRows)
			break
		}
		fmt.Fprintf(&b, "- %s.%s: %s → %s\n", c.ID, c.Field, short(c.Before), short(c.After))
	}
	for _, a := range p.Access {
		fmt.Fprintf(&b, "- access of %s: %s → %s\n", a.ID, grantListOrPrivate(a.Before), grantListOrPrivate(a.After))
		if len(a.Gains) > 0 {
			fmt.Fprintf(&b, "  gains: %s\n", grantList(a.Gains))
		}
		if len(a.Loses) > 0 {
			fmt.Fprintf(&b, "  loses: %s\n", grantList(a.Loses))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func grantList(gs []schemas.Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = grantee(owui.Grant(g)) + " (" + g.Permission + ")"
	}
	return strings.Join(parts, ", ")
}

func grantListOrPrivate(gs []schemas.Grant) string {
	if len(gs) == 0 {
		return "private"
	}
	return grantList(gs)
}

func short(v any) string {
	if v == nil {
		return "(none)"
	}
	s := compactJSON(v)
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// grantee names who a grant is for.
func grantee(g owui.Grant) string {
	if g.PrincipalID == "*" {
		return "everyone"
	}
	return g.PrincipalType + " " + g.PrincipalID
}
