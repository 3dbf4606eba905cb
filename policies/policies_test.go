package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// sources maps each .rego path in FS to its text.
func sources(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := FS.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatalf("walk policies: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("no .rego files embedded")
	}
	return out
}

// modules parses every embedded .rego file as Rego v1, with annotations.
func modules(t *testing.T) map[string]*ast.Module {
	t.Helper()
	out := map[string]*ast.Module{}
	opts := ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1}
	for p, src := range sources(t) {
		m, err := ast.ParseModuleWithOpts(p, string(src), opts)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		out[p] = m
	}
	return out
}

func policyData(t *testing.T) map[string]any {
	t.Helper()
	b, err := FS.ReadFile("data.json")
	if err != nil {
		t.Fatalf("read data.json: %v", err)
	}
	var data map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatalf("parse data.json: %v", err)
	}
	return data
}

// TestRegoTests runs every Rego test with data.json loaded, one Go subtest per Rego test.
func TestRegoTests(t *testing.T) {
	ctx := context.Background()
	runner := tester.NewRunner().
		SetStore(inmem.NewFromObject(policyData(t))).
		SetModules(modules(t)).
		RaiseBuiltinErrors(true)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}
	var passed, failed int
	for r := range ch {
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		t.Run(name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s: error: %v", r.Location, r.Error)
			case r.Fail && r.FailedAt != nil:
				t.Errorf("%s: failed at %v", r.Location, r.FailedAt)
			case r.Fail:
				t.Errorf("%s: failed", r.Location)
			case r.Skip:
				t.Skip("skipped")
			}
		})
		if r.Pass() {
			passed++
		} else {
			failed++
		}
	}
	t.Logf("rego tests: %d passed, %d failed", passed, failed)
	if passed == 0 {
		t.Error("no rego test ran")
	}
}

// TestFormatted checks that every .rego file is as opa fmt writes it.
func TestFormatted(t *testing.T) {
	for p, src := range sources(t) {
		want, err := format.Source(p, src)
		if err != nil {
			t.Errorf("format %s: %v", p, err)
			continue
		}
		if !bytes.Equal(want, src) {
			t.Errorf("%s is not opa fmt formatted", p)
		}
	}
}

// TestStrictCompile compiles every module in strict mode, as opa check --strict does.
func TestStrictCompile(t *testing.T) {
	c := ast.NewCompiler().WithStrict(true)
	if c.Compile(modules(t)); c.Failed() {
		for _, e := range c.Errors {
			t.Errorf("compile: %v", e)
		}
	}
}

var severities = []string{"critical", "high", "medium", "low", "info"}

// TestControlMetadata checks the contract of docs/policies.md on every control package.
func TestControlMetadata(t *testing.T) {
	mods := modules(t)
	ids := map[string]string{}
	controls := 0
	for p, m := range mods {
		pkg := m.Package.Path.String()
		if strings.HasSuffix(p, "_test.rego") || !strings.HasPrefix(pkg, "data.teamschat.controls.") {
			continue
		}
		controls++
		a := packageAnnotations(m)
		if a == nil {
			t.Errorf("%s: no package-scope # METADATA", p)
			continue
		}
		id := checkAnnotations(t, p, a)
		if prev, dup := ids[id]; dup && id != "" {
			t.Errorf("%s: id %s already used by %s", p, id, prev)
		}
		ids[id] = p
		wantPkg := "data.teamschat.controls." + path.Dir(p) + "." +
			strings.ToLower(strings.ReplaceAll(id, "-", ""))
		if pkg != wantPkg {
			t.Errorf("%s: package %s, want %s", p, pkg, wantPkg)
		}
		testFile := strings.TrimSuffix(p, ".rego") + "_test.rego"
		if _, ok := mods[testFile]; !ok {
			t.Errorf("%s: no %s beside it", p, testFile)
		}
	}
	if controls != 14 {
		t.Errorf("found %d controls, want 14", controls)
	}
}

func packageAnnotations(m *ast.Module) *ast.Annotations {
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			return a
		}
	}
	return nil
}

// checkAnnotations reports every missing or invalid metadata key and returns the id.
func checkAnnotations(t *testing.T, p string, a *ast.Annotations) string {
	t.Helper()
	if a.Title == "" || a.Description == "" {
		t.Errorf("%s: title and description are required", p)
	}
	const faq = "https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/" +
		"teams-chat-integration-faqs"
	if len(a.RelatedResources) == 0 || a.RelatedResources[0].Ref.String() != faq {
		t.Errorf("%s: related_resources[0].ref must be the FAQ", p)
	}
	id, _ := a.Custom["id"].(string)
	if id == "" {
		t.Errorf("%s: custom.id is required", p)
	}
	if sev, _ := a.Custom["severity"].(string); !slices.Contains(severities, sev) {
		t.Errorf("%s: custom.severity %q is not one of %v", p, sev, severities)
	}
	if scope, _ := a.Custom["scope"].(string); scope != "tenant" && scope != "batch" {
		t.Errorf("%s: custom.scope %q must be tenant or batch", p, scope)
	}
	if _, ok := a.Custom["sources"].([]any); !ok {
		t.Errorf("%s: custom.sources must be a list", p)
	}
	if r, _ := a.Custom["remediation"].(string); r == "" {
		t.Errorf("%s: custom.remediation is required", p)
	}
	for _, flag := range []string{"observation", "manual"} {
		if v, ok := a.Custom[flag]; ok {
			if _, isBool := v.(bool); !isBool {
				t.Errorf("%s: custom.%s must be a boolean", p, flag)
			}
		}
	}
	return id
}
