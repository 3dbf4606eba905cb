package waiver

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

var today = time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)

func TestParseRejects(t *testing.T) {
	entry := func(extra string) string {
		return "waivers:\n  - control: SCOPE-01\n" + extra
	}
	full := "    reason: accepted\n    owner: sec@contoso.example\n"
	cases := []struct {
		name, src, want string
	}{
		{"missing expiry", entry(full), "w.yaml:2: waivers[0].expires: missing"},
		{"missing reason", entry("    owner: o\n    expires: 2027-01-01\n"),
			"w.yaml:2: waivers[0].reason: missing"},
		{"missing owner", entry("    reason: r\n    expires: 2027-01-01\n"),
			"w.yaml:2: waivers[0].owner: missing"},
		{"missing control", "waivers:\n  - reason: r\n    owner: o\n    expires: 2027-01-01\n",
			"w.yaml:2: waivers[0].control: missing"},
		{"too far ahead", entry(full + "    expires: 2028-01-01\n"),
			"w.yaml:5: waivers[0].expires: 2028-01-01 is more than a year ahead"},
		{"bad date", entry(full + "    expires: next week\n"),
			"w.yaml:5: waivers[0].expires: \"next week\" is not a date"},
		{"impossible date", entry(full + "    expires: 2027-02-30\n"),
			"w.yaml:5: waivers[0].expires:"},
		{"unknown key", entry(full + "    expires: 2027-01-01\n    approved: yes\n"),
			"w.yaml:6: waivers[0].approved: unknown key"},
		{"unknown resource key", entry(full + "    expires: 2027-01-01\n    resource:\n" +
			"      kind: chatLink\n"), "w.yaml:7: waivers[0].resource.kind: unknown key"},
		{"empty resource", entry(full + "    expires: 2027-01-01\n    resource: {}\n"),
			"w.yaml:6: waivers[0].resource: set at least one"},
		{"duplicate id", "waivers:\n" +
			"  - {id: a, control: X, reason: r, owner: o, expires: 2027-01-01}\n" +
			"  - {id: a, control: Y, reason: r, owner: o, expires: 2027-01-01}\n",
			"w.yaml:3: waivers[1].id: id \"a\" is used by waivers[0] too"},
		{"no list", "accepted: []\n", "w.yaml:1: accepted: unknown key"},
		{"empty file", "", "w.yaml:1: waivers: missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tc.src), today)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want prefix %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"), today)
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("error %v", err)
	}
}

// results builds scan results with findings of two controls.
func results() *audit.Results {
	r := &audit.Results{Complete: true, Controls: []audit.ControlResult{
		{ID: "SCOPE-01", Severity: "high", Status: audit.Fail},
		{ID: "ACCESS-01", Severity: "critical", Status: audit.Fail},
	}}
	add := func(control, typ, id, name string) {
		res := audit.Resource{Type: typ, ID: id, Name: name}
		r.Findings = append(r.Findings, audit.Finding{
			ID: audit.Fingerprint(control, res, ""), Control: control, Severity: "high",
			Resource: res})
	}
	add("SCOPE-01", "delegatedGrant", "grant-1", "Mail.Read")
	add("SCOPE-01", "delegatedGrant", "grant-2", "Files.Read")
	add("ACCESS-01", "chatLink", "link-1", "Contoso deal")
	add("ACCESS-01", "chatLink", "link-2", "Fabrikam renewal")
	r.Finalize()
	return r
}

func TestApply(t *testing.T) {
	fp := results().Findings
	byRes := map[string]string{}
	for _, f := range fp {
		byRes[f.Resource.ID] = f.ID
	}
	cases := []struct {
		name    string
		waivers string
		now     time.Time
		waived  []string // resource ids marked waived
		states  []string
		exit    int
	}{
		{"whole control", "  - {control: SCOPE-01, reason: r, owner: o, expires: 2027-06-30}\n",
			today, []string{"grant-1", "grant-2"}, []string{audit.WaiverActive}, 1},
		{"by fingerprint", "  - {control: ACCESS-01, findings: [" + byRes["link-2"] +
			"], reason: r, owner: o, expires: 2027-06-30}\n",
			today, []string{"link-2"}, []string{audit.WaiverActive}, 1},
		{"by name pattern", "  - control: ACCESS-01\n    resource: {type: chatlink, name: 'contoso*'}" +
			"\n    reason: r\n    owner: o\n    expires: 2027-06-30\n",
			today, []string{"link-1"}, []string{audit.WaiverActive}, 1},
		{"everything waived passes", "  - {control: SCOPE-01, reason: r, owner: o, expires: 2027-06-30}\n" +
			"  - {control: ACCESS-01, resource: {id: 'link-?'}, reason: r, owner: o, expires: 2027-06-30}\n",
			today, []string{"grant-1", "grant-2", "link-1", "link-2"},
			[]string{audit.WaiverActive, audit.WaiverActive}, 0},
		{"expiry date still covered", "  - {control: SCOPE-01, reason: r, owner: o, expires: 2026-12-03}\n",
			today, []string{"grant-1", "grant-2"}, []string{audit.WaiverActive}, 1},
		{"expired", "  - {control: SCOPE-01, reason: r, owner: o, expires: 2026-12-02}\n",
			today, nil, []string{audit.WaiverExpired}, 1},
		{"stale", "  - {control: STORE-01, reason: r, owner: o, expires: 2027-06-30}\n" +
			"  - {control: SCOPE-01, resource: {id: gone}, reason: r, owner: o, expires: 2027-06-30}\n",
			today, nil, []string{audit.WaiverStale, audit.WaiverStale}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("w.yaml", []byte("waivers:\n"+tc.waivers), today)
			if err != nil {
				t.Fatal(err)
			}
			r := results()
			Apply(r, s, tc.now)
			var got []string
			for _, f := range r.Findings {
				if f.Waived != nil {
					got = append(got, f.Resource.ID)
					if f.Waived.Reason != "r" || f.Waived.Owner != "o" || f.Waived.ID == "" {
						t.Errorf("waiver ref %+v", f.Waived)
					}
				}
			}
			if strings.Join(sorted(got), ",") != strings.Join(sorted(tc.waived), ",") {
				t.Errorf("waived %v, want %v", got, tc.waived)
			}
			var states []string
			for _, w := range r.Waivers {
				states = append(states, w.State)
			}
			if strings.Join(states, ",") != strings.Join(tc.states, ",") {
				t.Errorf("states %v, want %v", states, tc.states)
			}
			if r.Summary.ExitCode != tc.exit {
				t.Errorf("exit %d, want %d", r.Summary.ExitCode, tc.exit)
			}
		})
	}
}

