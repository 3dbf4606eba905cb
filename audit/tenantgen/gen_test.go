package tenantgen

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func encode(t testing.TB, s *audit.Snapshot) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("encode snapshot: %v", err)
	}
	return b
}

var allViolations = Options{
	Links: 300, MembersPerChat: 4, ChannelFraction: 0.25, Seed: 42,
	Violations: []string{"all"}, Rate: 0.02,
}

func TestDeterministic(t *testing.T) {
	a, pa := Generate(allViolations)
	b, pb := Generate(allViolations)
	if !bytes.Equal(encode(t, a), encode(t, b)) || !slices.Equal(pa, pb) {
		t.Fatal("the same options gave two different tenants")
	}
	other := allViolations
	other.Seed++
	c, _ := Generate(other)
	if bytes.Equal(encode(t, a), encode(t, c)) {
		t.Fatal("two seeds gave the same tenant")
	}
}

// TestRoundTrip checks that a generated tenant is a valid snapshot that reads back to
// the same bytes, as a collected one would.
func TestRoundTrip(t *testing.T) {
	s, _ := Generate(allViolations)
	first := encode(t, s)
	back, err := audit.DecodeSnapshot(bytes.NewReader(first))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if second := encode(t, back); !bytes.Equal(first, second) {
		t.Fatal("the snapshot changed on a round trip through JSON")
	}
	for _, name := range audit.AllSources {
		if src := back.Sources[name]; src.Status != audit.StatusComplete {
			t.Errorf("source %s is %s, want complete", name, src.Status)
		}
	}
	if got := back.Sources[audit.SourceAccess].Items; got != len(back.Access) {
		t.Errorf("access source counts %d items, snapshot holds %d", got, len(back.Access))
	}
}

func TestSourceStatusOption(t *testing.T) {
	o := allViolations
	o.SourceStatus = map[audit.SourceName]audit.Status{audit.SourceMembers: audit.StatusIncomplete}
	s, _ := Generate(o)
	if got := s.Sources[audit.SourceMembers]; got.Status != audit.StatusIncomplete || got.Reason == "" {
		t.Fatalf("members source = %+v, want incomplete with a reason", got)
	}
	if got := s.Sources[audit.SourceUsers].Status; got != audit.StatusComplete {
		t.Fatalf("users source = %s, want complete", got)
	}
}

func TestCleanTenantPlantsNothing(t *testing.T) {
	s, planted := Generate(Options{Links: 200, ChannelFraction: 0.3, Seed: 3})
	if len(planted) != 0 {
		t.Fatalf("clean tenant planted %v", planted)
	}
	if len(s.DelegatedGrants) != 1 || s.DelegatedGrants[0].Scope != strings.Join(documentedScopes, " ") {
		t.Fatalf("delegated grants = %+v, want the documented tenant-wide one", s.DelegatedGrants)
	}
	if len(s.AppRoleAssignments) != 1 || s.AppRoleAssignments[0].AppRoleID != userReadAllRole {
		t.Fatalf("app roles = %+v, want User.Read.All only", s.AppRoleAssignments)
	}
	for _, c := range s.Access {
		if !strings.Contains(c.AccessRights, "ReadAccess") {
			t.Fatalf("clean tenant has a user without ReadAccess: %+v", c)
		}
	}
	for _, sh := range s.Shares {
		if sh.PrincipalTypeCode == "systemuser" && sh.AccessRightsMask != 0 {
			t.Fatalf("clean tenant has an explicit share with a user: %+v", sh)
		}
	}
}

// TestPlantsWhatIsAsked plants one control at a time and checks which controls the
// planted list names: the control itself, plus ACCESS-02 where the violation also
// leaves a member unable to read, and SCOPE-02 where a role is one too many.
func TestPlantsWhatIsAsked(t *testing.T) {
	also := map[string][]string{
		"SCOPE-03":  {"SCOPE-02"},
		"ACCESS-03": {"ACCESS-02"},
		"ACCESS-05": {"ACCESS-02"},
	}
	for _, control := range Controls() {
		t.Run(control, func(t *testing.T) {
			_, planted := Generate(Options{
				Links: 60, MembersPerChat: 3, ChannelFraction: 0.2, Seed: 9,
				Violations: []string{control},
			})
			want := append([]string{control}, also[control]...)
			slices.Sort(want)
			var got []string
			for _, p := range planted {
				got = append(got, p.Control)
			}
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, want) {
				t.Fatalf("planted controls %v, want %v", got, want)
			}
		})
	}
}

func TestUnknownControlPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an unknown control id")
		}
	}()
	Generate(Options{Violations: []string{"SCOPE-99"}})
}

// TestPlantedResourcesExist checks that every planted finding names an object of the
// snapshot, by the id a control reports.
func TestPlantedResourcesExist(t *testing.T) {
	s, planted := Generate(allViolations)
	ids := map[string]bool{s.Integration.ID: true}
	for _, g := range s.DelegatedGrants {
		ids["delegatedGrant/"+g.ID] = true
	}
	for _, a := range s.AppRoleAssignments {
		ids["appRoleAssignment/"+a.ID] = true
	}
	for _, l := range s.ChatLinks {
		ids["chatLink/"+l.ID] = true
	}
	for _, l := range s.ChannelLinks {
		ids["channelLink/"+l.ID] = true
	}
	for _, a := range s.ChatSync {
		ids["chatActivity/"+a.ID] = true
	}
	ids["servicePrincipal/"+s.Integration.ID] = true
	for _, p := range planted {
		if !ids[p.ResourceType+"/"+p.ResourceID] || p.Key == "" {
			t.Errorf("planted %+v names no object of the snapshot", p)
		}
	}
}

