package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/demo"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

type scanFlags struct {
	demo     bool
	snapshot string
	policy   policyFlags
	output   outputFlags
	eval     audit.EvalOptions
	live     liveFlags     // live collection (live.go)
	sched    scheduleFlags // configuration, waivers, history, --all, notify (schedule.go)
}

func newScanCmd(g *globals) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan (--demo | --snapshot FILE)",
		Short: "Evaluate the controls and report",
		Long: `Evaluate every control over a tenant's evidence and write the report.

Evidence comes from the built-in sample tenant (--demo) or a saved snapshot
(--snapshot FILE, written by 'collect').

` + exitCodesHelp,
		Example: `  teamschat-audit scan --demo
  teamschat-audit scan --snapshot evidence.json --format json
  teamschat-audit scan --demo --format html,sarif,junit,csv,md,json --output-dir out`,
		Args: cobra.NoArgs,
		// schedule.go: reads the configuration, runs one tenant through f.run or --all.
		RunE: func(cmd *cobra.Command, _ []string) error { return f.runScheduled(cmd, g) },
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.demo, "demo", false, "scan the built-in sample tenant")
	fs.StringVar(&f.snapshot, "snapshot", "", "scan a saved evidence snapshot `FILE`")
	f.policy.register(fs)
	f.output.register(fs)
	fs.IntVar(&f.eval.Workers, "workers", 0, "concurrent policy evaluations (0: one per core)")
	fs.IntVar(&f.eval.BatchSize, "batch-size", 0, "links per policy evaluation (0: 256)")
	// Live collection (live.go): the tenant flags and --save-evidence.
	f.live.register(fs)
	fs.StringVar(&f.live.saveEvidence, "save-evidence", "",
		"with live collection, also write the snapshot to `FILE`")
	f.sched.register(fs) // schedule.go: --config, --all, --waivers, --fail-on, history, notify
	return cmd
}

func (f *scanFlags) run(cmd *cobra.Command, g *globals) error {
	if err := f.checkFlags(); err != nil {
		return err
	}
	ctx := cmd.Context()
	engine, err := f.policy.engine(ctx)
	if err != nil {
		return err
	}
	snap, evidencePath, err := f.liveEvidence(cmd, g) // live.go; falls back to f.evidence
	if err != nil {
		return err
	}
	results, err := engine.Evaluate(ctx, snap, f.eval)
	if err != nil {
		return err
	}
	// schedule.go: waivers, fail-on, history (new findings, trend).
	if err := f.sched.settle(ctx, results); err != nil {
		return err
	}
	if err := f.output.write(cmd, g, results, evidencePath); err != nil {
		return err
	}
	g.stderrf(cmd, "%s: %d controls, %d findings, exit %d\n", results.Summary.Verdict,
		len(results.Controls), len(results.Findings), results.Summary.ExitCode)
	return exitCode(results.Summary.ExitCode)
}

// checkFlags refuses bad values before any work, the tenant flags included when the
// evidence does not come from a tenant.
func (f *scanFlags) checkFlags() error {
	formats, err := f.output.formats()
	if err != nil {
		return err
	}
	if err := checkOutputDir("--output-dir", f.output.outputDir); err != nil {
		return err
	}
	if err := checkEvidenceApart(f.live.saveEvidence, f.output.outputDir, formats); err != nil {
		return err
	}
	if err := checkNotNegative("--workers", f.eval.Workers, "one per core"); err != nil {
		return err
	}
	if err := checkNotNegative("--batch-size", f.eval.BatchSize, "256"); err != nil {
		return err
	}
	return f.live.check()
}

// evidence loads the snapshot to scan and names the file findings point at.
func (f *scanFlags) evidence() (*audit.Snapshot, string, error) {
	switch {
	case f.demo && f.snapshot != "":
		return nil, "", usageError(errors.New("--demo and --snapshot: choose one"))
	case f.demo:
		s, err := demo.Snapshot()
		if err != nil {
			return nil, "", fmt.Errorf("built-in sample tenant: %w", err)
		}
		return s, "demo-snapshot.json", nil
	case f.snapshot != "":
		s, err := audit.LoadSnapshot(f.snapshot)
		if err != nil {
			return nil, "", usageError(err)
		}
		return s, f.snapshot, nil
	}
	return nil, "", usageError(errors.New(
		"nothing to scan: pass --demo for the sample tenant or --snapshot FILE"))
}

// policyFlags choose the policies: the built-in ones plus --policy directories.
type policyFlags struct {
	dirs []string
}

func (p *policyFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&p.dirs, "policy", nil,
		"add Rego controls and policy data (data.json, data.yaml) from `DIR` (repeatable)")
}

func (p *policyFlags) load() (*audit.PolicySet, error) {
	ps, err := audit.LoadPolicies(policies.FS, p.dirs...)
	if err != nil {
		return nil, usageError(err)
	}
	return ps, nil
}

func (p *policyFlags) engine(ctx context.Context) (*audit.Engine, error) {
	ps, err := p.load()
	if err != nil {
		return nil, err
	}
	e, err := audit.NewEngine(ctx, ps)
	if err != nil {
		return nil, usageError(err)
	}
	return e, nil
}