func TestApplyStartsFromScratch(t *testing.T) {
	s, err := Parse("w.yaml", []byte("waivers:\n"+
		"  - {control: SCOPE-01, reason: r, owner: o, expires: 2027-01-10}\n"), today)
	if err != nil {
		t.Fatal(err)
	}
	r := results()
	Apply(r, s, today)
	if r.Controls[0].Waived != 2 || r.Controls[0].Status != audit.Pass {
		t.Fatalf("SCOPE-01 %+v", r.Controls[0])
	}
	// Read back a month later: the waiver has expired, and the old marks must go.
	Apply(r, s, today.AddDate(0, 1, 10))
	if r.Controls[0].Waived != 0 || r.Controls[0].Status != audit.Fail {
		t.Errorf("after expiry SCOPE-01 %+v", r.Controls[0])
	}
	if r.Waivers[0].State != audit.WaiverExpired || r.Waivers[0].Matched != 2 {
		t.Errorf("waiver status %+v", r.Waivers[0])
	}
	Apply(r, nil, today)
	if len(r.Waivers) != 0 || r.Controls[0].Waived != 0 {
		t.Errorf("nil set left marks: %+v", r.Waivers)
	}
}

func TestLoadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.yaml")
	src := "waivers:\n  - id: grant-mail\n    control: SCOPE-01\n    reason: r\n" +
		"    owner: o\n    expires: 2027-01-01\n    ticket: SEC-1\n"
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(p, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Waivers) != 1 || s.Waivers[0].ID != "grant-mail" || s.Waivers[0].Ticket != "SEC-1" {
		t.Errorf("loaded %+v", s.Waivers)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestExpireMatchesApply: marks read back without the waivers file lapse on the day
// Apply would let them lapse, and their waivers are recorded as Apply records them.
func TestExpireMatchesApply(t *testing.T) {
	s, err := Parse("w.yaml", []byte("waivers:\n"+
		"  - {id: kept, control: SCOPE-01, reason: r, owner: o, expires: 2026-12-03}\n"+
		"  - {id: gone, control: ACCESS-01, reason: r, owner: o, expires: 2026-12-02}\n"),
		today.AddDate(0, 0, -10))
	if err != nil {
		t.Fatal(err)
	}
	want := results()
	Apply(want, s, today)
	got := results()
	Apply(got, s, today.AddDate(0, 0, -10))
	if err := Expire(got, today); err != nil {
		t.Fatal(err)
	}
	for i := range want.Findings {
		if (got.Findings[i].Waived == nil) != (want.Findings[i].Waived == nil) {
			t.Errorf("finding %s: waived %v, Apply at now gives %v", got.Findings[i].ID,
				got.Findings[i].Waived, want.Findings[i].Waived)
		}
	}
	if !slices.Equal(got.Waivers, want.Waivers) || got.Summary.ExitCode != want.Summary.ExitCode {
		t.Errorf("waivers %+v exit %d, Apply at now gives %+v exit %d", got.Waivers,
			got.Summary.ExitCode, want.Waivers, want.Summary.ExitCode)
	}

	// A mark whose waiver the results do not list is recorded as expired all the same.
	bare := results()
	Apply(bare, s, today.AddDate(0, 0, -10))
	bare.Waivers = nil
	if err := Expire(bare, today); err != nil {
		t.Fatal(err)
	}
	if len(bare.Waivers) != 1 || bare.Waivers[0].ID != "gone" ||
		bare.Waivers[0].State != audit.WaiverExpired || bare.Waivers[0].Matched != 2 {
		t.Errorf("unlisted waiver recorded as %+v", bare.Waivers)
	}

	bad := results()
	bad.Findings[0].Waived = &audit.WaiverRef{ID: "x", Expires: "soon"}
	if err := Expire(bad, today); err == nil || !strings.Contains(err.Error(), `"soon"`) {
		t.Errorf("undated mark: error %v", err)
	}
}
