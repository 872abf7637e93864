package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileRefusals(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.toml")
	if err := os.WriteFile(outside, []byte("disabled = []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "link.toml")
	if err := os.Symlink(outside, link); err != nil {
		t.Skipf("symlink: %v", err)
	}
	zero := filepath.Join(root, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(root, ".ipf.toml")
	if err := os.WriteFile(ok, []byte("inlay_hints = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, want string
	}{
		{link, "outside the workspace"},
		{zero, "outside the workspace"},
		{filepath.Join(root, "missing.toml"), "no such file"},
	} {
		if _, err := ReadFile(root, tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.path, err, tt.want)
		}
	}
	if _, err := ReadFile("", zero); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero without a root: %v", err)
	}
	if _, err := ReadFile(root, filepath.Join(root, "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file must wrap ErrNotExist: %v", err)
	}
	if data, err := ReadFile(root, ok); err != nil || string(data) != "inlay_hints = false\n" {
		t.Errorf("regular file: %q, %v", data, err)
	}
}
