package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

const exitCodesHelp = `Exit codes:
  0  compliant: every automated control passed on complete evidence
  1  non-compliant: at least one control failed
  2  undecided: evidence incomplete, a control in error, or bad input or flags
     (2 wins over 1: a scan that found failures but could not check everything exits 2)`

// globals are the flags every command shares.
type globals struct {
	logLevel  string
	logFormat string
	quiet     bool
	logger    *slog.Logger
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "teamschat-audit",
		Short: "Audit the Microsoft Teams chat integration of Dynamics 365",
		Long: `teamschat-audit checks a tenant against the rules Microsoft states for the Teams chat
integration of Dynamics 365: the integration app's Graph permissions, that only
conversation IDs are stored, that connecting a chat never grants access to a record,
Teams licences of Collaborate users, and mobile support. The rules are OPA Rego
policies; the evidence comes from Microsoft Graph and the Dataverse Web API.

Try it on the built-in sample tenant:
  teamschat-audit scan --demo

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), g.logLevel, g.logFormat)
			if err != nil {
				return usageError(err)
			}
			g.logger = logger
			slog.SetDefault(logger)
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "no progress or summary lines on stderr")
	root.AddCommand(newScanCmd(g), newPolicyCmd(g))
	for _, add := range extraCommands {
		root.AddCommand(add(g))
	}
	return root
}

// extraCommands lets each command file register itself.
var extraCommands []func(*globals) *cobra.Command

// usageError is bad input or flags: exit 2 with the message.
func usageError(err error) error {
	return &exitError{code: 2, err: err}
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// stderrf writes a status line for people, unless --quiet.
func (g *globals) stderrf(cmd *cobra.Command, format string, args ...any) {
	if !g.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), format, args...)
	}
}

// isTerminal reports whether f is a terminal, for colour and progress.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
