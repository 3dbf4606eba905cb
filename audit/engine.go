package audit

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// Engine evaluates a compiled policy set. It is built once per run and safe for
// concurrent use.
type Engine struct {
	Controls []*Control
	// tenant evaluates tenant-scope controls and every control's not_applicable.
	tenant query
	// batch evaluates batch-scope controls over one batch of rows; nil without any.
	batch *query
}

// query is a prepared query and what each of its variables holds.
type query struct {
	rego.PreparedEvalQuery
	vars []binding
}

// binding says that a query variable holds the values of one rule of one control.
type binding struct {
	name    string
	control int
	rule    string
}

func (q *query) add(control int, rule string) {
	name := fmt.Sprintf("r%d", len(q.vars))
	q.vars = append(q.vars, binding{name: name, control: control, rule: rule})
}

// text is the query: one comprehension per variable, so an undefined rule gives an
// empty list instead of making the whole query undefined.
func (q *query) text(controls []*Control) string {
	if len(q.vars) == 0 {
		return "true"
	}
	parts := make([]string, len(q.vars))
	for i, b := range q.vars {
		ref := controls[b.control].Package + "." + b.rule
		if b.rule == "not_applicable" {
			parts[i] = fmt.Sprintf("%s := [x | x := %s]", b.name, ref)
		} else {
			parts[i] = fmt.Sprintf("%s := [x | some x in %s]", b.name, ref)
		}
	}
	return strings.Join(parts, "; ")
}

// NewEngine compiles the policy set and prepares its queries. It refuses a set with no
// controls: evaluating nothing is not compliance.
func NewEngine(ctx context.Context, ps *PolicySet) (*Engine, error) {
	controls, err := ps.Controls()
	if err != nil {
		return nil, err
	}
	if len(controls) == 0 {
		return nil, fmt.Errorf("no controls found: policies must declare packages under %s",
			ControlsRoot)
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(false)
	if compiler.Compile(ps.Modules); compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %s", firstError(compiler.Errors))
	}
	store := inmem.NewFromObject(ps.Data)
	e := &Engine{Controls: controls}

	var batch query
	for i, c := range controls {
		if c.rules["not_applicable"] {
			e.tenant.add(i, "not_applicable")
		}
		if c.Manual {
			continue
		}
		q := &e.tenant
		if c.Scope == ScopeBatch {
			q = &batch
		}
		for _, rule := range []string{"findings", "errors"} {
			if c.rules[rule] {
				q.add(i, rule)
			}
		}
	}
	prepare := func(q *query) error {
		pq, err := rego.New(
			rego.Compiler(compiler),
			rego.Store(store),
			rego.Query(q.text(controls)),
		).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare policies: %s", firstError(err))
		}
		q.PreparedEvalQuery = pq
		return nil
	}
	if err := prepare(&e.tenant); err != nil {
		return nil, err
	}
	if len(batch.vars) > 0 {
		if err := prepare(&batch); err != nil {
			return nil, err
		}
		e.batch = &batch
	}
	return e, nil
}

// EvalOptions tune evaluation; the zero value uses every core.
type EvalOptions struct {
	// BatchSize is the number of rows per batch evaluation; 0 means 256.
	BatchSize int
	// Workers is the number of concurrent evaluations; 0 means GOMAXPROCS.
	Workers int
}

// outcome gathers what the rules said about one control across evaluations.
type outcome struct {
	findings      []any
	errors        []any
	notApplicable []any
}

// evalInto evaluates pq over input and appends what each control returned to out,
// which is indexed like e.Controls.
func (q *query) evalInto(ctx context.Context, input ast.Value, out []outcome) error {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return fmt.Errorf("evaluate policies: %s", firstError(err))
	}
	if len(rs) == 0 {
		return fmt.Errorf("evaluate policies: the query was undefined")
	}
	for _, b := range q.vars {
		list, _ := rs[0].Bindings[b.name].([]any)
		o := &out[b.control]
		switch b.rule {
		case "findings":
			o.findings = append(o.findings, list...)
		case "errors":
			o.errors = append(o.errors, list...)
		case "not_applicable":
			o.notApplicable = append(o.notApplicable, list...)
		}
	}
	return nil
}

func (o EvalOptions) withDefaults() EvalOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = 256
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}
