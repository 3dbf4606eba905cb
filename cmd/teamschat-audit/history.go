package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/config"
	"github.com/teamschat-audit/teamschat-audit/audit/history"
)

func init() { extraCommands = append(extraCommands, newHistoryCmd, newDiffCmd) }

// stateFlags find one tenant's history; history and diff share them.
type stateFlags struct {
	configPath string
	tenant     string
	stateDir   string
	format     string
}

func (s *stateFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.configPath, "config", "",
		"configuration `FILE` (default ./teamschat-audit.yaml when present)")
	fs.StringVar(&s.tenant, "tenant", "", "the tenant `NAME` (default the only one)")
	fs.StringVar(&s.stateDir, "state-dir", "", "where scan history is kept (`DIR`)")
	fs.StringVarP(&s.format, "format", "f", "table", "output: table or json")
}

// open finds the tenant's history database and opens it; it never creates one, so a
// mistyped tenant name is an error rather than an empty history.
func (s *stateFlags) open(cmd *cobra.Command) (*history.Store, string, error) {
	if s.format != "table" && s.format != "json" {
		return nil, "", usageError(fmt.Errorf("--format %q: use table or json", s.format))
	}
	cfg, err := loadConfig(s.configPath)
	if err != nil {
		return nil, "", err
	}
	base := s.stateDir
	if base == "" && cfg != nil {
		base = cfg.StateDir
	}
	if base == "" {
		if base, err = history.DefaultBase(); err != nil {
			return nil, "", usageError(err)
		}
	}
	tenant := s.tenant
	if tenant == "" {
		if tenant, err = onlyTenant(base, cfg != nil, cfgTenantNames(cfg)); err != nil {
			return nil, "", usageError(err)
		}
	}
	dir, err := history.TenantDir(base, tenant)
	if err != nil {
		return nil, "", usageError(err)
	}
	if _, err := os.Stat(filepath.Join(dir, history.FileName)); err != nil {
		return nil, "", usageError(fmt.Errorf("no history for tenant %s in %s: "+
			"scans record it when a configuration or --state-dir is used", tenant, base))
	}
	store, err := history.Open(cmd.Context(), dir)
	if err != nil {
		return nil, "", usageError(err)
	}
	return store, tenant, nil
}

// onlyTenant picks the tenant when none was named: the configuration's only tenant,
// or, without a configuration, the only tenant that has a history under base.
func onlyTenant(base string, haveConfig bool, names []string) (string, error) {
	if !haveConfig {
		entries, err := os.ReadDir(base)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("state directory: %w", err)
		}
		for _, e := range entries {
			if _, err := os.Stat(filepath.Join(base, e.Name(), history.FileName)); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	switch len(names) {
	case 1:
		return names[0], nil
	case 0:
		return "", fmt.Errorf("no tenant history in %s", base)
	}
	return "", fmt.Errorf("pass --tenant: one of %s", strings.Join(names, ", "))
}

func cfgTenantNames(cfg *config.Config) []string {
	if cfg == nil {
		return nil
	}
	return cfg.TenantNames()
}

func newHistoryCmd(*globals) *cobra.Command {
	var s stateFlags
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the recorded scans of a tenant",
		Long: `List the scans recorded in a tenant's history, newest first: when, the verdict and
exit code, and the open findings by severity. The ids are what 'diff' takes.`,
		Example: `  teamschat-audit history --tenant contoso
  teamschat-audit history --config teamschat-audit.yaml --tenant contoso --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkNotNegative("--limit", limit, "all"); err != nil {
				return err
			}
			store, _, err := s.open(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			scans, err := store.List(cmd.Context(), limit)
			if err != nil {
				return err
			}
			if s.format == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"scans": nonNil(scans)})
			}
			return writeHistoryTable(cmd.OutOrStdout(), scans)
		},
	}
	s.register(cmd.Flags())
	cmd.Flags().IntVarP(&limit, "limit", "n", 30, "show the last `N` scans (0: all)")
	return cmd
}

func writeHistoryTable(w io.Writer, scans []history.Scan) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCANNED (UTC)\tVERDICT\tEXIT\tFAILED\tERRORS\t"+
		"CRITICAL\tHIGH\tMEDIUM\tLOW\tINFO\tWAIVED")
	for _, sc := range scans {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d", sc.ID,
			sc.ScannedAt.UTC().Format(time.DateTime), sc.Verdict, sc.ExitCode,
			sc.Controls[audit.Fail], sc.Controls[audit.Error])
		for _, sev := range audit.Severities {
			fmt.Fprintf(tw, "\t%d", sc.Findings[sev])
		}
		fmt.Fprintf(tw, "\t%d\n", sc.Waived)
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
