package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
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
found. SARIF results point at the results file. With --waivers (or --fail-on), waivers
are applied again as of today, as a scan would: expired ones stop applying.

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

// readResults loads a results file and refuses one of another schema version, whose
// fields this build could misread.
func readResults(path string) (*audit.Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var r audit.Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read results %s: %w (is it the output of --format json?)",
			path, err)
	}
	if r.SchemaVersion != audit.ResultsSchemaVersion {
		return nil, fmt.Errorf("read results %s: schema version %d, this build reads %d; "+
			"render it with the teamschat-audit version that wrote it", path,
			r.SchemaVersion, audit.ResultsSchemaVersion)
	}
	return &r, nil
}
