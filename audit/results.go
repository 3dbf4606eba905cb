package audit

import "time"

// ResultsSchemaVersion is the version of the JSON results format (docs/results.md).
const ResultsSchemaVersion = 1

// ControlStatus is the outcome of one control.
type ControlStatus string

const (
	// Pass: the control was checked on complete evidence and nothing broke it.
	Pass ControlStatus = "pass"
	// Fail: at least one finding breaks the control.
	Fail ControlStatus = "fail"
	// Error: the control could not be decided, because evidence it needs is missing,
	// incomplete or unreadable. Never a pass.
	Error ControlStatus = "error"
	// Manual: the control cannot be automated; a person must check it.
	Manual ControlStatus = "manual"
	// NotApplicable: the tenant has nothing the control applies to.
	NotApplicable ControlStatus = "not_applicable"
)

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// SeverityRank orders severities: critical is 0, info is 4, anything unknown is 5.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return len(Severities)
}

// Results is the outcome of one scan: what every report is written from.
type Results struct {
	SchemaVersion int       `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	ScannedAt     time.Time `json:"scannedAt"`
	Tenant        Tenant    `json:"tenant"`
	// Complete is true when every evidence source was collected completely.
	Complete bool            `json:"complete"`
	Summary  Summary         `json:"summary"`
	Controls []ControlResult `json:"controls"`
	Findings []Finding       `json:"findings"`
	// Evidence is the collection record of every source.
	Evidence map[SourceName]*Source `json:"evidence"`
	// Waivers is every waiver checked against this scan and what became of it: applied,
	// expired or stale (docs/waivers.md). Empty when no waivers file was given.
	Waivers []WaiverStatus `json:"waivers,omitempty"`
	// History places the scan among the tenant's earlier scans; nil when no history is
	// kept (docs/scheduling.md).
	History *History `json:"history,omitempty"`
}

// Waiver states in WaiverStatus.State.
const (
	// WaiverActive: unexpired and it covers at least one finding.
	WaiverActive = "active"
	// WaiverExpired: past its expiry date; the findings it names fail again.
	WaiverExpired = "expired"
	// WaiverStale: unexpired but it matches no finding of this scan.
	WaiverStale = "stale"
)

// WaiverStatus is one waiver of the waivers file and what it did in this scan.
type WaiverStatus struct {
	WaiverRef
	Control string `json:"control"`
	State   string `json:"state"`
	// Matched counts the findings the waiver matches; for an expired waiver, those it
	// would cover if it were still in force.
	Matched int `json:"matched"`
}

// History is what the tenant's scan history says about this scan.
type History struct {
	// ScanID is this scan's id in the history database (for 'diff').
	ScanID int64 `json:"scanId"`
	// PreviousID and PreviousAt name the scan that New markers compare with; zero for
	// the first scan of a tenant, when no finding is marked new.
	PreviousID int64     `json:"previousScanId,omitempty"`
	PreviousAt time.Time `json:"previousScannedAt,omitzero"`
	// NewFindings counts the findings marked New.
	NewFindings int `json:"newFindings"`
	// Trend is the open finding count by severity of the recent scans, oldest first,
	// this scan last.
	Trend []TrendPoint `json:"trend"`
}

// TrendPoint is one scan's finding counts, for the trend chart.
type TrendPoint struct {
	ScanID    int64     `json:"scanId"`
	ScannedAt time.Time `json:"scannedAt"`
	// Findings counts open (unwaived) findings by severity.
	Findings map[string]int `json:"findings"`
	Waived   int            `json:"waived"`
	ExitCode int            `json:"exitCode"`
}

// Tool names the build that produced the results.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts controls by status and findings by severity.
type Summary struct {
	Controls   map[ControlStatus]int `json:"controls"`
	Findings   map[string]int        `json:"findings"`
	ExitCode   int                   `json:"exitCode"`
	Verdict    string                `json:"verdict"`
	Incomplete []SourceName          `json:"incompleteSources,omitempty"`
	// FailOn is the severity threshold of --fail-on, when one was set: a scan whose only
	// failing findings are less severe exits 0 though Verdict stays non-compliant.
	FailOn string `json:"failOn,omitempty"`
}

// ControlResult is one control and its outcome.
type ControlResult struct {
	ID          string        `json:"id"`
	Title       string        `json:"title"`
	Description string        `json:"description,omitempty"`
	Severity    string        `json:"severity"`
	Status      ControlStatus `json:"status"`
	// Reason explains error, manual and not_applicable outcomes.
	Reason      string       `json:"reason,omitempty"`
	Remediation string       `json:"remediation,omitempty"`
	URL         string       `json:"url,omitempty"`
	Sources     []SourceName `json:"sources,omitempty"`
	// Observation controls record findings that are expected and do not fail.
	Observation bool `json:"observation,omitempty"`
	Findings    int  `json:"findingCount"`
	// Waived counts the findings that an accepted waiver covers.
	Waived int `json:"waivedCount,omitempty"`
	// Policy is the Rego package the control comes from.
	Policy string `json:"policy"`
}

// Finding is one thing a control found.
type Finding struct {
	// ID is a stable fingerprint of control, resource and key: the same problem gets
	// the same ID in every scan.
	ID          string         `json:"id"`
	Control     string         `json:"control"`
	Severity    string         `json:"severity"`
	Message     string         `json:"message"`
	Resource    Resource       `json:"resource"`
	Evidence    map[string]any `json:"evidence,omitempty"`
	Remediation string         `json:"remediation,omitempty"`
	// Waived is set when an accepted, unexpired waiver covers the finding: it stays in
	// every report but does not fail the scan.
	Waived *WaiverRef `json:"waived,omitempty"`
	// New is true when the previous scan of the tenant did not have this finding.
	New bool `json:"new,omitempty"`
}

// WaiverRef is the waiver that covers a finding.
type WaiverRef struct {
	ID      string `json:"id,omitempty"`
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	Ticket  string `json:"ticket,omitempty"`
}

// Resource is what a finding is about.
type Resource struct {
	// Type is the kind of object: servicePrincipal, delegatedGrant, appRoleAssignment,
	// chatLink, channelLink, chatActivity, member, share, systemUser.
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}
