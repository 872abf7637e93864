package analysis

import (
	"fmt"
	"testing"
)

// TestCatalogLaterEntryReplaces: an entry with an id seen before replaces
// the earlier one even after the catalog's array has grown (a pack that
// redefines a built-in technology).
func TestCatalogLaterEntryReplaces(t *testing.T) {
	var techs []Technology
	techs = append(techs, Technology{ID: "first", Name: "First", Role: RoleBackend})
	for i := range 40 {
		techs = append(techs, Technology{ID: fmt.Sprintf("t%d", i), Name: fmt.Sprintf("Tech %d", i), Role: RoleFrontend})
	}
	techs = append(techs, Technology{ID: "first", Name: "First Again", Role: RoleDatabase, Aliases: []string{"again"}})
	c := NewCatalog(techs)
	got, ok := c.Lookup("first")
	if !ok || got.Name != "First Again" || got.Role != RoleDatabase {
		t.Fatalf("Lookup(first) = %+v, %v; want the later entry", got, ok)
	}
	for _, tc := range []struct{ name, want string }{
		{"First Again", "first"}, {"again", "first"}, {"tech-7", "t7"}, {"TECH 39", "t39"}, {"nothing", ""},
	} {
		if id, _ := c.ResolveName(tc.name); id != tc.want {
			t.Errorf("ResolveName(%q) = %q, want %q", tc.name, id, tc.want)
		}
	}
}

// TestUnknownTechnologySuggestsOnlyLikelyTypos: an unknown name in an
// `## Integration:` heading is told its closest catalog id only when that
// looks like a typo. Before, every name got one, however far: "🚀" was
// told `closest: "s3"`, "数据库" `closest: "vue"`, "Kafka" an id it shares
// no letters with. Found by opening a heading with emoji and CJK names.
func TestUnknownTechnologySuggestsOnlyLikelyTypos(t *testing.T) {
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"FastAPY", ` (closest: "fastapi")`},
		{"Djnago", ` (closest: "django")`},
		{"Supabse", ` (closest: "supabase")`},
		{"🚀", ""},
		{"数据库", ""},
		{"Kafka", ""},
		{"Elasticsearch", ""},
	} {
		res := env.Analyze(&Input{Src: []byte("## Integration: FastAPI → " + tc.name + "\n"), Path: "plan.md"})
		var got []string
		for _, f := range res.Findings {
			if f.Code == CodeIncompletePattern {
				got = append(got, f.Message)
			}
		}
		want := fmt.Sprintf("unknown technology %q in integration heading: the catalog has no such id%s", tc.name, tc.want)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: got %q\nwant %q", tc.name, got, want)
		}
	}
}
