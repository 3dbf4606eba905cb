package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/config"
	"github.com/teamschat-audit/teamschat-audit/audit/history"
	"github.com/teamschat-audit/teamschat-audit/audit/notify"
	"github.com/teamschat-audit/teamschat-audit/audit/waiver"
	"github.com/teamschat-audit/teamschat-audit/reports"
)

// webhookEnv carries the notification URL, which is a credential, outside any file.
const webhookEnv = "TEAMSCHAT_AUDIT_NOTIFY_WEBHOOK"

// scheduleFlags are scan's flags for unattended runs: the configuration file, waivers,
// the fail-on threshold, history, many tenants and notification (docs/scheduling.md).
type scheduleFlags struct {
	configPath   string
	all          bool
	tenant       string
	waivers      string
	failOn       string
	stateDir     string
	noHistory    bool
	parallel     int
	notifyURL    string
	notifyFormat string
	full         bool
	fullAfter    time.Duration

	cfg        *config.Config
	history    bool
	tenantName string
	// last is the single scan's settled results, for the notification.
	last *audit.Results
	// liveSnap is the single scan's evidence when collected live, kept for the next
	// incremental scan (incremental.go).
	liveSnap *audit.Snapshot
}

func (s *scheduleFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.configPath, "config", "",
		"configuration `FILE` (default ./"+config.DefaultFile+" when present)")
	fs.BoolVar(&s.all, "all", false, "scan every tenant of the configuration")
	fs.StringVar(&s.tenant, "tenant", "", "the configured tenant to scan "+
		"(without a configuration: the `NAME` to keep history under)")
	fs.StringVar(&s.waivers, "waivers", "", "accepted findings: a waivers `FILE` (docs/waivers.md)")
	fs.StringVar(&s.failOn, "fail-on", "", "least `SEVERITY` that makes the scan exit 1 "+
		"(critical, high, medium, low, info; default any)")
	fs.StringVar(&s.stateDir, "state-dir", "", "keep scan history under `DIR` "+
		"(default $XDG_STATE_HOME/teamschat-audit when a configuration is used)")
	fs.BoolVar(&s.noHistory, "no-history", false, "do not record the scan or mark new findings")
	fs.IntVar(&s.parallel, "parallel", 0, "tenants scanned at once by --all (default 2)")
	fs.StringVar(&s.notifyURL, "notify-webhook", "", "post a summary to `URL` when a scan "+
		"finds new failing findings or cannot complete (default $"+webhookEnv+")")
	fs.StringVar(&s.notifyFormat, "notify-format", "",
		"notification payload: teams or json (default guessed from the URL)")
	fs.BoolVar(&s.full, "full", false, "read every source again instead of reusing the "+
		"last complete scan's access checks and licences where nothing changed")
	fs.DurationVar(&s.fullAfter, "full-after", DefaultFullAfter, "read everything when the "+
		"evidence an incremental scan would reuse is older than `DURATION`")
}

// loadConfig finds and reads the configuration file; nil when there is none.
func loadConfig(explicit string) (*config.Config, error) {
	path, err := config.Find(explicit)
	if err != nil {
		return nil, usageError(err)
	}
	if path == "" {
		return nil, nil
	}
	c, err := config.Load(path)
	if err != nil {
		return nil, usageError(err)
	}
	return c, nil
}

// load reads the configuration and lets it fill every flag that was not given: flags
// override the file. It checks everything a scan would otherwise trip on late.
func (f *scanFlags) loadSchedule(cmd *cobra.Command) error {
	s := &f.sched
	cfg, err := loadConfig(s.configPath)
	if err != nil {
		return err
	}
	s.cfg = cfg
	changed := cmd.Flags().Changed
	if cfg != nil {
		if len(cfg.Outputs.Formats) > 0 && !changed("format") {
			f.output.format = strings.Join(cfg.Outputs.Formats, ",")
			if _, err := reports.ParseList(f.output.format); err != nil {
				return usageError(cfg.Errorf("outputs.formats", "%v", err))
			}
		}
		fill := func(flag string, dst *string, val string) {
			if val != "" && !changed(flag) {
				*dst = val
			}
		}
		fill("output-dir", &f.output.outputDir, cfg.Outputs.Dir)
		fill("fail-on", &s.failOn, cfg.FailOn)
		fill("waivers", &s.waivers, cfg.Waivers)
		fill("state-dir", &s.stateDir, cfg.StateDir)
		fill("notify-webhook", &s.notifyURL, cfg.Notify.Webhook)
		fill("notify-format", &s.notifyFormat, cfg.Notify.Format)
		if cfg.Outputs.Redact && !changed("redact") {
			f.output.redact = true
		}
		if cfg.Parallel > 0 && !changed("parallel") {
			s.parallel = cfg.Parallel
		}
	}
	if s.notifyURL == "" {
		s.notifyURL = os.Getenv(webhookEnv)
	}
	return s.check()
}

