// Command fake-tenant serves a generated tenant as Microsoft Graph and the Dataverse
// Web API on a loopback address, so teamschat-audit can collect from it without a
// real tenant. It can inject faults and latency; see fake-tenant --help.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newCommand(os.Stdout, os.Stderr).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "fake-tenant:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	links, members    int
	seed              int64
	violations        string
	listen            string
	faults            []string
	latency           time.Duration
	snapshotOut       string
	graphPage, dvPage int
	verbose           bool
}

func newCommand(stdout, stderr io.Writer) *cobra.Command {
	var cfg config
	cmd := &cobra.Command{
		Use:   "fake-tenant",
		Short: "Serve a generated tenant as Microsoft Graph and Dataverse on loopback",
		Long: `fake-tenant generates a tenant (audit/tenantgen) and serves it as the Microsoft
Graph and Dataverse Web API endpoints teamschat-audit collects from. It prints one line
with the base URLs to pass to the tool, then serves until interrupted. Any bearer token,
or none, is accepted: run the tool with --auth none. Request counts are at /_fake/stats.

` + faketenant.FaultHelp,
		Example: `  fake-tenant --links 1000 --violations all --snapshot-out want.json
  fake-tenant --fault route=D6,kind=429,retry-after=1,every=7 --latency 20ms`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if cfg.verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
			return run(cmd.Context(), cfg, stdout, log)
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.links, "links", 100, "chat and channel links to generate")
	f.IntVar(&cfg.members, "members", 5, "average members per conversation")
	f.Int64Var(&cfg.seed, "seed", 1, "seed of the generated tenant and of fault selection")
	f.StringVar(&cfg.violations, "violations", "",
		"violations to plant: all, or control ids such as SCOPE-01,ACCESS-01")
	f.StringVar(&cfg.listen, "listen", "127.0.0.1:0", "loopback address to listen on")
	f.StringArrayVar(&cfg.faults, "fault", nil, "a fault to inject (repeatable; syntax above)")
	f.DurationVar(&cfg.latency, "latency", 0, "latency added to every request, e.g. 20ms")
	f.StringVar(&cfg.snapshotOut, "snapshot-out", "",
		"also write the generated snapshot here, to compare a collected one with")
	f.IntVar(&cfg.graphPage, "graph-page-size", 100, "items per Graph page")
	f.IntVar(&cfg.dvPage, "dataverse-page-size", 0,
		"cap on rows per Dataverse page below the client's odata.maxpagesize (0: none)")
	f.BoolVarP(&cfg.verbose, "verbose", "v", false, "log every request (route and status)")
	return cmd
}

func run(ctx context.Context, cfg config, stdout io.Writer, log *slog.Logger) error {
	if err := checkLoopback(cfg.listen); err != nil {
		return err
	}
	faults := make([]faketenant.Fault, 0, len(cfg.faults))
	for _, s := range cfg.faults {
		f, err := faketenant.ParseFault(s)
		if err != nil {
			return err
		}
		faults = append(faults, f)
	}
	violations, err := parseViolations(cfg.violations)
	if err != nil {
		return err
	}

	snap, planted := tenantgen.Generate(tenantgen.Options{Links: cfg.links,
		MembersPerChat: cfg.members, Seed: cfg.seed, Violations: violations})
	if cfg.snapshotOut != "" {
		if err := audit.SaveSnapshot(cfg.snapshotOut, snap); err != nil {
			return fmt.Errorf("snapshot out: %w", err)
		}
	}
	srv, err := faketenant.New(snap, faketenant.Options{GraphPageSize: cfg.graphPage,
		DataversePageSize: cfg.dvPage, Latency: cfg.latency, Faults: faults, Seed: cfg.seed,
		Logger: log})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	graphURL := base + "/graph/v1.0"
	dataverseURL := base + faketenant.DataverseRoot
	fmt.Fprintf(stdout, "graph=%s dataverse=%s tenant=%s\n", graphURL, dataverseURL,
		snap.Tenant.TenantID)
	log.Info("scan it with: teamschat-audit scan --auth none --tenant-id " +
		snap.Tenant.TenantID + " --graph-url " + graphURL + " --dataverse-url " + dataverseURL)
	log.Info("fake tenant serving", "addr", ln.Addr().String(), "links", cfg.links,
		"planted", len(planted), "faults", len(faults))

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	stats := srv.Stats()
	for _, r := range stats.Seen() {
		log.Info("requests", "route", string(r), "count", stats.Requests(r),
			"byStatus", fmt.Sprint(stats.Routes[r].ByStatus))
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// checkLoopback refuses any address a machine other than this one could reach: the
// fake accepts every token and must never be mistaken for a service.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q: the fake tenant serves loopback only "+
		"(127.0.0.0/8, ::1, localhost)", addr)
}

func parseViolations(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v != "all" && !slices.Contains(tenantgen.Controls(), v) {
			return nil, fmt.Errorf("--violations: unknown control %q (want all or one of %s)",
				v, strings.Join(tenantgen.Controls(), ","))
		}
		out = append(out, v)
	}
	return out, nil
}
