// Package reports writes scan results in every format the tool offers, one file per
// format. Every writer starts from the same audit.Results and treats every string in
// it as hostile: names, topics and column values are chosen by anyone in the tenant.
package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Options tune a writer. The zero value is a plain report.
type Options struct {
	// Color allows ANSI colour (the table on a terminal).
	Color bool
	// Width is the terminal width for the table; 0, when the output is not a terminal,
	// means defaultWidth.
	Width int
	// EvidencePath names the snapshot or results file that findings point at
	// (SARIF physical locations).
	EvidencePath string
}

// Format is one report format.
type Format struct {
	Name string
	// File is the name the format gets in --output-dir.
	File  string
	Write func(w io.Writer, r *audit.Results, o Options) error
}

var formats = map[string]Format{}

// register adds a format; each format's file calls it from init.
func register(f Format) { formats[f.Name] = f }

// Lookup finds a format by name or alias.
func Lookup(name string) (Format, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[name]; ok {
		name = a
	}
	f, ok := formats[name]
	if !ok {
		return Format{}, fmt.Errorf("unknown format %q (choose from %s)", name,
			strings.Join(Names(), ", "))
	}
	return f, nil
}

var aliases = map[string]string{"markdown": "md", "xml": "junit"}

// Names lists the format names, sorted.
func Names() []string {
	out := make([]string, 0, len(formats))
	for n := range formats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ParseList parses a comma-separated --format value, rejecting unknown names and
// dropping repeats.
func ParseList(list string) ([]Format, error) {
	var out []Format
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		if strings.TrimSpace(name) == "" {
			continue
		}
		f, err := Lookup(name)
		if err != nil {
			return nil, err
		}
		if !seen[f.Name] {
			seen[f.Name] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no format given (choose from %s)", strings.Join(Names(), ", "))
	}
	return out, nil
}
