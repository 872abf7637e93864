package analysis

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// CodeOtherConstitution marks a document governed by one constitution while
// another one exists further up the tree.
const CodeOtherConstitution = "other-constitution"

// coexist lists technologies that share a role without replacing each other
// (React inside Next.js, Supabase as a hosted PostgreSQL).
var coexist = map[[2]string]bool{}

func init() {
	for _, p := range [][2]string{
		{"react", "nextjs"}, {"react", "vite"}, {"react", "react-native"}, {"nextjs", "react-native"},
		{"sqlmodel", "sqlalchemy"}, {"supabase", "postgresql"}, {"supabase", "neon"},
		{"supabase-auth", "supabase"},
	} {
		coexist[p] = true
		coexist[[2]string{p[1], p[0]}] = true
	}
}

// offStackRoles are the roles where a second technology replaces the first.
var offStackRoles = map[Role]bool{
	RoleFrontend: true, RoleAuth: true, RoleBackend: true, RoleORM: true, RoleDatabase: true,
	RolePayments: true, RoleEmail: true, RoleStorage: true, RoleQueue: true, RoleCache: true,
}

// isSpecOrPlan reports whether p names a spec or a plan.
func isSpecOrPlan(p string) bool {
	switch strings.ToLower(path.Base(strings.ReplaceAll(p, "\\", "/"))) {
	case "spec.md", "plan.md":
		return true
	}
	return false
}

// detectOffStack flags technologies a spec or plan chooses for a role the
// constitution fills with another (Warning), or that the constitution does
// not mention for a role it leaves open (Information).
func detectOffStack(r *Result, e *Env, in *Input) {
	st := in.Stack
	if st == nil || st.Source == "" || st.Source == in.Path || !isSpecOrPlan(in.Path) {
		return
	}
	// An unfilled constitution chooses nothing: nothing is off its stack.
	chosen := false
	for _, en := range st.Entries {
		chosen = chosen || en.Origin == OriginConstitution
	}
	if !chosen {
		return
	}
	done := map[string]bool{}
	for _, m := range r.Mentions {
		if m.Excluded != "" || done[m.Tech] {
			continue
		}
		t, ok := e.Catalog.Lookup(m.Tech)
		if !ok || !offStackRoles[t.Role] {
			continue
		}
		if _, ok := st.Has(e.Catalog, m.Tech); ok {
			continue
		}
		done[m.Tech] = true
		var rival *StackEntry
		for i := range st.Entries {
			en := &st.Entries[i]
			if en.Origin == OriginConstitution && en.Role == t.Role && !coexist[[2]string{en.Tech, m.Tech}] {
				rival = en
				break
			}
		}
		filled := false
		for _, en := range st.Entries {
			if en.Origin == OriginConstitution && en.Role == t.Role {
				filled = true
			}
		}
		if rival == nil && filled {
			continue // a companion of the chosen technology
		}
		f := Finding{Span: m.Span, Code: CodeOffStack}
		if rival != nil {
			f.Severity = SevWarning
			f.Message = fmt.Sprintf("Off-stack: %s is used for %s, but the constitution chose %s (%s:%d)", t.Name, t.Role, e.Catalog.Name(rival.Tech), path.Base(strings.ReplaceAll(rival.Path, "\\", "/")), rival.Line+1)
			f.Related = []Related{{Path: rival.Path, Line: rival.Line, Span: rival.Span, Message: fmt.Sprintf("the constitution chooses %s for %s here", e.Catalog.Name(rival.Tech), t.Role)}}
		} else {
			f.Severity = SevInformation
			f.Message = fmt.Sprintf("Off-stack: %s (%s) is not in the constitution's stack, which chooses nothing for %s", t.Name, t.Role, t.Role)
		}
		r.Findings = append(r.Findings, f)
	}
}

// firstTextLine is the span of the first line that holds more than blanks,
// where a notice about the whole document is shown (line 0 when there is
// none): an empty range on a leading blank line marks nothing.
func firstTextLine(li *LineIndex) Span {
	for i := 0; i < li.Count(); i++ {
		sp := li.LineSpan(i)
		if len(bytes.TrimSpace(li.src[sp.Start:sp.End])) > 0 {
			return sp
		}
	}
	return li.LineSpan(0)
}

// detectConstitutionNotice reports, once at the top of the document, that no
// constitution was found (or could be read), or that the constitution in use
// overrides another one.
func detectConstitutionNotice(r *Result, e *Env, in *Input) {
	st := in.Stack
	if st == nil {
		return
	}
	top := firstTextLine(r.Lines)
	if st.Source == "" && st.Missing != "" && !st.Quiet {
		r.Findings = append(r.Findings, Finding{
			Span:     top,
			Severity: SevInformation,
			Code:     CodeNoConstitution,
			Message:  "No constitution: " + st.Missing + "; the document is analysed alone (set no_constitution_notice = false in .ipf.toml to hide this)",
		})
	}
	if st.Source != "" && len(st.Others) > 0 {
		var rel []Related
		others := make([]string, len(st.Others))
		for i, o := range st.Others {
			rel = append(rel, Related{Path: o, Message: "overridden constitution"})
			others[i] = st.shown(o)
		}
		r.Findings = append(r.Findings, Finding{
			Span:     top,
			Severity: SevInformation,
			Code:     CodeOtherConstitution,
			Message:  fmt.Sprintf("Using the constitution %s; %s is overridden by it (the nearest constitution wins)", st.shown(st.Source), strings.Join(others, ", ")),
			Related:  rel,
		})
	}
}

// shown names path in a notice: relative to the stack's root when inside
// it, with forward slashes, else as it is.
func (st *Stack) shown(path string) string {
	if st.Root == "" {
		return path
	}
	rel, err := filepath.Rel(st.Root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return path
	}
	return filepath.ToSlash(rel)
}
