package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/reports"
)

// outputFlags choose the report formats and where they go; scan and report share them.
type outputFlags struct {
	format    string
	outputDir string
	redact    bool
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&o.format, "format", "f", "table",
		"report formats, comma-separated: table, json, html, sarif, junit, csv, md")
	fs.StringVarP(&o.outputDir, "output-dir", "o", "",
		"write one file per format into this directory instead of stdout")
	fs.BoolVar(&o.redact, "redact", false,
		"replace user names, UPNs and e-mail addresses with stable pseudonyms")
}

// formats validates the flags before any work is done.
func (o *outputFlags) formats() ([]reports.Format, error) {
	fs, err := reports.ParseList(o.format)
	if err != nil {
		return nil, usageError(fmt.Errorf("--format: %w", err))
	}
	if len(fs) > 1 && o.outputDir == "" {
		return nil, usageError(fmt.Errorf("--format %s: several formats need --output-dir DIR",
			o.format))
	}
	return fs, nil
}

// write renders r in every format: to stdout, or to files in the output directory,
// each written whole or not at all.
func (o *outputFlags) write(cmd *cobra.Command, g *globals, r *audit.Results,
	evidencePath string) error {
	fs, err := o.formats()
	if err != nil {
		return err
	}
	if o.redact {
		r = reports.Redact(r)
	}
	opts := reports.Options{EvidencePath: evidencePath}
	if o.outputDir == "" {
		out := cmd.OutOrStdout()
		if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			opts.Color = os.Getenv("NO_COLOR") == ""
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 40 {
				opts.Width = w
			}
		}
		return fs[0].Write(out, r, opts)
	}
	if err := os.MkdirAll(o.outputDir, 0o755); err != nil {
		return usageError(fmt.Errorf("--output-dir: %w", err))
	}
	for _, f := range fs {
		var buf bytes.Buffer
		if err := f.Write(&buf, r, opts); err != nil {
			return fmt.Errorf("write %s report: %w", f.Name, err)
		}
		path := filepath.Join(o.outputDir, f.File)
		err := audit.WriteFileAtomic(path, 0o600, func(w io.Writer) error {
			_, err := w.Write(buf.Bytes())
			return err
		})
		if err != nil {
			return err
		}
		g.stderrf(cmd, "wrote %s\n", path)
	}
	return nil
}
