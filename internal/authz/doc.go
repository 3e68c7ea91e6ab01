package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/confide-cc/confide/internal/identity"
)

// RightsMarkdown renders the rights e's policies give each role as a
// Markdown table (docs/ACCESS.md is generated from the built-in policies;
// `confide policy table` prints it for an operator's set). A cell lists
// the relation conditions the policies require — "✓" for none, "–" for no
// right — and "BG" when an active break-glass elevation grants the action
// without them. The conditions every decision checks (lock, network, working
// hours, training) are not repeated in cells.
func (e *Engine) RightsMarkdown() string {
	var b strings.Builder
	b.WriteString("| action |")
	for _, r := range identity.Roles {
		fmt.Fprintf(&b, " `%s` |", r)
	}
	b.WriteString("\n|---|")
	for range identity.Roles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, a := range AllActions() {
		fmt.Fprintf(&b, "| `%s` |", a)
		for _, r := range identity.Roles {
			fmt.Fprintf(&b, " %s |", e.cell(RolePrincipal(r), a))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nReveal fields per role:\n\n| role | fields |\n|---|---|\n")
	fields := e.RevealFields()
	for _, r := range identity.Roles {
		list := "–"
		if f := fields[r]; len(f) > 0 {
			list = "`" + strings.Join(f, "`, `") + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", r, list)
	}
	return b.String()
}

// cell describes what p's role needs for a.
func (e *Engine) cell(p identity.Principal, a Action) string {
	if p.Kind == identity.KindHuman {
		p.Attributes = map[string]string{"team": "t"}
	}
	if !e.DecideRole(p, a).Allow {
		return "–"
	}
	res := Resource{Kind: "x", Live: true}
	try := func(f Facts) bool {
		fields := []string{""}
		if a == CustomerReveal {
			fields = RevealableFields
		}
		for _, fld := range fields {
			f.Field = fld
			if e.Decide(Request{Principal: p, Action: a, Resource: res, Facts: f}).Allow {
				return true
			}
		}
		return false
	}
	base := Favourable()
	selfOK := func() bool { f := base; f.Self = true; return try(f) }()
	var need []string
	if !try(base) {
		base.Self = true
		need = append(need, "own")
	}
	conds := []struct {
		name string
		off  func(*Facts)
	}{
		{"assigned", func(f *Facts) { f.Assigned = false }},
		{"verified", func(f *Facts) { f.Verified = false }},
		{"team", func(f *Facts) { f.InTeam = false }},
	}
	for _, c := range conds {
		f := base
		c.off(&f)
		if !try(f) {
			need = append([]string{c.name}, need...)
		}
	}
	if !selfOK {
		need = append(need, "not own")
	}
	out := "✓"
	if len(need) > 0 {
		slices.Sort(need)
		out = strings.Join(need, " + ")
		bg := Favourable()
		bg.Assigned, bg.Verified, bg.InTeam, bg.BreakGlass, bg.Self = false, false, false, true, base.Self
		relation := slices.ContainsFunc(need, func(n string) bool { return n == "assigned" || n == "verified" || n == "team" })
		if relation && try(bg) {
			out += " (or BG)"
		}
	}
	return out
}
