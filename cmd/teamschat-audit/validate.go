package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
	"github.com/teamschat-audit/teamschat-audit/reports"
)

// Flags are checked before any work starts, so a mistyped value fails in a second
// with one line instead of after a long collection.

// check validates the tenant flags even when they go unused (scan --demo), so a
// mistyped value is never silently ignored.
func (l *liveFlags) check() error {
	if err := collect.Cloud(l.cloud).Check(); err != nil {
		return usageError(err)
	}
	if !slices.Contains(collect.AuthKinds, l.auth) {
		return usageError(fmt.Errorf("--auth %q is not one of %s", l.auth,
			strings.Join(collect.AuthKinds, ", ")))
	}
	switch {
	case l.opts.Concurrency < 1 || l.opts.Concurrency > collect.MaxConcurrency:
		return usageError(fmt.Errorf("--concurrency %d is out of range 1-%d",
			l.opts.Concurrency, collect.MaxConcurrency))
	case l.timeout <= 0:
		return usageError(fmt.Errorf("--timeout %s: give a time above 0, e.g. 60s", l.timeout))
	case l.retryBudget <= 0:
		return usageError(fmt.Errorf("--retry-budget %s: give a time above 0, e.g. 10m",
			l.retryBudget))
	case l.pageCap <= 0:
		return usageError(fmt.Errorf("--page-cap %d: give a number above 0", l.pageCap))
	}
	id, err := collect.CleanTenantID("--tenant-id", l.opts.TenantID)
	if err != nil {
		return usageError(err)
	}
	l.opts.TenantID = id
	if l.auth != "none" {
		// A token goes only over https; Kiota would send Graph requests to a plain
		// http endpoint without one.
		if err := collect.CheckTokenURLs(l.opts.GraphURL, l.opts.DataverseURL); err != nil {
			return usageError(err)
		}
	}
	return nil
}

// checkNotNegative refuses a negative count; zero means what the flag's help says.
func checkNotNegative(flag string, n int, zero string) error {
	if n < 0 {
		return usageError(fmt.Errorf("%s %d is negative (0: %s)", flag, n, zero))
	}
	return nil
}

// checkOutputFile makes sure a file can be written at path before the work that fills
// it: it is a file or not there yet (audit.WritePath, which writing follows too), and
// its directory exists and takes new files.
func checkOutputFile(flag, path string) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return usageError(fmt.Errorf("%s %s is a directory: name a file", flag, path))
	}
	target, err := audit.WritePath(path)
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", flag, err))
	}
	if err := writableDir(filepath.Dir(target)); err != nil {
		return usageError(fmt.Errorf("%s %s: %w", flag, path, err))
	}
	return nil
}

// checkOutputDir makes sure dir can be created or written: an existing dir must take
// new files, a missing one needs its nearest existing parent to.
func checkOutputDir(flag, dir string) error {
	if dir == "" {
		return nil
	}
	d := filepath.Clean(dir)
	for {
		info, err := os.Stat(d)
		if err == nil && !info.IsDir() {
			return usageError(fmt.Errorf("%s %s: %s is not a directory", flag, dir, d))
		}
		if err == nil {
			break
		}
		parent := filepath.Dir(d)
		if !errors.Is(err, os.ErrNotExist) || parent == d {
			return usageError(fmt.Errorf("%s %s: %w", flag, dir, err))
		}
		d = parent
	}
	if err := writableDir(d); err != nil {
		return usageError(fmt.Errorf("%s %s: %w", flag, dir, err))
	}
	return nil
}

// checkEvidenceApart refuses a --save-evidence file that one of the scan's reports
// would be written over, compared as cleaned absolute paths and, for files that exist
// already, as the same file under another name (a link).
func checkEvidenceApart(evidence, outputDir string, formats []reports.Format) error {
	if evidence == "" || outputDir == "" {
		return nil // reports go to stdout
	}
	ev, err := filepath.Abs(evidence)
	if err != nil {
		return usageError(fmt.Errorf("--save-evidence %s: %w", evidence, err))
	}
	evInfo, evErr := os.Stat(ev)
	for _, f := range formats {
		report, err := filepath.Abs(filepath.Join(outputDir, f.File))
		if err != nil {
			return usageError(fmt.Errorf("--output-dir %s: %w", outputDir, err))
		}
		same := report == ev
		if info, err := os.Stat(report); !same && err == nil && evErr == nil {
			same = os.SameFile(info, evInfo)
		}
		if same {
			return usageError(fmt.Errorf("--save-evidence %s is where the %s report goes, "+
				"which would overwrite the evidence: name another file or --output-dir",
				evidence, f.Name))
		}
	}
	return nil
}

// writableDir tries what writing will do: create a file in dir, then remove it.
func writableDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s does not exist or cannot be read", dir)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".teamschat-audit-check-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable", dir)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
