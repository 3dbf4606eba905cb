package audit_test

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// TestRowTermsMatchReference checks that the rows the engine builds as ast terms are
// exactly what converting the documented map shape gives, on a generated tenant with
// every violation planted and with the gaps a collection can leave.
func TestRowTermsMatchReference(t *testing.T) {
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 300, Seed: 7,
		Violations: []string{"all"}, Rate: 0.05, ChannelFraction: 0.3})
	if len(snap.ChatLinks) == 0 || len(snap.ChannelLinks) == 0 || len(snap.ChatSync) == 0 {
		t.Fatal("generated tenant lacks a kind of row")
	}
	no, yes := false, true
	// Gaps and oddities: failed member reads and access checks, an unknown creator, an
	// extra column named like a typed one, users without optional fields.
	snap.Members[0].Error = "forbidden"
	snap.Members = snap.Members[:len(snap.Members)-1]
	snap.Access[0].Error = "timeout"
	snap.Access[1].AccessRights = "None"
	snap.ChatLinks[1].CreatedBy = "not-a-user"
	snap.ChatLinks[2].Extra = append(snap.ChatLinks[2].Extra,
		audit.Column{Name: "msdyn_teamschatassociationid", Value: 42},
		audit.Column{Name: "new_blob", Value: map[string]any{"body": []any{"x", 1.5, nil}}})
	snap.Users[0].IsDisabled = nil
	snap.Users[1].IsDisabled = &yes
	snap.Licences[0].AccountEnabled = &no
	snap.Licences[1].Error = "not found"

	built, ref, err := audit.PolicyRows(snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != len(ref) {
		t.Fatalf("%d rows built, %d in the reference", len(built), len(ref))
	}
	for i := range built {
		if ast.Compare(built[i], ref[i]) != 0 {
			t.Fatalf("row %d differs:\nbuilt:     %v\nreference: %v", i, built[i], ref[i])
		}
		if built[i].Hash() != ref[i].Hash() {
			t.Fatalf("row %d: hash differs from the reference", i)
		}
	}
}
