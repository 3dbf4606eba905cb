package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/waiver"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

func init() { extraCommands = append(extraCommands, newReportCmd) }

type reportFlags struct {
	results string
	output  outputFlags
	// accept re-applies --waivers and --fail-on as of today (schedule.go).
	accept acceptFlags
}

func newReportCmd(g *globals) *cobra.Command {
	f := &reportFlags{}
	cmd := &cobra.Command{
		Use:   "report --results FILE.json",
		Short: "Render saved JSON results in other formats, without scanning again",
		Long: `Read the results that 'scan --format json' wrote and write them in other formats.
Nothing is collected or evaluated again, so the report says exactly what that scan
found; the summary, verdict and exit code are worked out again from its controls,
findings and evidence records, so a hand-edited summary is not believed. Any other JSON
(an evidence snapshot, SARIF) is refused. SARIF results point at the results file.
With --waivers (or --fail-on), waivers are applied again as of today, as a scan would:
expired ones stop applying. Without, the findings keep the waivers the scan gave them,
except those expired by today.
A file edited in ways no scan writes (a severity outside the five, counts that disagree
with the findings, findings of a manual or not_applicable control, a control twice,
a built-in control missing or with another observation flag) is refused.

Exit codes: 0 when the reports were written, 2 when the results file or the flags
are unusable. The scan's own verdict is in the reports; gate a pipeline on 'scan'.`,
		Example: `  teamschat-audit report --results out/teamschat-audit.json --format html > report.html
  teamschat-audit report --results results.json --format sarif,md --output-dir out --redact`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd, g) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.results, "results", "", "the JSON results `FILE` to render (required)")
	f.output.register(fs)
	f.accept.register(fs)
	return cmd
}

func (f *reportFlags) run(cmd *cobra.Command, g *globals) error {
	if f.results == "" {
		return usageError(errors.New("--results FILE is required"))
	}
	if _, err := f.output.formats(); err != nil {
		return err
	}
	r, err := readResults(f.results)
	if err != nil {
		return usageError(err)
	}
	if err := f.accept.apply(r); err != nil {
		return err
	}
	return f.output.write(cmd, g, r, f.results)
}

// resultsTool is the tool name every scan writes into its results (audit/decide.go).
const resultsTool = "teamschat-audit"

// readResults loads a results file that a scan wrote and settles it again from its
// controls and findings: a file of another kind, or one this build could misread, is
// refused, and a summary, verdict or exit code edited by hand is not believed.
func readResults(path string) (*audit.Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, notResults(path, "it is not a JSON object")
	}
	var r audit.Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, notResults(path, "it does not read as one: "+err.Error())
	}
	if r.Tool.Name != resultsTool {
		return nil, notResults(path, looksLike(top))
	}
	if r.SchemaVersion != audit.ResultsSchemaVersion {
		return nil, fmt.Errorf("read results %s: schema version %d, this build reads %d; "+
			"render it with the teamschat-audit version that wrote it", path,
			r.SchemaVersion, audit.ResultsSchemaVersion)
	}
	if err := checkResults(&r); err != nil {
		return nil, notResults(path, err.Error())
	}
	if err := checkUnedited(&r); err != nil {
		return nil, changedAfterScan(path, err.Error())
	}
	if err := checkBuiltinControls(&r); err != nil {
		if r.Tool.Version != audit.Version {
			return nil, fmt.Errorf("%s does not match the built-in controls of this build "+
				"(%s): teamschat-audit %s wrote it, this is %s; render it with that version, "+
				"or scan again", path, err, r.Tool.Version, audit.Version)
		}
		return nil, changedAfterScan(path, err.Error())
	}

	settleResults(&r)
	if err := waiver.Expire(&r, time.Now()); err != nil {
		return nil, changedAfterScan(path, err.Error())
	}
	return &r, nil
}

func changedAfterScan(path, why string) error {
	return fmt.Errorf("%s was changed after the scan (%s): render the results a scan wrote, "+
		"or scan again", path, why)
}

func notResults(path, why string) error {
	return fmt.Errorf("%s is not a teamschat-audit results file (%s): "+
		"pass the JSON report a scan wrote", path, why)
}

