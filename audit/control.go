package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Control is one control as its package metadata declares it.
type Control struct {
	ID          string
	Title       string
	Description string
	Severity    string
	// Scope is "tenant" (evaluated once) or "batch" (evaluated over every batch of rows).
	Scope       string
	Sources     []SourceName
	Remediation string
	URL         string
	Observation bool
	Manual      bool
	// Package is the Rego package path, e.g. data.teamschat.controls.scope.scope01.
	Package string
	File    string
	// rules are the result rules the package defines: findings, errors, not_applicable.
	rules map[string]bool
}

// Scopes a control can declare.
const (
	ScopeTenant = "tenant"
	ScopeBatch  = "batch"
)

// Controls finds every control package in the set and reads its metadata. A package
// under teamschat.controls without valid metadata is an error, not a control quietly
// left out.
func (ps *PolicySet) Controls() ([]*Control, error) {
	byPkg := map[string]*Control{}
	names := make([]string, 0, len(ps.Modules))
	for name := range ps.Modules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := ps.Modules[name]
		pkg := m.Package.Path.String()
		if !strings.HasPrefix(pkg, "data."+ControlsRoot+".") {
			continue
		}
		c := byPkg[pkg]
		if c == nil {
			c = &Control{Package: pkg, rules: map[string]bool{}}
			byPkg[pkg] = c
		}
		for _, r := range m.Rules {
			c.rules[r.Head.Ref()[0].String()] = true
		}
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			if c.File != "" {
				return nil, fmt.Errorf("policy %s:%d: package %s has METADATA in %s already",
					name, a.Location.Row, pkg, c.File)
			}
			if err := c.readMetadata(a); err != nil {
				return nil, fmt.Errorf("policy %s:%d: %w", name, a.Location.Row, err)
			}
			c.File = name
		}
	}
	out := make([]*Control, 0, len(byPkg))
	ids := map[string]string{}
	for pkg, c := range byPkg {
		if c.File == "" {
			return nil, fmt.Errorf("policy package %s has no package-scope METADATA with "+
				"custom.id; see docs/policies.md", pkg)
		}
		if other, dup := ids[c.ID]; dup {
			return nil, fmt.Errorf("policy %s: control id %s is already used by %s",
				c.File, c.ID, other)
		}
		ids[c.ID] = c.File
		if !c.Manual && !c.rules["findings"] {
			return nil, fmt.Errorf("policy %s: control %s defines no findings rule", c.File, c.ID)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (c *Control) readMetadata(a *ast.Annotations) error {
	c.Title = strings.TrimSpace(a.Title)
	c.Description = strings.TrimSpace(a.Description)
	if len(a.RelatedResources) > 0 && a.RelatedResources[0].Ref.String() != "" {
		c.URL = a.RelatedResources[0].Ref.String()
	}
	custom := a.Custom
	var ok bool
	if c.ID, ok = custom["id"].(string); !ok || c.ID == "" {
		return fmt.Errorf("METADATA has no custom.id")
	}
	if c.Title == "" {
		return fmt.Errorf("control %s has no title", c.ID)
	}
	c.Severity, _ = custom["severity"].(string)
	if SeverityRank(c.Severity) == len(Severities) {
		return fmt.Errorf("control %s: custom.severity %q is not one of %s",
			c.ID, c.Severity, strings.Join(Severities, ", "))
	}
	c.Scope, _ = custom["scope"].(string)
	if c.Scope == "" {
		c.Scope = ScopeTenant
	}
	if c.Scope != ScopeTenant && c.Scope != ScopeBatch {
		return fmt.Errorf("control %s: custom.scope %q is not tenant or batch", c.ID, c.Scope)
	}
	c.Remediation, _ = custom["remediation"].(string)
	c.Remediation = strings.TrimSpace(c.Remediation)
	c.Observation, _ = custom["observation"].(bool)
	c.Manual, _ = custom["manual"].(bool)
	sources, _ := custom["sources"].([]any)
	for _, s := range sources {
		name, _ := s.(string)
		if !knownSource(SourceName(name)) {
			return fmt.Errorf("control %s: custom.sources names unknown source %q", c.ID, s)
		}
		c.Sources = append(c.Sources, SourceName(name))
	}
	if len(c.Sources) == 0 && !c.Manual {
		return fmt.Errorf("control %s: custom.sources is empty; name the evidence it reads", c.ID)
	}
	return nil
}

func knownSource(name SourceName) bool {
	for _, s := range AllSources {
		if s == name {
			return true
		}
	}
	return false
}
