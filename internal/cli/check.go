package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/gctune"
	"github.com/ipf-lsp/ipf-lsp/internal/lsp"
)

// Report is the JSON output of check. Its shape is a contract: version 1.
type Report struct {
	Version int          `json:"version"`
	Files   []FileReport `json:"files"`
}

// FileReport lists one file's diagnostics.
type FileReport struct {
	Path        string       `json:"path"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// Diagnostic is one finding in LSP coordinates (0-based line, UTF-16
// character).
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

// Position is an LSP position.
type Position struct {
	Line      uint32 `json:"line"`
	Character uint32 `json:"character"`
}

// Integration describes an integration-point finding.
type Integration struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Patterns   []string `json:"patterns"`
	Documented bool     `json:"documented"`
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "text", "output `FORMAT`: text, json, or github (GitHub Actions annotations)")
	failOn := fl.String("fail-on", "warning", "exit 1 when a finding is at or above this `SEVERITY`: error, warning, information, hint or none")
	configPath := fl.String("config", "", "configuration `FILE` to use instead of the nearest .ipf.toml above each file")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: ipf-lsp check [--format text|json|github] [--fail-on error|warning|information|hint|none] [--config FILE] PATH...\n\n"+
			"Analyses Markdown files, or every *.md file under a folder, as the language server does.\n"+
			"Text lines are path:line:col: severity: message [code] (1-based line and column,\n"+
			"the column in UTF-16 code units as in LSP). --format github writes them as GitHub\n"+
			"Actions workflow commands (::warning file=…,line=…::message), which the runner shows\n"+
			"as annotations on the pull request. Flags may also follow the paths.\n"+
			"Exit status: 0 nothing at or above --fail-on, 1 something is, 2 usage or I/O error,\n"+
			"also when a path is missing or a file is skipped (unreadable, or not text: a NUL\n"+
			"byte); the other files are still checked and reported.\n\nFlags:\n")
		printFlags(fl)
	}
	paths, err := parseFlags(fl, args, stdout, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return ExitOK
		}
		return ExitUsage
	}
	if *format != "text" && *format != "json" && *format != "github" {
		fmt.Fprintf(stderr, "ipf-lsp check: --format must be text, json or github, not %q\n", *format)
		return ExitUsage
	}
	threshold := analysis.Severity(0)
	if *failOn != "none" {
		s, ok := analysis.ParseSeverity(*failOn)
		if !ok {
			fmt.Fprintf(stderr, "ipf-lsp check: --fail-on must be error, warning, information, hint or none, not %q\n", *failOn)
			return ExitUsage
		}
		threshold = s
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "ipf-lsp check: no PATH given")
		fl.Usage()
		return ExitUsage
	}
	files, skipped, _ := collect(paths)
	// Missing paths and unreadable entries are reported and end with exit
	// 2, after the findings of everything that could be read.
	ioErr := len(skipped) > 0
	for _, e := range skipped {
		fmt.Fprintf(stderr, "ipf-lsp check: %v\n", e)
	}
	if len(files) == 0 && !ioErr {
		// Not an error (a project may have no specs yet), but a CI line
		// pointed at the wrong folder should not pass unnoticed.
		fmt.Fprintf(stderr, "ipf-lsp check: no Markdown (*.md) files in %s\n", strings.Join(paths, ", "))
	}
	env, err := analysis.DefaultEnv()
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp check: %v\n", err)
		return ExitUsage
	}
	cfgs, err := newCheckConfigs(env, *configPath)
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp check: %v\n", err)
		return ExitUsage
	}
	ws, err := checkWorkspace(paths, files, cfgs)
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp check: %v\n", err)
		return ExitUsage
	}
	defer gctune.Batch()()
	ws.ws.Freeze()
	var jobs []checkJob
	for _, path := range files {
		cc := cfgs.forFile(path, ws.root(path))
		if cc.ignored(path) {
			continue
		}
		src, ok := readDocument(stderr, "check", path)
		if !ok {
			ioErr = true
			continue
		}
		jobs = append(jobs, checkJob{path: path, env: cc.env, src: src})
	}
	var emit func(*checkJob)
	printer := map[string]func(io.Writer, FileReport){"text": printText, "github": printGitHub}[*format]
	if printer != nil {
		emit = func(j *checkJob) { printer(stdout, j.out) }
	}
	if !checkAll(ctx, ws, jobs, runtime.GOMAXPROCS(0), emit) {
		return ExitUsage
	}
	rep := Report{Version: 1, Files: make([]FileReport, 0, len(jobs))}
	for i := range jobs {
		rep.Files = append(rep.Files, jobs[i].out)
	}
	failed := false
	problems := cfgs.problems()
	rep.Files = append(rep.Files, problems...)
	for _, fr := range rep.Files {
		for _, d := range fr.Diagnostics {
			if s, _ := analysis.ParseSeverity(d.Severity); threshold != 0 && s <= threshold {
				failed = true
			}
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "ipf-lsp check: writing output: %v\n", err)
			return ExitUsage
		}
	} else {
		for _, f := range problems {
			printer(stdout, f)
		}
	}
	if ioErr {
		return ExitUsage
	}
	if failed {
		return ExitFindings
	}
	return ExitOK
}

// checkJob is one file of a check run and, once checked, its report.
type checkJob struct {
	path string
	env  *analysis.Env
	src  []byte
	out  FileReport
}

// checkAll checks the jobs on n goroutines: documents are independent, and
// a project's CI checks them all. emit, when set, receives each job on the
// calling goroutine, in the jobs' order, as soon as it and every job before
// it are checked, so a long run's first reports come out at once. It
// returns false when ctx ended first.
func checkAll(ctx context.Context, ws *checkWS, jobs []checkJob, n int, emit func(*checkJob)) bool {
	next := make(chan int)
	finished := make(chan int, len(jobs))
	var wg sync.WaitGroup
	for range max(1, min(n, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				jobs[i].out = checkFileIn(jobs[i].env, ws, jobs[i].path, jobs[i].src)
				finished <- i
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range jobs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(finished)
	}()
	done := make([]bool, len(jobs))
	emitted := 0
	for i := range finished {
		done[i] = true
		for ; emitted < len(jobs) && done[emitted]; emitted++ {
			if emit != nil {
				emit(&jobs[emitted])
			}
		}
	}
	return emitted == len(jobs) && ctx.Err() == nil
}

// readDocument reads path for command cmd (check, find), or says on stderr
// why it is left out: it cannot be read, or it is not text — an image or a
// build output named .md, whose "findings" would be noise and nothing in
// which can be fixed.
func readDocument(stderr io.Writer, cmd, path string) ([]byte, bool) {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp %s: %s: %v\n", cmd, path, reason(err))
		return nil, false
	}
	if binary(src) {
		fmt.Fprintf(stderr, "ipf-lsp %s: %s: not a text file (it holds a NUL byte): skipped\n", cmd, path)
		return nil, false
	}
	return src, true
}

// binary reports whether src is not text: a NUL byte in its first 8 KiB,
// as git and grep decide.
func binary(src []byte) bool {
	return bytes.IndexByte(src[:min(len(src), 8<<10)], 0) >= 0
}

// printText writes a file's diagnostics as check's text lines.
// A path holding a line break or another control character is written
// quoted, Go-style, so that each finding stays one line.
func printText(w io.Writer, f FileReport) {
	path := f.Path
	if strings.ContainsFunc(path, unicode.IsControl) {
		path = strconv.Quote(path)
	}
	for _, d := range f.Diagnostics {
		fmt.Fprintf(w, "%s:%d:%d: %s: %s [%s]\n", path, d.Range.Start.Line+1, d.Range.Start.Character+1, d.Severity, d.Message, d.Code)
	}
}

// gitHubCommand names the workflow command of each severity: GitHub has
// three annotation levels.
var gitHubCommand = map[string]string{"error": "error", "warning": "warning", "information": "notice", "hint": "notice"}

// printGitHub writes f's findings as GitHub Actions workflow commands, one
// annotation each on the finding's lines and columns (1-based, columns in
// UTF-16 code units as in the text format), titled with the code
// (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
// Values are escaped as the Actions toolkit escapes them
// (actions/toolkit, packages/core/src/command.ts): % CR LF in the message,
// and also : and , in properties, which the runner would take for the
// command's delimiters.
func printGitHub(w io.Writer, f FileReport) {
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	for _, d := range f.Diagnostics {
		fmt.Fprintf(w, "::%s file=%s,line=%d,endLine=%d,col=%d,endColumn=%d,title=%s::%s\n",
			gitHubCommand[d.Severity], prop.Replace(filepath.ToSlash(f.Path)),
			d.Range.Start.Line+1, d.Range.End.Line+1, d.Range.Start.Character+1, d.Range.End.Character+1,
			prop.Replace("ipf "+d.Code), data.Replace(d.Message))
	}
}

// CheckFile analyses one document as the server would and converts the
// findings to LSP coordinates.
func checkFile(env *analysis.Env, path string, src []byte) FileReport {
	return checkInput(env, &analysis.Input{Src: src, Path: path, NoRepeats: true})
}

// checkInput analyses one input and converts the findings to LSP
// coordinates.
func checkInput(env *analysis.Env, in *analysis.Input) FileReport {
	path, src := in.Path, in.Src
	res := env.Analyze(in)
	m := lsp.NewMapper(string(src), lsp.UTF16)
	// A byte order mark is no column in an editor: VS Code and Neovim drop
	// it from the text they show (and send to a server), so line 1 counts
	// from after it. It is one UTF-16 code unit.
	bom := bytes.HasPrefix(src, []byte("\uFEFF"))
	pos := func(line, char uint32) Position {
		if bom && line == 0 && char > 0 {
			char--
		}
		return Position{line, char}
	}
	fr := FileReport{Path: path, Diagnostics: []Diagnostic{}}
	for _, f := range res.Findings {
		r := m.Range(f.Span.Start, f.Span.End)
		d := Diagnostic{
			Range:    Range{pos(r.Start.Line, r.Start.Character), pos(r.End.Line, r.End.Character)},
			Severity: f.Severity.String(),
			Code:     f.Code,
			Source:   "ipf",
			Message:  f.Message,
		}
		if f.Point != nil {
			d.Integration = &Integration{From: f.Point.From, To: f.Point.To, Patterns: nonNil(f.Point.Patterns), Documented: f.Point.Documented}
		}
		fr.Diagnostics = append(fr.Diagnostics, d)
	}
	return fr
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// collect expands folders into their *.md files, sorted, skipping VCS and
// dependency folders and anything that is not a regular file (a FIFO or a
// device named *.md would block the reader). A path given that cannot be
// looked at (it does not exist), and a folder or file inside one that cannot
// be read, are reported in skipped, in the order met, and the rest goes on;
// missing says whether a path given was one.
func collect(paths []string) (out []string, skipped []error, missing bool) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("%s: %w", p, reason(err)))
			missing = true
			continue
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				skipped = append(skipped, fmt.Errorf("%s: not a regular file", p))
				continue
			}
			out = append(out, p)
			continue
		}
		root := p
		if lst, err := os.Lstat(p); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			// WalkDir does not follow a link at its root; with a trailing
			// separator the root is the folder it points to, and the files
			// are still named under the link.
			root = p + string(filepath.Separator)
		}
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				skipped = append(skipped, fmt.Errorf("%s: %w", path, reason(err)))
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "node_modules", "vendor":
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.EqualFold(filepath.Ext(path), ".md") {
				return nil
			}
			st, err := os.Stat(path)
			if err != nil {
				// A symbolic link that cannot be followed: say why.
				skipped = append(skipped, fmt.Errorf("%s: %w", path, reason(err)))
				return nil
			}
			if !st.Mode().IsRegular() {
				skipped = append(skipped, fmt.Errorf("%s: not a regular file", path))
				return nil
			}
			out = append(out, path)
			return nil
		})
	}
	sort.Strings(out)
	// A file named twice (check a.md ./a.md, check specs specs/a.md) is
	// checked and reported once.
	seen := make(map[string]bool, len(out))
	kept := out[:0]
	for _, p := range out {
		key, err := filepath.Abs(p)
		if err != nil {
			key = filepath.Clean(p)
		}
		if !seen[key] {
			seen[key] = true
			kept = append(kept, p)
		}
	}
	return kept, skipped, missing
}

// reason returns the cause of an error about a path that the message names
// already: "no such file or directory", not "stat x.md: no such file or
// directory".
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
