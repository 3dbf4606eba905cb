package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
)

func init() { extraCommands = append(extraCommands, newDoctorCmd) }

func newDoctorCmd(g *globals) *cobra.Command {
	var l liveFlags
	cmd := &cobra.Command{
		Use:   "doctor --dataverse-url URL",
		Short: "Check that a scan of this tenant could be complete",
		Long: `Check, with one cheap request per need, that the credential works, that Graph
and Dataverse answer, and that the auditor may read everything a scan reads:
service principals and grants, chat and channel members and users on Graph; the
link tables, users, shares and access checks in Dataverse. Each failed check says
what to grant and where. Exits 2 when a scan could not be complete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, cred, err := l.options(cmd, g)
			if err != nil {
				return err
			}
			o.Progress = nil
			checks, err := collect.Doctor(cmd.Context(), o, cred)
			if err != nil {
				return usageError(err)
			}
			failed := 0
			for _, c := range checks {
				line := fmt.Sprintf("%-4s  %s", c.State, c.Name)
				if c.Detail != "" {
					line += ": " + c.Detail
				}
				fmt.Fprintln(cmd.OutOrStdout(), line)
				if c.State == collect.CheckFail {
					failed++
				}
			}
			if failed > 0 {
				g.stderrf(cmd, "%d checks failed: a scan would not be complete\n", failed)
				return exitCode(audit.ExitUndecided)
			}
			return nil
		},
	}
	l.register(cmd.Flags())
	return cmd
}
