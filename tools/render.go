package tools

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/internal/safety"
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

// maxShown caps, in runes, one untrusted string as a human sees it.
const maxShown = 120

// untrusted renders a string that came from Open WebUI or the caller (a
// model id, name, owner, tag, description, grant principal) for a human to
// read: always quoted, on one line, with every control, format (zero-width,
// bidirectional override), separator and other non-printing character
// escaped, and cut to maxShown runes ("…" after the closing quote says it
// was cut). Anyone who may create a model chooses these strings, so a name
// must not be able to add lines of its own to a preview or a question.
func untrusted(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	cut := false
	if utf8.RuneCountInString(s) > maxShown {
		n := 0
		for i := range s {
			if n == maxShown {
				s, cut = s[:i], true
				break
			}
			n++
		}
	}
	q := strconv.Quote(s)
	if cut {
		q += "…"
	}
	return q
}

// untrustedList renders strings with untrusted, comma-separated.
func untrustedList(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = untrusted(s)
	}
	return strings.Join(parts, ", ")
}

// cell renders an untrusted string as one cell of a tab-separated table:
// as is when it is plainly printable (the common id or name), else quoted
// and escaped by untrusted.
func cell(s string) string {
	if s == "" {
		return ""
	}
	plain := utf8.RuneCountInString(s) <= maxShown && strings.TrimSpace(s) == s
	for _, r := range s {
		if !plain || r == '"' || r == '\\' || !unicode.IsPrint(r) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return untrusted(s)
}

// escapeNonPrint escapes every non-printing rune except newline and tab
// (ANSI escapes, zero-width and bidirectional controls, line separators):
// the last line of defence on any text the server returns, where such a
// rune can only come from untrusted data.
func escapeNonPrint(s string) string {
	clean := true
	for _, r := range s {
		if r != '\n' && r != '\t' && !unicode.IsPrint(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || unicode.IsPrint(r):
			b.WriteRune(r)
		case r > 0xFFFF:
			fmt.Fprintf(&b, "\\U%08x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// humanDuration prints a duration the way a person says it: "3m", "90s".
func humanDuration(d time.Duration) string { return safety.HumanDuration(d) }

// renderPreview writes a preview as short plain text: it is what a human
// reads in an elicitation dialog, and what an agent shows its user.
func renderPreview(tool string, p schemas.Preview) string {
	pp := people(p.People)
	var b strings.Builder
	if tool != "" {
		fmt.Fprintf(&b, "%s: ", tool)
	}
	if p.Text != "" {
		return b.String() + p.Text
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
		fmt.Fprintf(&b, "- %s %s", strings.ToUpper(m.Effect), untrusted(m.ID))
		if m.Name != "" && m.Name != m.ID {
			fmt.Fprintf(&b, " (%s)", untrusted(m.Name))
		}
		if m.Owner != "" {
			fmt.Fprintf(&b, " owner %s", untrusted(m.Owner))
		}
		if len(m.Grants) > 0 {
			fmt.Fprintf(&b, " shared with %s", pp.grantList(m.Grants))
		}
		b.WriteString("\n")
	}
	for i, c := range p.Changes {
		if i == maxRows {
			fmt.Fprintf(&b, "… and %d more changes\n", len(p.Changes)-maxRows)
			break
		}
		fmt.Fprintf(&b, "- %s %s: %s → %s\n", untrusted(c.ID), untrusted(c.Field), short(c.Before), short(c.After))
	}
	for _, a := range p.Access {
		fmt.Fprintf(&b, "- access of %s: %s → %s\n", untrusted(a.ID), pp.grantListOrPrivate(a.Before), pp.grantListOrPrivate(a.After))
		if len(a.Gains) > 0 {
			fmt.Fprintf(&b, "  gains: %s\n", pp.grantList(a.Gains))
		}
		if len(a.Loses) > 0 {
			fmt.Fprintf(&b, "  loses: %s\n", pp.grantList(a.Loses))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// people names the users that grants point at, by user id, as Open WebUI
// gives them (Deps.people): e-mail, else name. Grants render with it; a user
// it does not name (lookup failed or skipped), a group and everyone render
// as before, and a nil people names every user by id.
type people map[string]string

func grantListOrPrivate(gs []schemas.Grant) string { return people(nil).grantListOrPrivate(gs) }

func grantee(g owui.Grant) string { return people(nil).grantee(g) }

func (pp people) grantList(gs []schemas.Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = pp.grantee(owui.Grant(g)) + " (" + cell(g.Permission) + ")"
	}
	return strings.Join(parts, ", ")
}

func (pp people) grantListOrPrivate(gs []schemas.Grant) string {
	if len(gs) == 0 {
		return "private"
	}
	return pp.grantList(gs)
}

// grantee names who a grant is for. A person's name or e-mail is as
// untrusted as the id (anyone may choose their own name), so it is shown
// the same way: quoted, escaped, on one line.
func (pp people) grantee(g owui.Grant) string {
	if g.PrincipalID == "*" {
		return "everyone"
	}
	if who := pp[g.PrincipalID]; who != "" && g.PrincipalType == "user" {
		return "user " + untrusted(who)
	}
	return cell(g.PrincipalType) + " " + untrusted(g.PrincipalID)
}

func short(v any) string {
	if v == nil {
		return "(none)"
	}
	// JSON already puts a string on one line; escapeNonPrint removes
	// what JSON leaves (bidi and zero-width characters).
	s := escapeNonPrint(compactJSON(v))
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:80]) + "…"
	}
	return s
}