func TestRateScalesLinkViolations(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		want int
	}{{0, 1}, {0.01, 8}, {0.05, 40}} {
		_, planted := Generate(Options{
			Links: 1000, ChannelFraction: 0.2, Seed: 5, Rate: tc.rate,
			Violations: []string{"STORE-02"},
		})
		// Two STORE-02 variants, each on Rate × 800 chat links.
		if got := len(planted); got != 2*tc.want {
			t.Errorf("rate %v: %d STORE-02 findings planted, want %d", tc.rate, got, 2*tc.want)
		}
	}
}

// TestSmallTenantGrows checks that planted violations never share a link: a tenant too
// small for them gets the links they need.
func TestSmallTenantGrows(t *testing.T) {
	s, _ := Generate(Options{Links: 2, Seed: 1, Violations: []string{"all"}})
	if len(s.ChatLinks) < 12 || len(s.ChannelLinks) < 2 {
		t.Fatalf("got %d chat and %d channel links, want room for every variant",
			len(s.ChatLinks), len(s.ChannelLinks))
	}
}

var (
	chatShape = regexp.MustCompile(`^19:([0-9a-f]{32}|meeting_[A-Za-z0-9_-]+)@thread\.v2$` +
		`|^19:[0-9a-f-]{36}_[0-9a-f-]{36}@unq\.gbl\.spaces$`)
	channelShape = regexp.MustCompile(`^19:[0-9a-f]{32}@thread\.tacv2$`)
	// What the storage controls take for conversation text: markup and line breaks.
	messageLike = regexp.MustCompile(`<[A-Za-z/!?][^<>]*>|&[#A-Za-z0-9]+;|[\r\n]`)
)

// TestCleanLinksLookReal checks the invariants of links that carry no violation: a
// well-formed conversation id, a member list with an access check for every member who
// is a Dynamics user and for the creator, a licence for the creator, and no text that
// looks like a message even where names are hostile.
func TestCleanLinksLookReal(t *testing.T) {
	s, _ := Generate(Options{Links: 400, MembersPerChat: 5, ChannelFraction: 0.25, Seed: 11})
	users := map[string]audit.SystemUser{}
	byAAD := map[string]audit.SystemUser{}
	for _, u := range s.Users {
		users[u.SystemUserID] = u
		byAAD[u.AADObjectID] = u
	}
	members := map[string]audit.Conversation{}
	for _, c := range s.Members {
		members[c.ConversationID] = c
	}
	checked := map[string]bool{}
	for _, a := range s.Access {
		checked[a.SystemUserID+"|"+a.RecordID] = true
	}
	licensed := map[string]bool{}
	for _, l := range s.Licences {
		licensed[l.UserID] = l.TeamsEnabled
	}
	check := func(kind, id, convID, record, creator string, shape *regexp.Regexp, row map[string]any) {
		if !shape.MatchString(convID) {
			t.Errorf("%s %s: conversation id %q has the wrong shape", kind, id, convID)
		}
		conv, ok := members[convID]
		if !ok || conv.Error != "" || len(conv.Members) < 2 {
			t.Errorf("%s %s: members not readable: %+v", kind, id, conv)
		}
		for _, m := range conv.Members {
			if u, ok := byAAD[m.UserID]; !ok || !checked[u.SystemUserID+"|"+record] {
				t.Errorf("%s %s: member %s has no access check", kind, id, m.UserID)
			}
		}
		if !checked[creator+"|"+record] || !licensed[users[creator].AADObjectID] {
			t.Errorf("%s %s: creator %s lacks an access check or a licence", kind, id, creator)
		}
		for col, v := range row {
			if str, ok := v.(string); ok && messageLike.MatchString(str) {
				t.Errorf("%s %s: column %s looks like a message: %q", kind, id, col, str)
			}
		}
	}
	for _, l := range s.ChatLinks {
		check("chatLink", l.ID, l.ChatID, l.RegardingID, l.CreatedBy, chatShape, l.Columns())
	}
	for _, l := range s.ChannelLinks {
		check("channelLink", l.ID, l.ChannelID, l.RegardingID, l.CreatedBy, channelShape, l.Columns())
	}
	if len(s.ChatSync) == 0 {
		t.Error("no chat sync rows")
	}
}

// TestHostileNames checks that the names which break naive reports are there.
func TestHostileNames(t *testing.T) {
	s := encode(t, first(Generate(Options{Links: 16, MembersPerChat: 3, ChannelFraction: 0.25, Seed: 1})))
	// encoding/json escapes markup, so the script tag appears escaped.
	for _, want := range []string{`\u003cscript\u003e`, "=HYPERLINK(", "| pipes |", `\u001b[31m`, `\n`} {
		if !bytes.Contains(s, []byte(want)) {
			t.Errorf("no %q in a small tenant", want)
		}
	}
}

func first(s *audit.Snapshot, _ []Planted) *audit.Snapshot { return s }

func BenchmarkGenerate100k(b *testing.B) {
	o := Options{Links: 100_000, MembersPerChat: 5, ChannelFraction: 0.2, Seed: 1,
		Violations: []string{"all"}, Rate: 0.001}
	b.ReportAllocs()
	for b.Loop() {
		Generate(o)
	}
}

// TestConversationsAreDistinct: every conversation id has one member list, as the
// collector can only ever see one.
func TestConversationsAreDistinct(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		s, _ := Generate(Options{Links: 40, Seed: seed, Violations: []string{"all"}})
		seen := map[string]bool{}
		for _, c := range s.Members {
			if seen[c.ConversationID] {
				t.Fatalf("seed %d: conversation %s listed twice", seed, c.ConversationID)
			}
			seen[c.ConversationID] = true
		}
	}
}
