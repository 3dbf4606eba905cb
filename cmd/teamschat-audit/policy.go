package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/reports"
)

func newPolicyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "List the controls or run their Rego tests",
	}
	cmd.AddCommand(newPolicyListCmd(), newPolicyTestCmd(g))
	return cmd
}

func newPolicyListCmd() *cobra.Command {
	var p policyFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every control: id, severity, title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := p.load()
			if err != nil {
				return err
			}
			controls, err := ps.Controls()
			if err != nil {
				return usageError(err)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tSCOPE\tTITLE")
			for _, c := range controls {
				scope := c.Scope
				if c.Manual {
					scope = "manual"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", reports.CleanText(c.ID), c.Severity, scope,
					reports.CleanText(c.Title))
			}
			return tw.Flush()
		},
	}
	p.register(cmd.Flags())
	return cmd
}

func newPolicyTestCmd(g *globals) *cobra.Command {
	var p policyFlags
	var verbose bool
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the Rego tests of the built-in policies and of --policy directories",
		Long: `Run the Rego tests (files ending in _test.rego) of the built-in policies and of every
--policy directory, through OPA's test runner. Exits 1 when a test fails, 2 when the
policies do not load.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := p.load()
			if err != nil {
				return err
			}
			results, err := ps.Test(cmd.Context())
			if err != nil {
				return usageError(err)
			}
			out := cmd.OutOrStdout()
			var passed, failed, skipped int
			for _, r := range results {
				name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
				switch {
				case r.Skipped:
					skipped++
				case r.Passed:
					passed++
					if verbose {
						fmt.Fprintf(out, "PASS %s\n", name)
					}
				default:
					failed++
					fmt.Fprintf(out, "FAIL %s (%s): %s\n", name, r.Location, r.Problem)
				}
			}
			fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
			switch {
			case failed > 0:
				return exitCode(audit.ExitFailed)
			case passed == 0:
				return usageError(fmt.Errorf("no Rego tests found"))
			}
			return nil
		},
	}
	p.register(cmd.Flags())
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list passing tests too")
	return cmd
}
