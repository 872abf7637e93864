// Package references embeds the built-in pattern library so the binary works
// anywhere with no setup. The files follow FORMAT.md.
package references

import "embed"

// FS holds every pattern file of the built-in library at its root.
//
//go:embed *.md
var FS embed.FS
