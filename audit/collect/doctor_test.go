package collect

import (
	"context"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

func TestDoctor(t *testing.T) {
	gen, _ := tenantgen.Generate(tenantgen.Options{Links: 10, Seed: 5, ChannelFraction: 0.5})
	cases := []struct {
		fault string
		// failing names the one check that must fail, with a fragment of its detail.
		failing, detail string
	}{
		{"", "", ""},
		{"route=G6,kind=403", "chat members", "grant ChatMember.Read.All"},
		{"route=G7,kind=403", "channel members", "grant ChannelMember.Read.All"},
		{"route=G8,kind=403", "licences", "grant User.Read.All"},
		{"route=G1,kind=403", "service principals", "Application.Read.All"},
		{"route=D4,kind=403", "systemuser", "Read on systemuser"},
		{"route=D6,kind=403", "RetrievePrincipalAccess", "403"},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			var fo faketenant.Options
			if tc.fault != "" {
				f, err := faketenant.ParseFault(tc.fault)
				if err != nil {
					t.Fatal(err)
				}
				fo.Faults = []faketenant.Fault{f}
			}
			opts, _ := serveFake(t, gen, fo)
			checks, err := Doctor(context.Background(), opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range checks {
				want := CheckOK
				if tc.failing != "" && strings.Contains(c.Name, tc.failing) {
					want = CheckFail
					if !strings.Contains(c.Detail, tc.detail) {
						t.Errorf("%s: detail %q lacks %q", c.Name, c.Detail, tc.detail)
					}
				}
				if tc.fault == "" && c.State == CheckSkip && !strings.HasPrefix(c.Name, "token") {
					t.Errorf("%s skipped: %s", c.Name, c.Detail)
				}
				if c.State != want && !(c.State == CheckSkip && want == CheckOK) {
					t.Errorf("%s: %s (%s), want %s", c.Name, c.State, c.Detail, want)
				}
			}
		})
	}
}
