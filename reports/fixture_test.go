package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// hostile lists the strings an attacker in the tenant could put in a display name, a
// chat topic, a record name or a column value. Every tenant-controlled field of the
// test results carries all of them.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`=HYPERLINK("http://evil")`,
	`+cmd|' /C calc'!A0`,
	`@SUM(1)`,
	`-2+3`,
	`| pipe | [link](http://x)`,
	"\x1b[31mred\x1b[0m",
	"line1\nline2\r\nline3",
	"tab\there",
	"bidi \u202eevil\u202c done",
	"nul\x00byte",
	`<img src=x onerror=window.pwned=1><svg onload=window.pwned=2>`,
}

// evil joins the hostile strings with a prefix, so each field stays recognisable.
func evil(prefix string) string {
	return prefix + " " + strings.Join(hostile, " ")
}

// testResults builds a scan result by hand that covers every control status, every
// severity, an observation control, incomplete evidence and hostile names.
func testResults() *audit.Results {
	return &audit.Results{
		SchemaVersion: audit.ResultsSchemaVersion,
		Tool:          audit.Tool{Name: "teamschat-audit", Version: "1.2.3"},
		ScannedAt:     time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		Tenant: audit.Tenant{
			TenantID:     "11111111-2222-3333-4444-555555555555",
			DataverseURL: "https://contoso.crm.dynamics.com",
		},
		Complete: false,
		Summary: audit.Summary{
			Controls: map[audit.ControlStatus]int{
				audit.Pass: 2, audit.Fail: 2, audit.Error: 1, audit.Manual: 1, audit.NotApplicable: 1,
			},
			Findings:   map[string]int{"critical": 1, "high": 2, "medium": 1, "low": 2, "info": 1},
			ExitCode:   2,
			Verdict:    "fail",
			Incomplete: []audit.SourceName{audit.SourceMembers},
		},
		Controls: []audit.ControlResult{
			{
				ID: "SCOPE-01", Title: "Delegated Graph permissions are exactly the documented four",
				Description: "The integration needs four delegated permissions.\nMore is excess.",
				Severity:    "high", Status: audit.Fail, Findings: 4,
				Remediation: "Remove the extra scope from the grant.",
				URL:         "https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs",
				Sources:     []audit.SourceName{audit.SourceDelegated},
				Policy:      "teamschat.controls.scope.scope01",
			},
			{
				ID: "SHARE-01", Title: "Linked records are not shared with chat members",
				Description: "Connecting a chat never grants access.", Severity: "critical",
				Status: audit.Fail, Findings: 2, Remediation: "Revoke the share.",
				Policy: "teamschat.controls.share.share01",
			},
			{
				ID: "MEMBER-01", Title: "Chat members are known users", Severity: "medium",
				Status: audit.Error, Reason: evil("members of 2 chats could not be read:"),
				Sources: []audit.SourceName{audit.SourceMembers},
				Policy:  "teamschat.controls.member.member01",
			},
			{
				ID: "ACCESS-02", Title: "Chat members without record access (observation)",
				Severity: "info", Status: audit.Pass, Observation: true, Findings: 1,
				Policy: "teamschat.controls.access.access02",
			},
			{
				ID: "MOBILE-01", Title: "Users do not rely on the mobile app", Severity: "low",
				Status: audit.Manual, Reason: "Ask users; the integration has no mobile support.",
				Policy: "teamschat.controls.mobile.mobile01",
			},
			{
				ID: "CHANNEL-01", Title: "Channel creators hold a Teams licence", Severity: "low",
				Status: audit.NotApplicable, Reason: "no channel is linked to a record",
				Policy: "teamschat.controls.channel.channel01",
			},
			{
				ID: "APP-01", Title: "The integration app is Microsoft's", Severity: "high",
				Status: audit.Pass, Policy: "teamschat.controls.app.app01",
			},
		},
		Findings: []audit.Finding{
			{
				ID: "f-scope-mail", Control: "SCOPE-01", Severity: "high",
				Message:  evil("grant holds Mail.Read:"),
				Resource: audit.Resource{Type: "delegatedGrant", ID: "grant-1", Name: evil("grant")},
				Evidence: map[string]any{"permission": "Mail.Read", "type": "Delegated",
					"displayName": evil("app")},
			},
			{
				ID: "f-scope-group", Control: "SCOPE-01", Severity: "medium",
				Message:  "grant holds Group.ReadWrite.All",
				Resource: audit.Resource{Type: "appRoleAssignment", ID: "assign-2"},
				Evidence: map[string]any{"permission": "Group.ReadWrite.All",
					"type": "Application", "appRoleId": "62a82d76-70ea-41e2-9197-370581804d09"},
				Remediation: evil("DELETE /servicePrincipals/x/appRoleAssignedTo/assign-2"),
			},
			{
				ID: "f-scope-low", Control: "SCOPE-01", Severity: "low",
				Message:  "grant is held per user",
				Resource: audit.Resource{Type: "delegatedGrant", ID: "grant-3"},
				Waived: &audit.WaiverRef{ID: "W-1", Owner: "dana@contoso.com",
					Expires: "2026-06-30", Ticket: "SEC-42", Reason: evil("pilot users;")},
			},
			{
				ID: "f-share-alice", Control: "SHARE-01", Severity: "critical",
				Message: "record shared with alice@contoso.com since 2026-01-02",
				Resource: audit.Resource{Type: "share", ID: "share-1",
					Name: "Alice Example " + hostile[0]},
				Evidence: map[string]any{
					"email": "alice@contoso.com", "userPrincipalName": "alice@contoso.com",
					"displayName": "Alice Example " + hostile[0], "userId": "aad-alice",
					"accessRightsMask": 3, "changedOn": "2026-01-02",
					"topic": map[string]any{"column": "subject", "length": 42,
						"sha256": "ab12cd34"},
				},
			},
			{
				ID: "f-share-bob", Control: "SHARE-01", Severity: "high",
				Message:  evil("record shared with Bob Builder (bob@contoso.com):"),
				Resource: audit.Resource{Type: "share", ID: "share-2", Name: "Bob Builder"},
				New:      true,
				Evidence: map[string]any{"fullname": "Bob Builder",
					"domainName": "bob@contoso.com", "rights": []any{"ReadAccess", hostile[1]}},
			},
			{
				// Every field starts with something a spreadsheet would run.
				ID: "f-formula", Control: "SCOPE-01", Severity: "low",
				Message:     hostile[3],
				Resource:    audit.Resource{Type: "chatLink", ID: hostile[5], Name: hostile[2]},
				Evidence:    map[string]any{"subject": hostile[4], "column": "\t=1+1"},
				Remediation: hostile[4],
			},
			{
				ID: "f-access-carol", Control: "ACCESS-02", Severity: "info",
				Message:  "Carol Jones is in the chat without read access",
				Resource: audit.Resource{Type: "member", ID: "member-3", Name: "Carol Jones"},
				Evidence: map[string]any{"name": "Carol Jones", "mail": "carol@fabrikam.com"},
			},
		},
		History: &audit.History{ScanID: 7, PreviousID: 6, NewFindings: 1, Trend: []audit.TrendPoint{
			{ScanID: 6, ScannedAt: time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC),
				Findings: map[string]int{"critical": 1, "low": 2}},
			{ScanID: 7, ScannedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
				Findings: map[string]int{"critical": 1, "high": 1, "low": 1, "info": 1}},
		}},
		Waivers: []audit.WaiverStatus{
			{WaiverRef: audit.WaiverRef{ID: evil("w1"), Reason: evil("reason"), Owner: evil("owner"),
				Expires: "2027-01-31", Ticket: evil("SEC-1")}, Control: "SCOPE-01",
				State: audit.WaiverActive, Matched: 1},
			{WaiverRef: audit.WaiverRef{ID: "w2", Reason: "old", Owner: "sec",
				Expires: "2026-11-01"}, Control: "ACCESS-01", State: audit.WaiverExpired},
		},
		Evidence: map[audit.SourceName]*audit.Source{
			audit.SourceIntegration: {Status: audit.StatusComplete, Items: 1},
			audit.SourceDelegated:   {Status: audit.StatusComplete, Items: 3, Requests: 2},
			audit.SourceMembers: {Status: audit.StatusIncomplete, Items: 5,
				Reason: evil("403 on 2 chats:")},
			audit.SourceShares: {Status: audit.StatusNotCollected,
				Reason: "skipped by --skip shares"},
		},
	}
}

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./reports -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		i := 0
		for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
			i++
		}
		line := func(l []string) string {
			if i < len(l) {
				return l[i]
			}
			return "(end of file)"
		}
		t.Errorf("%s differs from the golden file at line %d:\n got: %q\nwant: %q\n"+
			"if the change is meant, run go test ./reports -update and review the diff",
			name, i+1, line(gl), line(wl))
	}
}

// render writes r in the named format.
func render(t *testing.T, format string, r *audit.Results, o Options) []byte {
	t.Helper()
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatalf("write %s: %v", format, err)
	}
	return buf.Bytes()
}
