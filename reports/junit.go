package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "junit", File: "teamschat-audit.junit.xml", Write: writeJUnit})
}

// The JUnit schema as CI systems read it (Jenkins, GitLab, GitHub test reporters):
// a suite of test cases, each passing or holding a failure, an error or a skip.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes one test case per control: a failing control fails with its
// findings listed, an error control errors, manual and not_applicable controls are
// skipped, and an observation control passes with its findings in system-out.
func writeJUnit(w io.Writer, r *audit.Results, _ Options) error {
	suite := junitSuite{
		Name:      "teamschat-audit",
		Timestamp: r.ScannedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{Name: "verdict", Value: CleanText(r.Summary.Verdict)},
			{Name: "complete", Value: fmt.Sprint(r.Complete)},
			{Name: "tool.version", Value: CleanText(r.Tool.Version)},
		},
	}
	for _, g := range groupFindings(r) {
		tc := junitCase{
			Name:      CleanText(g.ID + ": " + g.Title),
			Classname: CleanText(g.Policy),
		}
		switch g.Status {
		case audit.Fail:
			tc.Failure = &junitProblem{
				Message: plural(len(g.Items), "finding"),
				Type:    CleanText(g.Severity),
				Text:    junitFindings(g),
			}
			suite.Failures++
		case audit.Error:
			tc.Error = &junitProblem{Message: CleanText(g.Reason), Type: "evidence"}
			suite.Errors++
		case audit.Manual, audit.NotApplicable:
			tc.Skipped = &junitProblem{Message: CleanText(string(g.Status) + ": " + g.Reason)}
			suite.Skipped++
		default:
			if len(g.Items) > 0 {
				tc.SystemOut = junitFindings(g)
			}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	all := junitSuites{
		Name: "teamschat-audit", Tests: suite.Tests, Failures: suite.Failures,
		Errors: suite.Errors, Skipped: suite.Skipped, Suites: []junitSuite{suite},
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitFindings lists a control's findings as plain text, one block per finding.
func junitFindings(g controlGroup) string {
	var b strings.Builder
	for _, f := range g.Items {
		mark := ""
		if f.New {
			mark = " [new]"
		}
		fmt.Fprintf(&b, "\n[%s]%s %s\n  resource: %s\n", CleanText(f.Severity), mark,
			CleanText(f.Message), resourceLabel(f.Resource))
		if w := waiverText(f); w != "" {
			fmt.Fprintf(&b, "  %s\n", w)
		}
		if ev := evidenceLine(f.Evidence); ev != "" {
			fmt.Fprintf(&b, "  evidence: %s\n", ev)
		}
		if fix := CleanText(remediationOf(f, &g.ControlResult)); fix != "" {
			fmt.Fprintf(&b, "  fix: %s\n", fix)
		}
		fmt.Fprintf(&b, "  id: %s\n", CleanText(f.ID))
	}
	return b.String()
}
