package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// hostileResults puts s in every field a tenant controls: names, ids, messages,
// evidence keys and values, reasons and the tenant id.
func hostileResults(s string) *audit.Results {
	r := &audit.Results{
		SchemaVersion: audit.ResultsSchemaVersion,
		Tool:          audit.Tool{Name: "teamschat-audit", Version: "test"},
		ScannedAt:     time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Tenant:        audit.Tenant{TenantID: s, DataverseURL: s},
		Evidence: map[audit.SourceName]*audit.Source{
			audit.SourceChatLinks: {Status: audit.StatusIncomplete, Reason: s},
		},
		Controls: []audit.ControlResult{
			{ID: "STORE-02", Title: "Link rows", Severity: "high", Status: audit.Fail,
				Policy: "teamschat.controls.store.store02"},
			{ID: "ACCESS-01", Title: "Access", Severity: "critical", Status: audit.Error,
				Reason: s, Policy: "teamschat.controls.access.access01"},
		},
		Findings: []audit.Finding{{
			ID: "f1", Control: "STORE-02", Severity: "high", Message: s,
			Resource:    audit.Resource{Type: "chatLink", ID: s, Name: s},
			Evidence:    map[string]any{"column": s, s: s, "list": []any{s, 1}},
			Remediation: s,
		}, {
			ID: "f2", Control: "STORE-02", Severity: "high", Message: "m",
			Resource: audit.Resource{Type: "chatLink", ID: "id", Name: s},
			Waived:   &audit.WaiverRef{Reason: s, Owner: s, Expires: "2099-01-01"},
		}},
	}
	r.Finalize()
	return r
}

// FuzzWriters writes every format with a hostile string in every tenant-controlled
// field and checks that each output stays well-formed and inert.
func FuzzWriters(f *testing.F) {
	for _, s := range []string{
		"", "plain name", "=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", " =1",
		"\t=1", "<script>alert(1)</script>", "</td></tr><img src=x onerror=alert(1)>",
		"a|b|c\n| --- |", "line\r\nbreak", "\x1b[31mred\x1b[0m", "\x1b]8;;http://x\x07link",
		"]]><!-- -->&amp;", "\u202eevil", "\u2028sep", "\xff\xfe invalid utf-8", "`code` *b* _i_",
		"[link](javascript:alert(1))", "{{.}}", "\x00nul", strings.Repeat("long ", 400),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Letters around the string keep an escape at either end from hiding in what
		// a verbatim copy would look like.
		r := hostileResults("Z" + s + "Z")
		for _, name := range Names() {
			var buf bytes.Buffer
			if err := formats[name].Write(&buf, r, Options{EvidencePath: "snap.json"}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkWellFormed(t, name, buf.Bytes(), s)
		}
	})
}

func checkWellFormed(t *testing.T, format string, out []byte, s string) {
	t.Helper()
	if format != "json" && bytes.IndexByte(out, 0x1b) >= 0 {
		t.Errorf("%s: a terminal escape reached the output", format)
	}
	switch format {
	case "json", "sarif":
		if !json.Valid(out) {
			t.Errorf("%s: not valid JSON", format)
		}
	case "junit":
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("junit: not well-formed XML: %v", err)
			}
		}
	case "csv":
		checkCSV(t, out)
	case "html":
		if strings.ContainsAny(s, "<>\"'&") && bytes.Contains(out, []byte("Z"+s+"Z")) {
			t.Errorf("html: %q appears unescaped", s)
		}
	case "md":
		if strings.ContainsAny(s, "|<>`*_[]\n") && bytes.Contains(out, []byte("Z"+s+"Z")) {
			t.Errorf("md: %q appears unescaped", s)
		}
	}
}

// checkCSV parses the CSV report: every row has every column, and no cell starts
// with what a spreadsheet would run as a formula.
func checkCSV(t *testing.T, out []byte) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	for i, row := range rows {
		if len(row) != len(csvColumns) {
			t.Errorf("csv row %d has %d cells, want %d", i, len(row), len(csvColumns))
		}
		for _, cell := range row {
			if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("csv row %d: cell %q would run as a formula", i, cell)
			}
		}
	}
}