func (s *scheduleFlags) check() error {
	s.failOn = strings.ToLower(strings.TrimSpace(s.failOn)) // as --format: any case
	if err := config.CheckSeverity(s.failOn); err != nil {
		return usageError(fmt.Errorf("--fail-on: %w", err))
	}
	if s.parallel < 0 || s.parallel > config.MaxParallel {
		return usageError(fmt.Errorf("--parallel %d is out of range 1-%d", s.parallel,
			config.MaxParallel))
	}
	if s.notifyURL != "" {
		if err := config.CheckURL(s.notifyURL); err != nil {
			return usageError(fmt.Errorf("--notify-webhook: %w", err))
		}
	}
	if s.fullAfter < 0 {
		return usageError(fmt.Errorf("--full-after %s is negative: give 0 (read everything "+
			"every time) or more, e.g. 168h", s.fullAfter))
	}
	switch s.notifyFormat {
	case "", string(notify.FormatTeams), string(notify.FormatJSON):
	default:
		return usageError(fmt.Errorf("--notify-format %q: use teams or json", s.notifyFormat))
	}
	s.history = !s.noHistory && (s.cfg != nil || s.stateDir != "")
	if s.history && s.stateDir == "" {
		base, err := history.DefaultBase()
		if err != nil {
			return usageError(err)
		}
		s.stateDir = base
	}
	// Reject a broken waivers file now, not after a long collection.
	return checkWaivers(s.waivers)
}

func checkWaivers(path string) error {
	if path == "" {
		return nil
	}
	if _, err := waiver.Load(path, time.Now()); err != nil {
		return usageError(err)
	}
	return nil
}

// runScheduled is scan's entry point: it reads the configuration, runs one tenant (or
// every tenant with --all) and notifies.
func (f *scanFlags) runScheduled(cmd *cobra.Command, g *globals) error {
	if err := f.loadSchedule(cmd); err != nil {
		return err
	}
	s := &f.sched
	if s.all {
		return f.runAll(cmd, g)
	}
	if err := f.useConfigTenant(cmd); err != nil {
		return err
	}
	err := f.run(cmd, g)
	if s.last != nil {
		s.notify(cmd.Context(), g, s.tenantName, s.last, nil)
	} else if err != nil {
		s.notify(cmd.Context(), g, s.tenantName, nil, err)
	}
	return err
}

// useConfigTenant picks the tenant of a single scan and, unless evidence flags were
// given, takes its evidence settings from the configuration.
func (f *scanFlags) useConfigTenant(cmd *cobra.Command) error {
	s := &f.sched
	s.tenantName = "default"
	if s.tenant != "" {
		s.tenantName = s.tenant
	}
	if _, err := history.TenantDir("", s.tenantName); err != nil {
		return usageError(fmt.Errorf("--tenant: %w", err))
	}
	if s.cfg == nil || (s.tenant == "" && len(s.cfg.Tenants) == 0) {
		return nil
	}
	var t *config.Tenant
	switch {
	case s.tenant != "":
		var ok bool
		if t, ok = s.cfg.Tenant(s.tenant); !ok {
			return usageError(fmt.Errorf("--tenant %s: not in the configuration", s.tenant))
		}
	case len(s.cfg.Tenants) == 1:
		t = &s.cfg.Tenants[0]
	default:
		return usageError(fmt.Errorf("the configuration names %d tenants: pass --tenant "+
			"NAME or --all", len(s.cfg.Tenants)))
	}
	s.tenantName = t.Name
	if t.Waivers != "" && !cmd.Flags().Changed("waivers") {
		s.waivers = t.Waivers
		if err := checkWaivers(s.waivers); err != nil {
			return err
		}
	}
	if f.demo || f.snapshot != "" || f.live.set() {
		return nil // evidence flags override the file
	}
	if t.Snapshot != "" {
		f.snapshot = t.Snapshot
		return nil
	}
	f.live = tenantLive(f.live, t, cmd.Flags().Changed)
	return nil
}

// tenantLive is the live collection settings of a configured tenant. Collection flags
// given on the command line (changed) win over the file, as every flag does.
func tenantLive(l liveFlags, t *config.Tenant, changed func(string) bool) liveFlags {
	set := func(flag string, dst *string, val string) {
		if val != "" && !changed(flag) {
			*dst = val
		}
	}
	set("tenant-id", &l.opts.TenantID, t.TenantID)
	set("dataverse-url", &l.opts.DataverseURL, t.DataverseURL)
	set("graph-url", &l.opts.GraphURL, t.GraphURL)
	set("app-id", &l.opts.AppID, t.AppID)
	set("auth", &l.auth, t.Auth)
	set("cloud", &l.cloud, t.Cloud)
	l.saveEvidence = ""
	return l
}

