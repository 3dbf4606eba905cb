package audit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// Policy data that the built-in policies would misread is refused with one line naming
// the key; data they read correctly, and data of an organisation's own, loads.
func TestPolicyDataIsChecked(t *testing.T) {
	cases := []struct{ name, file, data, err string }{
		{"wrong type", "data.json", `{"teamschat":{"config":{"shareWindowMinutes":"ten"}}}`,
			"teamschat.config.shareWindowMinutes: got string, want integer"},
		{"a string for a list", "data.json", `{"teamschat":{"config":{"delegated":"Chat.ReadWrite.All"}}}`,
			"teamschat.config.delegated: got string, want array"},
		{"negative", "data.json", `{"teamschat":{"config":{"maxFreeTextLength":-1}}}`,
			"teamschat.config.maxFreeTextLength: minimum: got -1, want 1"},
		{"misspelled key", "data.json", `{"teamschat":{"confg":{}}}`, "confg"},
		{"unknown config key", "data.yaml", "teamschat:\n  config:\n    shareWindow: 5\n", "shareWindow"},
		{"null", "data.json", `{"teamschat":{"config":{"application":null}}}`,
			"teamschat.config.application: got null, want array"},
		{"a good override", "data.yaml", "teamschat:\n  config:\n    shareWindowMinutes: 20\n", ""},
		{"an organisation's own data", "data.json", `{"myorg":{"owners":["a"]}}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := audit.LoadPolicies(policies.FS, dir)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) ||
				strings.Contains(err.Error(), "\n")):
				t.Fatalf("error %v, want one line with %q", err, tc.err)
			}
		})
	}
}

// A module of an organisation's own may not take a package of the built-in policies
// outside the controls: it could redefine their data or helpers unchecked.
func TestPolicyPackagesOutsideTheControlsAreReserved(t *testing.T) {
	cases := []struct{ pkg, err string }{
		{"teamschat.config", "package teamschat.config is reserved"},
		{"teamschat.lib.text", "package teamschat.lib.text is reserved"},
		{"teamschat", "package teamschat is reserved"},
		{"teamschat.controls.myorg.own01", ""},
		{"myorg.helpers", ""},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		src := "package " + tc.pkg + "\n\nx := 1\n"
		if err := os.WriteFile(filepath.Join(dir, "own.rego"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := audit.LoadPolicies(policies.FS, dir)
		if tc.err == "" && err != nil && strings.Contains(err.Error(), "reserved") ||
			tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("package %s: error %v, want %q", tc.pkg, err, tc.err)
		}
	}
}
