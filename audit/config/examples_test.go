package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/teamschat-audit/teamschat-audit/audit/waiver"
)

// examples is where the documentation's example files live.
const examples = "../../docs/examples"

// exampleDay is a day on which the example waivers are valid (their expiry dates lie
// within a year of it); the test checks the files' shape, not today's calendar.
var exampleDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// TestExamplesParse loads every example: configurations through Load, waivers through
// the waiver loader, the files embedded in the Kubernetes ConfigMap likewise, and every
// other YAML file (CI pipelines, manifests) as YAML.
func TestExamplesParse(t *testing.T) {
	var files []string
	err := filepath.WalkDir(examples, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d example files: %v", len(files), err)
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			base := filepath.Base(p)
			switch {
			case strings.HasPrefix(base, "teamschat-audit"):
				if _, err := Load(p); err != nil {
					t.Fatal(err)
				}
			case strings.HasPrefix(base, "waivers"):
				if _, err := waiver.Parse(p, data, exampleDay); err != nil {
					t.Fatal(err)
				}
			default:
				checkManifests(t, p, data)
			}
		})
	}
}

// checkManifests parses every document of a YAML file and checks the configuration and
// waivers a ConfigMap carries.
func checkManifests(t *testing.T, name string, data []byte) {
	for i, doc := range strings.Split(string(data), "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%s document %d: %v", name, i+1, err)
		}
		if m["kind"] != "ConfigMap" {
			continue
		}
		embedded, _ := m["data"].(map[string]any)
		if cfg, ok := embedded["teamschat-audit.yaml"].(string); !ok {
			t.Errorf("%s: ConfigMap lacks teamschat-audit.yaml", name)
		} else if _, err := Parse(name+" teamschat-audit.yaml", []byte(cfg)); err != nil {
			t.Error(err)
		}
		if w, ok := embedded["waivers.yaml"].(string); ok {
			if _, err := waiver.Parse(name+" waivers.yaml", []byte(w), exampleDay); err != nil {
				t.Error(err)
			}
		}
	}
}
