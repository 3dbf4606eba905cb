package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
	"github.com/teamschat-audit/teamschat-audit/audit/config"
	"github.com/teamschat-audit/teamschat-audit/reports"
)

// errNoTenants explains what --all needs.
var errNoTenants = errors.New("--all scans the tenants of a configuration file: " +
	"pass --config FILE (docs/config.md)")

// tenantRun is one tenant's line in the combined summary of scan --all.
type tenantRun struct {
	Tenant   string `json:"tenant"`
	Verdict  string `json:"verdict"`
	ExitCode int    `json:"exitCode"`
	Failed   int    `json:"failedControls"`
	Errors   int    `json:"errorControls"`
	Open     int    `json:"openFindings"`
	New      int    `json:"newFindings"`
	Waived   int    `json:"waivedFindings"`
	Reports  string `json:"reports,omitempty"`
	Error    string `json:"error,omitempty"`
}

// runAll scans every configured tenant, at most --parallel at once, each with its own
// evidence, results, history and report directory, then prints one summary. The exit
// code is the worst of the tenants'.
func (f *scanFlags) runAll(cmd *cobra.Command, g *globals) error {
	s := &f.sched
	switch {
	case s.cfg == nil || len(s.cfg.Tenants) == 0:
		return usageError(errNoTenants)
	case f.demo || f.snapshot != "" || f.live.set():
		return usageError(errors.New("--all scans the configured tenants: " +
			"leave out --demo, --snapshot and --dataverse-url"))
	case s.tenant != "":
		return usageError(errors.New("--all and --tenant: choose one"))
	case f.output.outputDir == "":
		return usageError(errors.New("--all writes one report set per tenant: " +
			"set --output-dir or outputs.dir in the configuration"))
	}
	if err := f.checkFlags(); err != nil {
		return err
	}
	for _, t := range s.cfg.Tenants {
		if err := checkWaivers(t.Waivers); err != nil && !cmd.Flags().Changed("waivers") {
			return err
		}
	}
	engine, err := f.policy.engine(cmd.Context())
	if err != nil {
		return err
	}

	parallel := s.parallel
	if parallel == 0 {
		parallel = 2
	}
	runs := make([]tenantRun, len(s.cfg.Tenants))
	sem := make(chan struct{}, parallel)
	done := make(chan struct{})
	for i := range s.cfg.Tenants {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			runs[i] = f.scanTenant(cmd, g, engine, &s.cfg.Tenants[i])
		}()
	}
	for range s.cfg.Tenants {
		<-done
	}

	worst := audit.ExitCompliant
	for _, r := range runs {
		worst = max(worst, r.ExitCode)
	}
	if err := writeRunSummary(cmd.OutOrStdout(), f.output.outputDir, runs); err != nil {
		return err
	}
	return exitCode(worst)
}

// scanTenant runs one tenant from evidence to reports and notification. It never
// shares results or state with another tenant: each has its own snapshot, results,
// history database and report directory.
func (f *scanFlags) scanTenant(cmd *cobra.Command, g *globals, engine *audit.Engine,
	t *config.Tenant) tenantRun {
	s := &f.sched
	run := tenantRun{Tenant: t.Name}
	r, err := f.tenantResults(cmd, g, engine, t)
	s.notify(cmd.Context(), g, t.Name, r, err)
	if err != nil {
		run.Verdict, run.ExitCode = "error", audit.ExitUndecided
		run.Error = reports.CleanText(firstErrLine(err))
		g.logger.Error("tenant scan failed", "tenant", t.Name, "error", run.Error)
		return run
	}
	run.Verdict, run.ExitCode = r.Summary.Verdict, r.Summary.ExitCode
	run.Failed, run.Errors = r.Summary.Controls[audit.Fail], r.Summary.Controls[audit.Error]
	for _, fd := range r.Findings {
		switch {
		case fd.Waived != nil:
			run.Waived++
		default:
			run.Open++
		}
		if fd.New {
			run.New++
		}
	}
	run.Reports = tenantOutputDir(f.output.outputDir, t.Name)
	return run
}

func (f *scanFlags) tenantResults(cmd *cobra.Command, g *globals, engine *audit.Engine,
	t *config.Tenant) (*audit.Results, error) {
	snap, evidencePath, err := f.tenantEvidence(cmd, g, t)
	if err != nil {
		return nil, err
	}
	r, err := engine.Evaluate(cmd.Context(), snap, f.eval)
	if err != nil {
		return nil, err
	}
	waivers := f.sched.waivers
	if t.Waivers != "" && !cmd.Flags().Changed("waivers") {
		waivers = t.Waivers
	}
	var live *audit.Snapshot
	if evidencePath == "live" {
		live = snap
	}
	if err := f.sched.settleTenant(cmd.Context(), r, t.Name, waivers, live); err != nil {
		return nil, err
	}
	out := f.output
	out.outputDir = tenantOutputDir(f.output.outputDir, t.Name)
	if err := out.write(cmd, g, r, evidencePath); err != nil {
		return nil, err
	}
	return r, nil
}

// tenantEvidence loads a tenant's snapshot or collects it live, and refuses a
// snapshot of another tenant than the configuration names.
func (f *scanFlags) tenantEvidence(cmd *cobra.Command, g *globals,
	t *config.Tenant) (*audit.Snapshot, string, error) {
	if t.Snapshot == "" {
		l := tenantLive(f.live, t, cmd.Flags().Changed)
		l.base = func(o *collect.Options) { f.sched.baseFor(cmd.Context(), o, t.Name, g.logger) }
		snap, err := l.collectLive(cmd, g)
		return snap, "live", err
	}
	snap, err := audit.LoadSnapshot(t.Snapshot)
	if err != nil {
		return nil, "", err
	}
	if t.TenantID != "" && snap.Tenant.TenantID != "" &&
		!strings.EqualFold(t.TenantID, snap.Tenant.TenantID) {
		return nil, "", fmt.Errorf("snapshot %s is of tenant %s, the configuration says %s",
			t.Snapshot, snap.Tenant.TenantID, t.TenantID)
	}
	return snap, t.Snapshot, nil
}

func tenantOutputDir(base, tenant string) string { return filepath.Join(base, tenant) }

// writeRunSummary prints the combined summary of scan --all and keeps it as
// summary.json beside the tenants' report directories.
func writeRunSummary(w io.Writer, dir string, runs []tenantRun) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tVERDICT\tEXIT\tFAILED\tERRORS\tOPEN\tNEW\tWAIVED\tNOTE")
	for _, r := range runs {
		note := r.Error
		if note == "" {
			note = r.Reports
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.Tenant, r.Verdict,
			r.ExitCode, r.Failed, r.Errors, r.Open, r.New, r.Waived, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	path := filepath.Join(dir, "summary.json")
	return audit.WriteFileAtomic(path, 0o600, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"tenants": runs})
	})
}

func firstErrLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
