package reports

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "sarif", File: "teamschat-audit.sarif", Write: writeSARIF})
}

const (
	toolURI = "https://github.com/teamschat-audit/teamschat-audit"
	// sarifFingerprintKey names the finding ID among a result's partial fingerprints;
	// bump the version if the ID's recipe ever changes.
	sarifFingerprintKey = "teamschatFindingId/v1"
	// defaultEvidenceFile is the artifact results point at when no evidence path is
	// known: the JSON results file the tool writes beside the SARIF.
	defaultEvidenceFile = "teamschat-audit.json"
)

// securitySeverity is the CVSS-like score GitHub code scanning ranks alerts by.
var securitySeverity = map[string]string{
	"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0",
}

// sarifLevel maps a severity onto SARIF's three levels.
func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return sarif.LevelError
	case "medium":
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// writeSARIF writes a SARIF 2.1.0 log with one rule per control and one result per
// finding. Findings of an observation control are results of kind "informational".
// A control in error is not a result (nothing was found) but a tool execution
// notification at level error, and a manual control one at level note, so code
// scanning shows both without opening alerts for them.
func writeSARIF(w io.Writer, r *audit.Results, o Options) error {
	run := sarif.NewRunWithInformationURI("teamschat-audit", toolURI)
	if v := CleanText(r.Tool.Version); v != "" {
		run.Tool.Driver.WithVersion(v)
	}
	artifact := sarifArtifact(o.EvidencePath)
	run.AddDistinctArtifact(artifact)

	controls := controlIndex(r)
	baseline := r.History != nil && r.History.PreviousID != 0
	for _, c := range r.Controls {
		sarifRule(run, c)
	}
	for _, f := range sortedFindings(r.Findings) {
		c := controls[f.Control]
		if c == nil {
			// A finding must reference a rule; give an unlisted control a bare one.
			c = &audit.ControlResult{ID: f.Control, Title: f.Control, Severity: f.Severity}
			sarifRule(run, *c)
		}
		sarifResult(run, f, c, artifact, baseline)
	}

	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	for _, c := range r.Controls {
		var level string
		switch c.Status {
		case audit.Error:
			level = sarif.LevelError
		case audit.Manual:
			level = sarif.LevelNote
		default:
			continue
		}
		msg := fmt.Sprintf("%s %s: %s", CleanText(c.ID), c.Status, CleanText(c.Reason))
		inv.AddToolExecutionNotification(sarif.NewNotification().
			WithLevel(level).
			WithMessage(sarif.NewTextMessage(msg)).
			WithAssociatedRule(sarif.NewReportingDescriptorReference().
				WithID(CleanText(c.ID)).WithIndex(run.GetRuleIndex(CleanText(c.ID)))))
	}
	run.AddInvocation(inv)
	run.WithProperties(sarif.NewPropertyBag().
		Add("verdict", CleanText(r.Summary.Verdict)).
		Add("exitCode", r.Summary.ExitCode).
		Add("complete", r.Complete))

	log := sarif.NewReport()
	log.AddRun(run)
	if err := log.PrettyWrite(w); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// sarifArtifact is the URI of the file results point at: the evidence path made
// relative and slash-separated (code scanning resolves it against the repository),
// or the results file's default name.
func sarifArtifact(evidencePath string) string {
	p := filepath.ToSlash(strings.TrimSpace(evidencePath))
	if p == "" {
		return defaultEvidenceFile
	}
	if filepath.IsAbs(evidencePath) || strings.HasPrefix(p, "../") {
		p = path.Base(p)
	}
	return (&url.URL{Path: strings.TrimPrefix(p, "./")}).String()
}

// sarifRule adds the rule describing control c.
func sarifRule(run *sarif.Run, c audit.ControlResult) {
	id := CleanText(c.ID)
	title := CleanText(c.Title)
	desc := CleanText(c.Description)
	if desc == "" {
		desc = title
	}
	help := desc
	if fix := CleanText(c.Remediation); fix != "" {
		help += "\n\nHow to fix: " + fix
	}
	if u := safeURL(c.URL); u != "" {
		help += "\n\nReference: " + u
	}
	rule := run.AddRule(id).
		WithName(ruleName(id)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(desc)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(help)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().
			WithLevel(sarifLevel(c.Severity)))
	if u := safeURL(c.URL); u != "" {
		rule.WithHelpURI(u)
	}
	props := sarif.NewPropertyBag().
		Add("security-severity", severityScore(c.Severity)).
		Add("problem.severity", sarifLevel(c.Severity)).
		Add("precision", "high").
		WithTags([]string{"security", "teamschat-audit"})
	if c.Policy != "" {
		props.Add("policy", CleanText(c.Policy))
	}
	rule.WithProperties(props)
}

// sarifResult adds the result for finding f of control c.
//
// baseline is true when the scan was compared with a previous one, so each result
// can say whether it is new.
func sarifResult(run *sarif.Run, f audit.Finding, c *audit.ControlResult, artifact string,
	baseline bool) {
	res := run.CreateResultForRule(CleanText(c.ID)).
		WithMessage(sarif.NewTextMessage(sarifMessage(f, c))).
		WithLevel(sarifLevel(f.Severity)).
		WithPartialFingerprints(map[string]string{sarifFingerprintKey: CleanText(f.ID)})
	if c.Observation {
		res.WithKind("informational").WithLevel(sarif.LevelNone)
	}
	if f.Waived != nil {
		// An accepted waiver is an external suppression: code scanning shows the
		// alert as dismissed, with the waiver as its justification.
		res.WithSuppressions([]*sarif.Suppression{sarif.NewSuppression().
			WithKind("external").WithStatus("accepted").WithJustification(waiverText(f))})
	}
	if baseline {
		state := "unchanged"
		if f.New {
			state = "new"
		}
		res.WithBaselineState(state)
	}

	// Code scanning rejects an upload when any result lacks a physical location; the
	// finding lives in the tenant, so it points at the evidence file and names the
	// tenant object as its logical location.
	loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifact)).
		WithRegion(sarif.NewRegion().WithStartLine(1)))
	logical := sarif.NewLogicalLocation().
		WithKind(CleanText(f.Resource.Type)).
		WithFullyQualifiedName(CleanText(f.Resource.Type + "/" + f.Resource.ID))
	if name := CleanText(f.Resource.Name); name != "" {
		logical.WithName(name)
	} else {
		logical.WithName(CleanText(f.Resource.ID))
	}
	loc.AddLogicalLocation(logical)
	res.AddLocation(loc)

	props := sarif.NewPropertyBag().
		Add("severity", CleanText(f.Severity)).
		Add("resourceType", CleanText(f.Resource.Type)).
		Add("resourceId", CleanText(f.Resource.ID))
	if len(f.Evidence) > 0 {
		props.Add("evidence", cleanValue(f.Evidence))
	}
	res.WithProperties(props)
}

// sarifMessage is the result text: what was found, on what, and the fix.
func sarifMessage(f audit.Finding, c *audit.ControlResult) string {
	msg := CleanText(f.Message) + " [" + resourceLabel(f.Resource) + "]"
	if ev := evidenceLine(f.Evidence); ev != "" {
		msg += " Evidence: " + ev + "."
	}
	if fix := CleanText(remediationOf(f, c)); fix != "" {
		msg += " Fix: " + fix
	}
	return msg
}

func severityScore(s string) string {
	if v, ok := securitySeverity[s]; ok {
		return v
	}
	return securitySeverity["medium"]
}

// ruleName turns an id such as SCOPE-01 into the PascalCase name SARIF viewers show.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			if up {
				b.WriteString(strings.ToUpper(string(r)))
			} else {
				b.WriteString(strings.ToLower(string(r)))
			}
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// safeURL returns u when it is an absolute http or https URL, and "" otherwise, so a
// custom policy cannot put a javascript: or data: link in a report.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	return p.String()
}
