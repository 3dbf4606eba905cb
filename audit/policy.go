package audit

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ControlsRoot is the package prefix under which every control lives.
const ControlsRoot = "teamschat.controls"

// PolicySet is the Rego source and policy data a scan evaluates: the built-in policies
// plus any --policy directories.
type PolicySet struct {
	// Modules maps a file name to its parsed module (tests excluded).
	Modules map[string]*ast.Module
	// Tests maps a file name to a parsed _test.rego module.
	Tests map[string]*ast.Module
	// Data is the merged policy data (data.json / data.yaml files).
	Data map[string]any
}

// LoadPolicies reads the built-in policies from fsys, then each directory in dirs, in
// order; data files of later directories are merged over earlier ones key by key.
// Errors name the file, the line and what is wrong.
func LoadPolicies(fsys fs.FS, dirs ...string) (*PolicySet, error) {
	ps := &PolicySet{
		Modules: map[string]*ast.Module{},
		Tests:   map[string]*ast.Module{},
		Data:    map[string]any{},
	}
	if err := ps.addFS(fsys, "policies", true); err != nil {
		return nil, err
	}
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("policy directory %s: %w", dir, unwrapPathError(err))
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("policy directory %s: not a directory", dir)
		}
		if err := ps.addFS(os.DirFS(dir), dir, false); err != nil {
			return nil, err
		}
	}
	if err := checkData(ps.Data); err != nil {
		return nil, err
	}
	return ps, nil
}

//go:embed policydata.schema.json
var policyDataSchema []byte

// checkData holds the merged policy data to what the built-in policies read
// (policydata.schema.json): a value of the wrong type, out of range or under a key the
// policies do not know would otherwise switch a check off without a word.
func checkData(data map[string]any) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(policyDataSchema))
	if err != nil {
		return fmt.Errorf("policy data schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("policydata.schema.json", doc); err != nil {
		return fmt.Errorf("policy data schema: %w", err)
	}
	schema, err := c.Compile("policydata.schema.json")
	if err != nil {
		return fmt.Errorf("policy data schema: %w", err)
	}
	var invalid *jsonschema.ValidationError
	if err := schema.Validate(any(data)); errors.As(err, &invalid) {
		for len(invalid.Causes) > 0 {
			invalid = invalid.Causes[0]
		}
		at := strings.Join(invalid.InstanceLocation, ".")
		return fmt.Errorf("policy data %s: %s; fix the data.json or data.yaml that sets it "+
			"(docs/policy-input.md lists the keys)", at, oneLine(invalid.ErrorKind.LocalizedString(dataPrinter)))
	} else if err != nil {
		return fmt.Errorf("policy data: %w", err)
	}
	return nil
}

var dataPrinter = message.NewPrinter(language.English)

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// addFS adds every .rego file and data file under fsys; prefix is how files are named
// in messages.
func (ps *PolicySet) addFS(fsys fs.FS, prefix string, builtin bool) error {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read policies %s: %w", prefix, err)
	}
	sort.Strings(files)
	for _, p := range files {
		name := filepath.Join(prefix, filepath.FromSlash(p))
		base := filepath.Base(p)
		switch {
		case strings.HasSuffix(base, ".rego"):
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("read policy %s: %w", name, err)
			}
			if err := ps.addModule(name, string(src), builtin); err != nil {
				return err
			}
		case base == "data.json" || base == "data.yaml" || base == "data.yml":
			if err := ps.addData(fsys, p, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (ps *PolicySet) addModule(name, src string, builtin bool) error {
	m, err := ParseModule(name, src)
	if err != nil {
		return err
	}
	// Outside the controls, the teamschat namespace is the built-in policies' own: a
	// module there could redefine their helpers or their data unchecked (checkData).
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
	if !builtin && (pkg == "teamschat" || strings.HasPrefix(pkg, "teamschat.")) &&
		!strings.HasPrefix(pkg, ControlsRoot+".") {
		return fmt.Errorf("policy %s: package %s is reserved for the built-in policies: "+
			"put controls under %s.<name> and anything else outside teamschat", name, pkg,
			ControlsRoot)
	}
	if strings.HasSuffix(name, "_test.rego") {
		ps.Tests[name] = m
	} else {
		ps.Modules[name] = m
	}
	return nil
}

// ParseModule parses Rego v1 source with its METADATA. A file that only parses as
// pre-1.0 Rego gets a message saying so.
func ParseModule(name, src string) (*ast.Module, error) {
	opts := ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1}
	m, err := ast.ParseModuleWithOpts(name, src, opts)
	if err == nil {
		return m, nil
	}
	msg := firstError(err)
	v0 := ast.ParserOptions{RegoVersion: ast.RegoV0}
	if _, err0 := ast.ParseModuleWithOpts(name, src, v0); err0 == nil {
		msg += " (this file is pre-1.0 Rego: add `if` before rule bodies and `contains` " +
			"to partial set rules, or run `opa fmt --v0-v1`)"
	}
	return nil, fmt.Errorf("policy %s", msg)
}

// firstError renders the first of OPA's errors as "file:line: message", plus a count
// of the rest.
func firstError(err error) string {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		e := errs[0]
		s := e.Message
		if e.Location != nil {
			s = fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, e.Message)
		}
		if len(errs) > 1 {
			s += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
		}
		return s
	}
	return err.Error()
}

func (ps *PolicySet) addData(fsys fs.FS, p, name string) error {
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return fmt.Errorf("read policy data %s: %w", name, err)
	}
	var doc map[string]any
	if strings.HasSuffix(p, ".json") {
		err = json.Unmarshal(raw, &doc)
	} else {
		err = yaml.Unmarshal(raw, &doc)
	}
	if err != nil {
		return fmt.Errorf("policy data %s: %s", name, oneLine(err.Error()))
	}
	if doc == nil {
		return fmt.Errorf("policy data %s: expected an object at the top", name)
	}
	mergeData(ps.Data, doc)
	return nil
}

// mergeData merges src into dst: objects merge key by key, anything else replaces.
func mergeData(dst, src map[string]any) {
	for k, v := range src {
		if sub, ok := v.(map[string]any); ok {
			if cur, ok := dst[k].(map[string]any); ok {
				mergeData(cur, sub)
				continue
			}
		}
		dst[k] = v
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
