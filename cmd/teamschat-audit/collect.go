package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() { extraCommands = append(extraCommands, newCollectCmd) }

func newCollectCmd(g *globals) *cobra.Command {
	var l liveFlags
	var out string
	cmd := &cobra.Command{
		Use:   "collect --dataverse-url URL --out FILE",
		Short: "Collect a tenant's evidence into a snapshot file",
		Long: `Collect the evidence from Microsoft Graph and the Dataverse Web API and write it
as a snapshot (mode 0600, written atomically) that 'scan --snapshot' evaluates.

The snapshot records, per source, whether it was collected completely. It exits 2
when a source is not complete, naming the source and what would fix it; the file is
written all the same.`,
		Example: `  teamschat-audit collect --dataverse-url https://contoso.crm.dynamics.com \
      --auth client-secret --out evidence.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError(errors.New("--out FILE is required"))
			}
			if err := checkOutputFile("--out", out); err != nil {
				return err
			}
			snap, err := l.collectLive(cmd, g)
			if err != nil {
				return err
			}
			if err := audit.SaveSnapshot(out, snap); err != nil {
				return err
			}
			g.stderrf(cmd, "evidence written to %s\n", out)
			for _, src := range snap.Sources {
				if src.Status != audit.StatusComplete {
					return exitCode(audit.ExitUndecided)
				}
			}
			return nil
		},
	}
	l.register(cmd.Flags())
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the snapshot to `FILE`")
	return cmd
}
