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
