package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
)

// liveFlags are the flags of scan, collect and doctor that point at a tenant.
type liveFlags struct {
	opts        collect.Options
	cloud       string
	auth        string
	pageCap     int
	retryBudget time.Duration
	timeout     time.Duration
	// saveEvidence is scan's --save-evidence.
	saveEvidence string
	// base, when set, lets scan give the collector the previous scan's evidence.
	base func(*collect.Options)
	// precheck, when set, sees the final options before the first request; scan checks
	// there that its history will take the scan, so a refusal costs no collection.
	precheck func(collect.Options) error
}

func (l *liveFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.opts.TenantID, "tenant-id", "", "Entra tenant `ID`, a GUID: "+
		"Entra ID > Overview > Tenant ID (default $AZURE_TENANT_ID)")
	fs.StringVar(&l.opts.DataverseURL, "dataverse-url", "",
		"Dynamics 365 environment `URL`, https://ORG.crm.dynamics.com")
	fs.StringVar(&l.opts.GraphURL, "graph-url", "",
		"Microsoft Graph `URL` (default the cloud's, https://graph.microsoft.com/v1.0)")
	fs.StringVar(&l.opts.AppID, "app-id", audit.IntegrationAppID,
		"the integration's enterprise app `appId`")
	fs.StringVar(&l.auth, "auth", "default", "credential: "+
		strings.Join(collect.AuthKinds, ", ")+" (all but none need https URLs)")
	fs.StringVar(&l.cloud, "cloud", "public", "national cloud: public, usgov or china")
	fs.IntVar(&l.opts.Concurrency, "concurrency", collect.DefaultConcurrency,
		fmt.Sprintf("requests in flight per service, 1-%d (Dataverse allows 52 per user)",
			collect.MaxConcurrency))
	fs.DurationVar(&l.timeout, "timeout", collect.DefaultTimeout, "time allowed for one request")
	fs.DurationVar(&l.retryBudget, "retry-budget", collect.DefaultRetryBudget,
		"total time the run may wait on throttling and retries")
	fs.IntVar(&l.pageCap, "page-cap", collect.DefaultPageCap,
		"pages read from one collection before it is reported incomplete")
}

// set reports whether live collection was asked for.
func (l *liveFlags) set() bool { return l.opts.DataverseURL != "" }

// options builds the collector's options and credential from the flags.
func (l *liveFlags) options(cmd *cobra.Command, g *globals) (collect.Options, azcore.TokenCredential, error) {
	if err := l.check(); err != nil {
		return l.opts, nil, err
	}
	if l.saveEvidence != "" {
		if err := checkOutputFile("--save-evidence", l.saveEvidence); err != nil {
			return l.opts, nil, err
		}
	}
	o := l.opts
	o.Cloud = collect.Cloud(l.cloud)
	o.Timeout, o.RetryBudget, o.PageCap = l.timeout, l.retryBudget, l.pageCap
	o.Logger = g.logger
	if o.TenantID == "" {
		id, err := collect.CleanTenantID("AZURE_TENANT_ID", os.Getenv("AZURE_TENANT_ID"))
		if err != nil {
			return o, nil, usageError(err)
		}
		o.TenantID = id
	}
	if !g.quiet && isTerminal(cmd.ErrOrStderr()) {
		o.Progress = progressLine(cmd.ErrOrStderr())
	}
	if o.DataverseURL == "" {
		return o, nil, usageError(errors.New("--dataverse-url is required " +
			"(https://ORG.crm.dynamics.com)"))
	}
	cred, err := collect.NewCredential(l.auth, o.Cloud, o.TenantID, cmd.ErrOrStderr())
	if err != nil {
		return o, nil, usageError(err)
	}
	if cred == nil && !loopbackOptions(o) {
		return o, nil, usageError(errors.New("--auth none is allowed only when " +
			"--graph-url and --dataverse-url are on loopback (the fake tenant)"))
	}
	return o, cred, nil
}

// loopbackOptions checks the endpoints as the collector will see them.
func loopbackOptions(o collect.Options) bool {
	if o.GraphURL == "" {
		return false // the default Graph endpoint is never local
	}
	return o.Loopback()
}

// collectLive runs the collector and tells, on stderr, which sources are not complete.
func (l *liveFlags) collectLive(cmd *cobra.Command, g *globals) (*audit.Snapshot, error) {
	o, cred, err := l.options(cmd, g)
	if err != nil {
		return nil, err
	}
	if l.precheck != nil {
		if err := l.precheck(o); err != nil {
			return nil, err
		}
	}
	if l.base != nil {
		l.base(&o)
	}
	snap, err := collect.Collect(cmd.Context(), o, cred)
	if o.Progress != nil {
		fmt.Fprint(cmd.ErrOrStderr(), "\r\033[K")
	}
	if err != nil {
		return nil, usageError(err)
	}
	for _, name := range audit.AllSources {
		if src := snap.Sources[name]; src.Status != audit.StatusComplete {
			g.stderrf(cmd, "source %s is %s: %s\n", name, src.Status, src.Reason)
		}
	}
	return snap, nil
}

// progressLine rewrites one stderr line with the latest progress of each source.
func progressLine(w io.Writer) func(collect.Progress) {
	var last time.Time
	return func(p collect.Progress) {
		if !p.Throttled && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		state := ""
		if p.Throttled {
			state = fmt.Sprintf(", waiting %s on throttling", p.Wait.Round(time.Second))
		}
		fmt.Fprintf(w, "\r\033[Kcollecting %s: %d pages, %d items%s", p.Source, p.Pages,
			p.Items, state)
	}
}

// liveEvidence is scan's evidence: collected live when --dataverse-url is given (and
// kept with --save-evidence), otherwise the sample tenant or a saved snapshot.
func (f *scanFlags) liveEvidence(cmd *cobra.Command, g *globals) (*audit.Snapshot, string, error) {
	if !f.live.set() {
		if f.live.saveEvidence != "" {
			return nil, "", usageError(errors.New("--save-evidence needs live collection " +
				"(--dataverse-url)"))
		}
		snap, path, err := f.evidence()
		if err != nil {
			return nil, "", err
		}
		err = f.sched.checkHistory(cmd.Context(), f.sched.tenantName, snap.Tenant.TenantID)
		if err != nil {
			return nil, "", err
		}
		return snap, path, nil
	}
	if f.demo || f.snapshot != "" {
		return nil, "", usageError(errors.New("--dataverse-url collects live: " +
			"leave out --demo and --snapshot"))
	}
	f.live.precheck = func(o collect.Options) error {
		return f.sched.checkHistory(cmd.Context(), f.sched.tenantName, o.TenantID)
	}
	f.live.base = func(o *collect.Options) {
		f.sched.baseFor(cmd.Context(), o, f.sched.tenantName, g.logger)
	}
	snap, err := f.live.collectLive(cmd, g)
	if err != nil {
		return nil, "", err
	}
	f.sched.liveSnap = snap
	if f.live.saveEvidence == "" {
		return snap, "live", nil
	}
	if err := audit.SaveSnapshot(f.live.saveEvidence, snap); err != nil {
		return nil, "", err
	}
	return snap, f.live.saveEvidence, nil
}
