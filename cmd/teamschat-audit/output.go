package main

import (
	"bytes"
	"fmt"
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

// formats validates the flags before any work is done, including that no target file
// of the output directory is blocked.
func (o *outputFlags) formats() ([]reports.Format, error) {
	fs, err := reports.ParseList(o.format)
	if err != nil {
		return nil, usageError(fmt.Errorf("--format: %w", err))
	}
	if len(fs) > 1 && o.outputDir == "" {
		return nil, usageError(fmt.Errorf("--format %s: several formats need --output-dir DIR",
			o.format))
	}
	if err := o.checkTargets(fs); err != nil {
		return nil, err
	}
	return fs, nil
}

// checkTargets refuses an output directory where a report file cannot go: the directory
// itself is a file, or a directory (or anything else that is not a file) stands where a
// report would be written.
func (o *outputFlags) checkTargets(fs []reports.Format) error {
	if o.outputDir == "" {
		return nil
	}
	if info, err := os.Stat(o.outputDir); err == nil && !info.IsDir() {
		return usageError(fmt.Errorf("--output-dir %s is a file, not a directory: "+
			"choose another --output-dir", o.outputDir))
	}
	for _, f := range fs {
		path := filepath.Join(o.outputDir, f.File)
		info, err := os.Stat(path)
		if err == nil && !info.Mode().IsRegular() {
			return usageError(fmt.Errorf("--output-dir: %s is in the way of the %s report: "+
				"move it or choose another --output-dir; nothing was written", path, f.Name))
		}
	}
	return nil
}

// write renders r in every format: to stdout, or to files in the output directory.
// Files are written all or none: every report is rendered and written to a temporary
// file first, and only when all of them are does any replace its target.
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
	staged := make([]stagedFile, 0, len(fs))
	defer func() {
		for _, s := range staged {
			os.Remove(s.tmp) // gone already once renamed
		}
	}()
	for _, f := range fs {
		var buf bytes.Buffer
		if err := f.Write(&buf, r, opts); err != nil {
			return fmt.Errorf("write %s report: %w; nothing was written", f.Name, err)
		}
		path, err := audit.WritePath(filepath.Join(o.outputDir, f.File))
		if err != nil {
			return fmt.Errorf("%w; nothing was written", err)
		}
		tmp, err := stage(path, buf.Bytes())
		if err != nil {
			return fmt.Errorf("write %s: %w; nothing was written", path, err)
		}
		staged = append(staged, stagedFile{tmp: tmp, path: path})
	}
	for i, s := range staged {
		if err := os.Rename(s.tmp, s.path); err != nil {
			return fmt.Errorf("write %s: %w (%d of %d reports were written)", s.path, err,
				i, len(staged))
		}
		g.stderrf(cmd, "wrote %s\n", s.path)
	}
	return nil
}

// stagedFile is a report written to tmp, waiting to replace path.
type stagedFile struct{ tmp, path string }

// stage writes b to a new temporary file beside path, readable by its owner only.
func stage(path string, b []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}
