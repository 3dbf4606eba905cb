package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

const good = `tenants:
  - name: contoso
    tenantId: 11111111-2222-3333-4444-555555555555
    dataverseUrl: https://contoso.crm.dynamics.com
    auth: workload-identity
    cloud: public
  - name: fabrikam
    snapshot: evidence/fabrikam.json
outputs:
  formats: [json, html]
  dir: out
failOn: high
waivers: waivers.yaml
stateDir: state
parallel: 4
notify:
  webhook: https://example.webhook.office.com/webhookb2/x
`

func TestParseGood(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "teamschat-audit.yaml")
	if err := os.WriteFile(p, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tenants) != 2 || c.FailOn != "high" || c.Parallel != 4 {
		t.Fatalf("decoded %+v", c)
	}
	// Relative paths are taken from the file's directory, not the working directory.
	for got, want := range map[string]string{
		c.Tenants[1].Snapshot: filepath.Join(dir, "evidence/fabrikam.json"),
		c.Waivers:             filepath.Join(dir, "waivers.yaml"),
		c.StateDir:            filepath.Join(dir, "state"),
		c.Outputs.Dir:         filepath.Join(dir, "out"),
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
	if tn, ok := c.Tenant("fabrikam"); !ok || tn.Snapshot == "" {
		t.Error("Tenant(fabrikam) not found")
	}
	if !c.Has("outputs.formats") || c.Has("outputs.redact") {
		t.Error("Has is wrong")
	}
}

func TestParseRejects(t *testing.T) {
	tenant := "tenants:\n  - name: a\n    snapshot: s.json\n"
	cases := []struct {
		name, src, want string
	}{
		{"unknown top key", "tenant: []\n", "c.yaml:1: tenant: unknown key"},
		{"unknown tenant key", tenant + "    region: eu\n", "c.yaml:4: tenants[0].region: unknown key"},
		{"secret", tenant + "    clientSecret: hunter2\n",
			"c.yaml:4: tenants[0].clientSecret: looks like a secret"},
		{"secret anywhere", "notify:\n  api_token: x\n", "c.yaml:2: notify.api_token: looks like a secret"},
		{"password", tenant + "    certificatePassword: x\n", "AZURE_CLIENT_SECRET"},
		{"bad fail-on", tenant + "failOn: severe\n", "c.yaml:4: failOn: \"severe\" is not a severity"},
		{"parallel range", "parallel: 99\n", "c.yaml:1: parallel: 99 is out of range"},
		{"parallel kind", "parallel: many\n", "c.yaml:1: parallel: expected a whole number"},
		{"formats kind", "outputs:\n  formats: json\n", "c.yaml:2:"},
		{"no name", "tenants:\n  - snapshot: s.json\n", "c.yaml:2: tenants[0].name: missing"},
		{"bad name", "tenants:\n  - name: ../etc\n    snapshot: s\n", "c.yaml:2: tenants[0].name:"},
		{"duplicate name", tenant + "  - name: a\n    snapshot: t.json\n",
			"c.yaml:4: tenants[1].name: \"a\" is also the name of tenants[0]"},
		{"bad tenant id", tenant + "    tenantId: contoso\n",
			"c.yaml:4: tenants[0].tenantId: \"contoso\" is not a GUID"},
		{"http url", "tenants:\n  - name: a\n    dataverseUrl: http://contoso.crm.dynamics.com\n",
			"c.yaml:3: tenants[0].dataverseUrl: must use https"},
		{"bad auth", tenant + "    auth: password\n", "c.yaml:4: tenants[0].auth: \"password\""},
		{"bad cloud", tenant + "    cloud: mars\n", "c.yaml:4: tenants[0].cloud:"},
		{"nothing to scan", "tenants:\n  - name: a\n", "c.yaml:2: tenants[0]: tenant a needs"},
		{"bad webhook", "notify:\n  webhook: ftp://x\n", "c.yaml:2: notify.webhook:"},
		{"bad notify format", "notify:\n  format: slack\n", "c.yaml:2: notify.format:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error spans lines or quotes the secret: %q", err)
			}
		})
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if p, err := Find(""); err != nil || p != "" {
		t.Fatalf("no file: %q %v", p, err)
	}
	if err := os.WriteFile(DefaultFile, []byte("parallel: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, _ := Find(""); p != DefaultFile {
		t.Errorf("default not found: %q", p)
	}
	if p, _ := Find("other.yaml"); p != "other.yaml" {
		t.Errorf("explicit: %q", p)
	}
	if _, err := Load("other.yaml"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing explicit file: %v", err)
	}
}

func TestApplyFailOn(t *testing.T) {
	build := func(complete bool, sevs ...string) *audit.Results {
		r := &audit.Results{Complete: complete, Controls: []audit.ControlResult{
			{ID: "A", Status: audit.Fail}, {ID: "OBS", Status: audit.Pass, Observation: true},
		}}
		for i, s := range sevs {
			r.Findings = append(r.Findings, audit.Finding{ID: string(rune('a' + i)),
				Control: "A", Severity: s})
		}
		r.Findings = append(r.Findings, audit.Finding{ID: "o", Control: "OBS", Severity: "critical"})
		r.Finalize()
		return r
	}
	cases := []struct {
		name      string
		r         *audit.Results
		threshold string
		want      int
	}{
		{"no threshold", build(true, "low"), "", 1},
		{"below", build(true, "low", "medium"), "high", 0},
		{"at threshold", build(true, "low", "high"), "high", 1},
		{"above", build(true, "critical"), "high", 1},
		{"info threshold fails everything", build(true, "info"), "info", 1},
		{"observations never count", build(true, "low"), "critical", 0},
		{"undecided stays", build(false, "low"), "high", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ApplyFailOn(tc.r, tc.threshold)
			if tc.r.Summary.ExitCode != tc.want || tc.r.Summary.FailOn != tc.threshold {
				t.Errorf("exit %d failOn %q, want %d", tc.r.Summary.ExitCode,
					tc.r.Summary.FailOn, tc.want)
			}
		})
	}
}
