package eval

import (
	"encoding/json"
	"fmt"
	"io"
)

// ReportVersion is the version of the `check --format json` contract.
const ReportVersion = 1

// CodeIntegrationPoint is the diagnostic code of an integration point; only
// diagnostics with this code carry Integration.
const CodeIntegrationPoint = "integration-point"

// Report is the output of `ipf-lsp check --format json`. It repeats the
// shape of cli.Report on purpose: the scorer reads the JSON contract as an
// outside consumer would, so a change to the contract breaks it here.
type Report struct {
	Version int          `json:"version"`
	Files   []ReportFile `json:"files"`
}

// ReportFile holds the diagnostics of one checked file. Path is as passed on
// the command line (or as found when a directory was passed).
type ReportFile struct {
	Path        string       `json:"path"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// Diagnostic is one finding. Lines and characters are 0-based, as in LSP.
type Diagnostic struct {
	Range       Range        `json:"range"`
	Severity    string       `json:"severity"`
	Code        string       `json:"code"`
	Source      string       `json:"source"`
	Message     string       `json:"message"`
	Integration *Integration `json:"integration,omitempty"`
}

// Range is an LSP range.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is an LSP position (0-based line and UTF-16 character).
type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Integration describes an integration point between two technologies.
type Integration struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Patterns   []string `json:"patterns"`
	Documented bool     `json:"documented"`
}

// ParseReport decodes a check report. Unknown fields are tolerated (the
// report may grow); a wrong version is an error.
func ParseReport(r io.Reader) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	if rep.Version != ReportVersion {
		return nil, fmt.Errorf("report version %d, want %d", rep.Version, ReportVersion)
	}
	return &rep, nil
}
