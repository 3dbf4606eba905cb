package policies_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// textQuery asks lib/text.rego what it makes of a string and of the digest a snapshot
// would hold in its place.
const textQuery = `
s := sort(data.teamschat.lib.text.signals(input.value))
free := {true | data.teamschat.lib.text.is_text(input.value)}
d := sort(data.teamschat.lib.text.value_signals(input.digest))
desc := data.teamschat.lib.text.describe("c", input.value)
ddesc := data.teamschat.lib.text.describe("c", input.digest)
`

// FuzzTextDigest checks that the Go detection a snapshot withholds text by agrees with
// the Rego the controls judge text by: the same signals and the same idea of free
// text, and a digest that the Rego describes and judges as it would the string.
func FuzzTextDigest(f *testing.F) {
	for _, s := range []string{"", " ", "Contoso deal", "<p>hi</p>", "a\nb", "a\u2028b",
		"&amp;", "& co", "a < b > c", "<3", "6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60",
		"{6F1B9A3E-0C1D-4C39-9D7A-1B2C3D4E5F60}", "12", "-1.5e3", "TRUE", "2026-12-03",
		"2026-12-03T10:00:00Z", "2026-12-03 10:00:00.5+01:00", `{"body":"x"}`,
		strings.Repeat("x", 257), strings.Repeat("é", 300), "&#x1F600;", "\xff"} {
		f.Add(s)
	}
	ctx := context.Background()
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		f.Fatal(err)
	}
	opts := []func(*rego.Rego){rego.Query(textQuery), rego.Store(inmem.NewFromObject(ps.Data))}
	for _, m := range ps.Modules {
		opts = append(opts, rego.ParsedModule(m))
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // Dataverse answers JSON, which holds valid UTF-8 only
		}
		digest := audit.DigestText(s)
		rs, err := pq.Eval(ctx, rego.EvalInput(map[string]any{"value": s, "digest": digest}))
		if err != nil || len(rs) != 1 {
			t.Fatalf("eval %q: %v (%d results)", s, err, len(rs))
		}
		b := rs[0].Bindings

		want := audit.TextSignals(s)
		if utf8.RuneCountInString(s) > 256 {
			want = append(want, "long-text")
		}
		slices.Sort(want)
		if got := strings_(b["s"]); !slices.Equal(got, want) {
			t.Errorf("signals of %q: Rego %v, Go %v", s, got, want)
		}
		if free := len(b["free"].([]any)) > 0; free != audit.IsFreeText(s) {
			t.Errorf("free text %q: Rego %v, Go %v", s, free, audit.IsFreeText(s))
		}
		for _, sig := range want {
			if !slices.Contains(strings_(b["d"]), sig) {
				t.Errorf("the digest of %q lost the signal %s: %v", s, sig, b["d"])
			}
		}
		if d, dd := jsonOf(b["desc"]), jsonOf(b["ddesc"]); s != "" && d != dd {
			t.Errorf("%q is described as %s, its digest as %s", s, d, dd)
		}
	})
}

func strings_(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