// settle is called by scan right after evaluation: it applies waivers and fail-on and
// records the scan in the history, marking new findings.
func (s *scheduleFlags) settle(ctx context.Context, r *audit.Results) error {
	if err := s.settleTenant(ctx, r, s.tenantName, s.waivers, s.liveSnap); err != nil {
		return err
	}
	s.last = r
	return nil
}

// settleTenant settles one tenant's results; live is its evidence when it was collected
// live, kept when complete as the base of the next incremental scan.
func (s *scheduleFlags) settleTenant(ctx context.Context, r *audit.Results, tenant,
	waiversPath string, live *audit.Snapshot) error {
	if err := applyWaivers(r, waiversPath, s.failOn, time.Now()); err != nil {
		return usageError(err)
	}
	if !s.history {
		return nil
	}
	dir, err := history.TenantDir(s.stateDir, tenant)
	if err != nil {
		return usageError(err)
	}
	store, err := history.Open(ctx, dir)
	if err != nil {
		return usageError(fmt.Errorf("%w; fix --state-dir or pass --no-history", err))
	}
	defer store.Close()
	h, err := store.Record(ctx, r)
	if err != nil {
		return fmt.Errorf("history %s: %w", store.Path(), err)
	}
	if live != nil && r.Complete {
		return keepEvidence(dir, h.ScanID, live)
	}
	return nil
}

// checkHistory makes sure, before any evidence is collected, that the scan of tenantID
// can be recorded: the state directory can be written and the tenant's history, when
// there is one, holds no other tenant's scans. It creates nothing; recording checks the
// tenant again in its transaction, as another run may have recorded in between.
func (s *scheduleFlags) checkHistory(ctx context.Context, tenant, tenantID string) error {
	if !s.history {
		return nil
	}
	dir, err := history.TenantDir(s.stateDir, tenant)
	if err != nil {
		return usageError(fmt.Errorf("--tenant: %w", err))
	}
	if err := checkOutputDir("--state-dir", s.stateDir); err != nil {
		return err
	}
	if err := checkOutputDir("--state-dir", dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, history.FileName)); errors.Is(err, os.ErrNotExist) {
		return nil // the first scan of the tenant
	}
	store, err := history.Open(ctx, dir)
	if err != nil {
		return usageError(fmt.Errorf("%w; fix --state-dir or pass --no-history", err))
	}
	defer store.Close()
	var other *history.OtherTenantError
	if err := store.CheckTenant(ctx, tenantID); errors.As(err, &other) {
		return usageError(fmt.Errorf("history %s holds scans of tenant %s and this scan is "+
			"of tenant %s: pass another --tenant NAME to keep this tenant's history apart",
			store.Path(), other.Recorded, other.Scanned))
	} else if err != nil {
		return fmt.Errorf("history %s: %w", store.Path(), err)
	}
	return nil
}

// applyWaivers is the one place acceptance is decided: scan, report and diff all call
// it. It applies the waivers file as it stands at now (an expired waiver stops
// applying, a stale one is listed) and then the fail-on threshold. Without a waivers
// file the findings keep the waiver marks they have.
func applyWaivers(r *audit.Results, waiversPath, failOn string, now time.Time) error {
	if waiversPath != "" {
		set, err := waiver.Load(waiversPath, now)
		if err != nil {
			return err
		}
		waiver.Apply(r, set, now)
	}
	config.ApplyFailOn(r, failOn)
	return nil
}

// acceptFlags are --waivers and --fail-on for commands that read saved results
// (report): with either given, acceptance is decided again through applyWaivers, as of
// today; without, the results keep the marks of their scan.
type acceptFlags struct {
	waivers, failOn string
}

func (a *acceptFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&a.waivers, "waivers", "", "apply this waivers `FILE` as of today")
	fs.StringVar(&a.failOn, "fail-on", "", "apply this fail-on `SEVERITY`")
}

func (a *acceptFlags) apply(r *audit.Results) error {
	if a.waivers == "" && a.failOn == "" {
		return nil
	}
	a.failOn = strings.ToLower(strings.TrimSpace(a.failOn))
	if err := config.CheckSeverity(a.failOn); err != nil {
		return usageError(fmt.Errorf("--fail-on: %w", err))
	}
	if err := applyWaivers(r, a.waivers, a.failOn, time.Now()); err != nil {
		return usageError(err)
	}
	return nil
}

// notify posts a summary when the scan deserves one; failures are only logged.
func (s *scheduleFlags) notify(ctx context.Context, g *globals, tenant string,
	r *audit.Results, err error) {
	if s.notifyURL == "" {
		return
	}
	sum, send := notify.Decide(tenant, r, err)
	if !send {
		return
	}
	snd := &notify.Sender{URL: s.notifyURL, Format: notify.Format(s.notifyFormat),
		Logger: g.logger}
	snd.Send(ctx, sum)
}