// looksLike names what a JSON object that is not a results file probably is.
func looksLike(top map[string]json.RawMessage) string {
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("runs") && (has("$schema") || has("version")):
		return "it looks like a SARIF log"
	case has("collectedAt") || has("sources"):
		return "it looks like an evidence snapshot; scan it with --snapshot"
	case has("tool"):
		return "its tool is not teamschat-audit"
	default:
		return "it has none of the fields a scan writes"
	}
}

// checkResults holds a results file to what every scan writes: the time of the scan,
// every control with a known status, and findings only of those controls.
func checkResults(r *audit.Results) error {
	if r.ScannedAt.IsZero() {
		return errors.New("it has no scannedAt")
	}
	if len(r.Controls) == 0 {
		return errors.New("it has no controls")
	}
	listed := map[string]bool{}
	for _, c := range r.Controls {
		switch c.Status {
		case audit.Pass, audit.Fail, audit.Error, audit.Manual, audit.NotApplicable:
		default:
			return fmt.Errorf("control %s has the unknown status %q", c.ID, c.Status)
		}
		listed[c.ID] = true
	}
	for _, f := range r.Findings {
		if !listed[f.Control] {
			return fmt.Errorf("finding %s is of control %q, which it does not list",
				f.ID, f.Control)
		}
	}
	return nil
}

// checkUnedited refuses what no scan writes: a severity outside the five, a control
// listed twice, counts that disagree with the findings listed, findings of a control
// that cannot have any (manual, not_applicable).
func checkUnedited(r *audit.Results) error {
	status := map[string]audit.ControlStatus{}
	for _, c := range r.Controls {
		if _, twice := status[c.ID]; twice {
			return fmt.Errorf("control %s is listed twice", c.ID)
		}
		status[c.ID] = c.Status
		if !knownSeverity(c.Severity) {
			return fmt.Errorf("control %s has the unknown severity %q", c.ID, c.Severity)
		}
	}
	total, waived := map[string]int{}, map[string]int{}
	for _, f := range r.Findings {
		if !knownSeverity(f.Severity) {
			return fmt.Errorf("finding %s has the unknown severity %q", f.ID, f.Severity)
		}
		if st := status[f.Control]; st == audit.Manual || st == audit.NotApplicable {
			return fmt.Errorf("finding %s is of control %s, which is %s and has none",
				f.ID, f.Control, st)
		}
		total[f.Control]++
		if f.Waived != nil {
			waived[f.Control]++
		}
	}
	for _, c := range r.Controls {
		if c.Findings != total[c.ID] || c.Waived != waived[c.ID] {
			return fmt.Errorf("control %s has findingCount %d and waivedCount %d, but "+
				"lists %d and %d waived", c.ID, c.Findings, c.Waived, total[c.ID], waived[c.ID])
		}
	}
	return nil
}

func knownSeverity(s string) bool { return audit.SeverityRank(s) < len(audit.Severities) }

// checkBuiltinControls holds the controls to the built-in policies of this build. The
// results do not record which --policy directories the scan added, but those can only
// add controls: every built-in control is in every scan, with the observation flag
// its metadata gives, so that much is checked and other controls are let through.
func checkBuiltinControls(r *audit.Results) error {
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		return fmt.Errorf("built-in policies: %w", err)
	}
	builtin, err := ps.Controls()
	if err != nil {
		return fmt.Errorf("built-in policies: %w", err)
	}
	listed := map[string]*audit.ControlResult{}
	for i := range r.Controls {
		listed[r.Controls[i].ID] = &r.Controls[i]
	}
	for _, want := range builtin {
		c := listed[want.ID]
		switch {
		case c == nil:
			return fmt.Errorf("it lacks the built-in control %s", want.ID)
		case c.Observation != want.Observation:
			return fmt.Errorf("control %s has observation %v, its policy says %v",
				want.ID, c.Observation, want.Observation)
		}
	}
	return nil
}

// settleResults recomputes what the file only summarises: completeness from the
// evidence records, then the controls' pass or fail, the counts, the verdict and the
// exit code from the findings. Waivers, history and the fail-on threshold are kept.
func settleResults(r *audit.Results) {
	if r.Findings == nil {
		r.Findings = []audit.Finding{}
	}
	r.SettleEvidence()
	r.Finalize()
}
