package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"
)

// parseFlags parses args with fl and returns the positional arguments.
// Flags may come before, between or after them, as in most command-line
// tools (`check specs --fail-on none` in a CI line); "--" ends the flags,
// for a path that starts with "-". Help (-h, --help) is written to stdout,
// a usage error to stderr.
func parseFlags(fl *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, error) {
	var out bytes.Buffer
	fl.SetOutput(&out)
	defer fl.SetOutput(stderr) // later fl.Usage() calls report errors
	var pos []string
	for {
		err := fl.Parse(args)
		if err != nil {
			if err == flag.ErrHelp {
				_, _ = stdout.Write(out.Bytes())
			} else {
				_, _ = stderr.Write(out.Bytes())
			}
			return nil, err
		}
		rest := fl.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		i := 0
		for i < len(rest) && !isFlag(rest[i]) {
			i++
		}
		pos = append(pos, rest[:i]...)
		if i == len(rest) {
			return pos, nil
		}
		args = rest[i:]
	}
}

// isFlag reports whether a command-line argument is a flag ("-" alone is
// not: it is a path).
func isFlag(a string) bool { return strings.HasPrefix(a, "-") && a != "-" }

// printFlags writes fl's flags as the usage text shows them and as they are
// mostly typed, with two dashes (flag.PrintDefaults writes one): each flag
// with its value's name (the usage's backquoted word), then its usage and
// default.
func printFlags(fl *flag.FlagSet) {
	var lines [][2]string
	width := 0
	fl.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, [2]string{left, usage})
		width = max(width, len(left))
	})
	for _, l := range lines {
		fmt.Fprintf(fl.Output(), "  %-*s  %s\n", width, l[0], l[1])
	}
}
