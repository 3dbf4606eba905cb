package audit

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test.
type TestResult struct {
	Package  string
	Name     string
	Location string
	Passed   bool
	Skipped  bool
	// Problem says how a failed test failed.
	Problem string
}

// Test runs every Rego test of the set (the _test.rego files) with its policy data,
// through OPA's test runner.
func (ps *PolicySet) Test(ctx context.Context) ([]TestResult, error) {
	modules := make(map[string]*ast.Module, len(ps.Modules)+len(ps.Tests))
	for name, m := range ps.Modules {
		modules[name] = m
	}
	for name, m := range ps.Tests {
		modules[name] = m
	}
	ch, err := tester.NewRunner().
		SetStore(inmem.NewFromObject(ps.Data)).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("run policy tests: %s", firstError(err))
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Passed: r.Pass(), Skipped: r.Skip}
		if r.Location != nil {
			tr.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		switch {
		case r.Error != nil:
			tr.Problem = "error: " + oneLine(r.Error.Error())
		case r.Fail:
			tr.Problem = "failed"
		}
		out = append(out, tr)
	}
	return out, nil
}
