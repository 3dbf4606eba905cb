package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/history"
	"github.com/teamschat-audit/teamschat-audit/reports"
)

func newDiffCmd(*globals) *cobra.Command {
	var s stateFlags
	var waivers string
	cmd := &cobra.Command{
		Use:   "diff [OLD] [NEW]",
		Short: "Show what changed between two recorded scans of a tenant",
		Long: `Compare two scans of a tenant's history (ids from 'history'; default the last two,
or OLD against the latest): findings that are new, resolved and unchanged, and
controls whose status changed. With --waivers, findings are shown waived as that
file decides today, through the same logic a scan uses.

Exits 0 whatever changed; 2 when the history or the ids are unusable.`,
		Example: `  teamschat-audit diff --tenant contoso
  teamschat-audit diff 41 57 --tenant contoso --format json`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, tenant, err := s.open(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			oldID, newID, err := diffIDs(cmd, store, args)
			if err != nil {
				return err
			}
			d, err := store.Compare(cmd.Context(), oldID, newID)
			if errors.Is(err, history.ErrNoScan) {
				return usageError(fmt.Errorf("%w (see 'teamschat-audit history')", err))
			}
			if err != nil {
				return err
			}
			if err := rewaive(d, waivers, time.Now()); err != nil {
				return usageError(err)
			}
			if s.format == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"tenant": tenant, "diff": d})
			}
			return writeDiffTable(cmd.OutOrStdout(), d)
		},
	}
	s.register(cmd.Flags())
	cmd.Flags().StringVar(&waivers, "waivers", "", "show findings waived by this `FILE`")
	return cmd
}

func diffIDs(cmd *cobra.Command, store *history.Store, args []string) (int64, int64, error) {
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return 0, 0, usageError(fmt.Errorf("scan id %q: use an id from 'history'", a))
		}
		ids[i] = id
	}
	if len(ids) == 2 {
		return ids[0], ids[1], nil
	}
	prev, latest, err := store.LastTwo(cmd.Context())
	if len(ids) == 1 {
		if latest == 0 && err != nil {
			return 0, 0, usageError(err)
		}
		return ids[0], latest, nil
	}
	if err != nil {
		return 0, 0, usageError(err)
	}
	return prev, latest, nil
}

// rewaive marks the findings of both sides as the waivers file decides at now, through
// applyWaivers, the function scan and report use.
func rewaive(d *history.Diff, path string, now time.Time) error {
	if path == "" {
		return nil
	}
	lists := [][]history.FindingRow{d.NewFindings, d.Resolved, d.Unchanged}
	r := &audit.Results{}
	for _, list := range lists {
		for _, f := range list {
			r.Findings = append(r.Findings, audit.Finding{ID: f.ID, Control: f.Control,
				Severity: f.Severity, Resource: f.Resource})
		}
	}
	if err := applyWaivers(r, path, "", now); err != nil {
		return err
	}
	waived := map[string]string{}
	for _, f := range r.Findings {
		if f.Waived != nil {
			waived[f.ID] = f.Waived.ID
		}
	}
	for _, list := range lists {
		for i := range list {
			list[i].WaiverID = waived[list[i].ID]
			list[i].Waived = list[i].WaiverID != ""
		}
	}
	return nil
}

func writeDiffTable(w io.Writer, d *history.Diff) error {
	fmt.Fprintf(w, "scan %d (%s) -> scan %d (%s)\n", d.Old.ID,
		d.Old.ScannedAt.UTC().Format(time.DateTime), d.New.ID,
		d.New.ScannedAt.UTC().Format(time.DateTime))
	fmt.Fprintf(w, "%d new, %d resolved, %d unchanged findings; %d controls changed\n",
		len(d.NewFindings), len(d.Resolved), len(d.Unchanged), len(d.Controls))
	if len(d.Controls) > 0 {
		fmt.Fprintln(w, "\nControls whose status changed:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range d.Controls {
			fmt.Fprintf(tw, "  %s\t%s -> %s\n", reports.CleanText(c.Control), c.Old, c.New)
		}
		tw.Flush()
	}
	for _, part := range []struct {
		title string
		rows  []history.FindingRow
	}{{"New findings", d.NewFindings}, {"Resolved findings", d.Resolved}} {
		if len(part.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", part.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range part.rows {
			state := ""
			if f.Waived {
				state = "waived"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, reports.CleanText(f.Control),
				reports.CleanText(f.Resource.Type), clip(reports.CleanText(f.Resource.Name), 32),
				f.ID, state)
		}
		tw.Flush()
	}
	return nil
}

// clip keeps a table cell short; the JSON output has the whole value.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
