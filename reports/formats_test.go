package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/net/html"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func TestCSVNeutralisesFormulas(t *testing.T) {
	r := testResults()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", r, Options{}))).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	if len(rows) != len(r.Findings)+1 {
		t.Fatalf("%d rows, want a header and %d findings", len(rows), len(r.Findings))
	}
	if strings.Join(rows[0], ",") != strings.Join(csvColumns, ",") {
		t.Errorf("header %v", rows[0])
	}
	quoted := 0
	for _, row := range rows[1:] {
		if len(row) != len(csvColumns) {
			t.Errorf("row has %d cells, want %d", len(row), len(csvColumns))
		}
		for _, cell := range row {
			if t0 := strings.TrimLeft(cell, " "); t0 != "" && strings.ContainsRune("=+-@\t\r", rune(t0[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
			if strings.ContainsAny(cell, "\x1b\x00\n\r") {
				t.Errorf("cell %q holds a control character", cell)
			}
			if strings.HasPrefix(cell, "'") {
				quoted++
			}
		}
	}
	if quoted < 4 {
		t.Errorf("only %d cells neutralised; the fixture starts at least 4 with = + - @", quoted)
	}
}

// mdUnescaped finds a Markdown-active character without a backslash before it.
var mdUnescaped = regexp.MustCompile(`(^|[^\\])[<>\[\]` + "`" + `*_@]`)

func TestMarkdownInert(t *testing.T) {
	out := string(render(t, "md", testResults(), Options{}))
	for i, line := range strings.Split(out, "\n") {
		if strings.ContainsAny(line, "\x1b\x00\r\t\u202e") {
			t.Errorf("line %d holds a control character: %q", i+1, line)
		}
		if !strings.HasPrefix(line, "|") {
			continue
		}
		// Every row of a table has as many unescaped pipes as its header.
		if strings.HasPrefix(line, "|---") {
			continue
		}
		cells := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1))
		if cells != 4+1 && cells != 5+1 && cells != 6+1 && cells != 7+1 {
			t.Errorf("line %d has %d cell borders: %q", i+1, cells, line)
		}
		if m := mdUnescaped.FindString(line); m != "" {
			t.Errorf("line %d has unescaped %q: %q", i+1, m, line)
		}
		if regexp.MustCompile(`(^|[^\\])://`).MatchString(line) {
			t.Errorf("line %d could auto-link: %q", i+1, line)
		}
	}
}

func TestMarkdownCapsFindings(t *testing.T) {
	r := testResults()
	base := r.Findings[0]
	for i := 0; i < 3*mdTopFindings; i++ {
		f := base
		f.ID = base.ID + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		r.Findings = append(r.Findings, f)
	}
	out := string(render(t, "md", r, Options{}))
	rows := strings.Count(out[strings.Index(out, "## Top findings"):], "\n| ")
	if rows != mdTopFindings+1 {
		t.Errorf("top findings table has %d rows, want a header and %d", rows, mdTopFindings)
	}
	if len(out) > 64<<10 {
		t.Errorf("markdown is %d bytes; a job summary should stay small", len(out))
	}
	// The pointer to the rest holds whatever else was written: it names formats to
	// ask for, never reports that may not exist.
	more := fmt.Sprintf("%d more findings are not listed here; --format json, html, csv "+
		"or sarif lists them all.", len(r.Findings)-mdTopFindings)
	if !strings.Contains(out, more) || strings.Contains(out, "are in the HTML") {
		t.Errorf("markdown does not say where the other findings are:\n%s",
			out[strings.LastIndex(out, "|"):])
	}
}

func TestJUnitWellFormed(t *testing.T) {
	r := testResults()
	var suites junitSuites
	if err := xml.Unmarshal(render(t, "junit", r, Options{}), &suites); err != nil {
		t.Fatalf("junit does not parse: %v", err)
	}
	want := map[audit.ControlStatus]int{}
	for _, c := range r.Controls {
		want[c.Status]++
	}
	s := suites.Suites[0]
	if s.Tests != len(r.Controls) || len(s.Cases) != len(r.Controls) {
		t.Errorf("%d tests, want one per control (%d)", s.Tests, len(r.Controls))
	}
	if s.Failures != want[audit.Fail] || s.Errors != want[audit.Error] ||
		s.Skipped != want[audit.Manual]+want[audit.NotApplicable] {
		t.Errorf("failures/errors/skipped %d/%d/%d, statuses %v", s.Failures, s.Errors,
			s.Skipped, want)
	}
	for _, c := range s.Cases {
		for _, text := range []string{c.Name, c.SystemOut, problemText(c.Failure),
			problemText(c.Error), problemText(c.Skipped)} {
			if strings.ContainsAny(text, "\x1b\x00\u202e") {
				t.Errorf("test case %q holds a control character", c.Name)
			}
		}
	}
}

