package collect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// Every fault either leaves the evidence identical to the generated tenant's (the
// collector recovered) or leaves the named source short of complete with a reason that
// says why; it never passes for a clean, empty source.
func TestFaultsAgainstFakeTenant(t *testing.T) {
	gen, _ := tenantgen.Generate(tenantgen.Options{Links: 30, Seed: 3,
		Violations: []string{"all"}, ChannelFraction: 0.3})
	cases := []struct {
		fault string
		// source is the source left not complete, empty when the collector recovers;
		// reason is a fragment its reason must hold.
		source audit.SourceName
		status audit.Status
		reason string
	}{
		{"route=D6,kind=429,retry-after=1,every=3", "", "", ""},
		{"route=D1,kind=429,retry-after=0.5", "", "", ""},
		{"route=D4,kind=429", "", "", ""},
		{"route=G6,kind=502,every=2", "", "", ""},
		{"route=G3,kind=503,retry-after=2", "", "", ""},
		{"route=D7,kind=504", "", "", ""},
		{"route=G8,kind=drop", "", "", ""},
		{"route=D2,kind=drop", "", "", ""},
		{"route=D1,kind=empty-page,every=2", "", "", ""},
		{"route=dataverse,kind=concurrency,limit=2", "", "", ""},
		{"route=G6,kind=403", audit.SourceMembers, audit.StatusIncomplete,
			"grant ChatMember.Read.All"},
		{"route=G7,kind=403", audit.SourceMembers, audit.StatusIncomplete,
			"grant ChannelMember.Read.All"},
		{"route=G3,kind=403", audit.SourceDelegated, audit.StatusError, "Application.Read.All"},
		{"route=D1,kind=403", audit.SourceChatLinks, audit.StatusError,
			"Read on msdyn_teamschatassociation"},
		{"route=D1,kind=repeat-link", audit.SourceChatLinks, audit.StatusIncomplete,
			"next link it had sent before"},
		{"route=D4,kind=truncate", audit.SourceUsers, audit.StatusError, "truncated JSON"},
		{"route=G8,kind=truncate", audit.SourceLicences, audit.StatusIncomplete,
			"could not be read"},
		{"route=D6,kind=403", audit.SourceAccess, audit.StatusIncomplete, "403"},
		{"route=G4,kind=429,times=50", audit.SourceAppRoles, audit.StatusError,
			"retries ran out"},
		// Members come in Graph batches: faults on an item, and on the batch itself.
		{"route=G6,kind=429,retry-after=1,every=2", "", "", ""},
		{"route=G7,kind=503", "", "", ""},
		{"route=G6,kind=drop,every=2", "", "", ""},
		{"route=GB,kind=429,retry-after=1", "", "", ""},
		{"route=GB,kind=drop", "", "", ""},
		{"route=G6,kind=429,times=50", audit.SourceMembers, audit.StatusIncomplete,
			"retries ran out"},
		{"route=G6,kind=truncate", audit.SourceMembers, audit.StatusIncomplete,
			"could not be read"},
		{"route=GB,kind=403", audit.SourceMembers, audit.StatusIncomplete, "403"},
	}
	want := evidence(t, gen)
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			f, err := faketenant.ParseFault(tc.fault)
			if err != nil {
				t.Fatal(err)
			}
			opts, _ := serveFake(t, gen, faketenant.Options{GraphPageSize: 5,
				DataversePageSize: 7, Faults: []faketenant.Fault{f}, Seed: 1})
			opts.RetryBudget = 2 * time.Minute
			got, err := Collect(context.Background(), opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.source == "" {
				for name, src := range got.Sources {
					if src.Status != audit.StatusComplete {
						t.Logf("%s: %s", name, src.Reason)
					}
				}
				have := evidence(t, got)
				for name, w := range want {
					if have[name] != w {
						t.Errorf("%s differs after recovering from the fault", name)
					}
				}
				return
			}
			src := got.Sources[tc.source]
			if src.Status != tc.status || !strings.Contains(src.Reason, tc.reason) {
				t.Errorf("%s = %s %q, want %s with %q", tc.source, src.Status, src.Reason,
					tc.status, tc.reason)
			}
		})
	}
}