func problemText(p *junitProblem) string {
	if p == nil {
		return ""
	}
	return p.Message + p.Text
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	schema, err := c.Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	for name, r := range map[string]*audit.Results{
		"hostile": testResults(), "empty": emptyResults(),
		"redacted": redactWithKey(testResults(), redactKey),
	} {
		out := render(t, "sarif", r, Options{EvidencePath: "out/evidence.json"})
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("%s: SARIF fails the 2.1.0 schema: %v", name, err)
		}
	}
}

// TestSARIFCodeScanning checks what GitHub code scanning needs beyond the schema.
func TestSARIFCodeScanning(t *testing.T) {
	r := testResults()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						HelpURI    string         `json:"helpUri"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []map[string]any `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
			Invocations []struct {
				Notifications []map[string]any `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	out := render(t, "sarif", r, Options{EvidencePath: "/abs/path/snap.json"})
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(r.Controls) {
		t.Errorf("%d rules, want one per control (%d)", len(run.Tool.Driver.Rules),
			len(r.Controls))
	}
	for _, rule := range run.Tool.Driver.Rules {
		if _, ok := rule.Properties["security-severity"].(string); !ok {
			t.Errorf("rule %s lacks security-severity", rule.ID)
		}
		if rule.Help["text"] == "" {
			t.Errorf("rule %s lacks help", rule.ID)
		}
	}
	if len(run.Results) != len(r.Findings) {
		t.Errorf("%d results, want one per finding (%d)", len(run.Results), len(r.Findings))
	}
	for _, res := range run.Results {
		if res.PartialFingerprints[sarifFingerprintKey] == "" {
			t.Errorf("result of %s has no fingerprint", res.RuleID)
		}
		if len(res.Locations) == 0 {
			t.Fatalf("result of %s has no location", res.RuleID)
		}
		loc := res.Locations[0]
		if loc.PhysicalLocation.ArtifactLocation.URI != "snap.json" ||
			loc.PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result of %s: physical location %+v", res.RuleID, loc.PhysicalLocation)
		}
		if len(loc.LogicalLocations) == 0 {
			t.Errorf("result of %s has no logical location", res.RuleID)
		}
	}
	want := 0
	for _, c := range r.Controls {
		if c.Status == audit.Error || c.Status == audit.Manual {
			want++
		}
	}
	if got := len(run.Invocations[0].Notifications); got != want {
		t.Errorf("%d notifications, want one per error or manual control (%d)", got, want)
	}
	if bytes.Contains(out, []byte("\\u001b")) || bytes.Contains(out, []byte("\u202e")) {
		t.Error("SARIF holds an escape sequence or a bidi override")
	}
}

func TestSARIFArtifact(t *testing.T) {
	cases := map[string]string{
		"": defaultEvidenceFile, "snap.json": "snap.json", "./out/r.json": "out/r.json",
		"/tmp/x/r.json": "r.json", "../r.json": "r.json", "dir/with space.json": "dir/with%20space.json",
	}
	for in, want := range cases {
		if got := sarifArtifact(in); got != want {
			t.Errorf("sarifArtifact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTMLInert parses the hostile report and checks that the only script is the
// page's own, that no element carries an event handler, and that no element came
// from the data.
func TestHTMLInert(t *testing.T) {
	out := render(t, "html", testResults(), Options{})
	z := html.NewTokenizer(bytes.NewReader(out))
	scripts, styles := 0, 0
	allowed := map[string]bool{}
	for _, tag := range strings.Fields(`html head meta title style body main header h1 h2 h3
		p span section div strong code svg text rect table thead tbody tr th td a form
		fieldset legend label input button dl dt dd footer br b g`) {
		allowed[tag] = true
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if !allowed[tok.Data] && tok.Data != "script" {
			t.Errorf("unexpected element <%s>", tok.Data)
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "src" {
				t.Errorf("<%s> has attribute %s", tok.Data, a.Key)
			}
			if a.Key == "href" && !strings.HasPrefix(a.Val, "#") && safeURL(a.Val) == "" {
				t.Errorf("<%s> links to %q", tok.Data, a.Val)
			}
		}
		switch tok.Data {
		case "script":
			scripts++
			z.Next()
			if string(z.Text()) != htmlJS {
				t.Error("a script other than the report's own")
			}
		case "style":
			styles++
		}
	}
	if scripts != 1 || styles != 1 {
		t.Errorf("%d scripts and %d style sheets, want one of each", scripts, styles)
	}
	if bytes.Contains(out, []byte("\x1b")) || bytes.Contains(out, []byte("\u202e")) {
		t.Error("escape sequence or bidi override in the page")
	}
}
