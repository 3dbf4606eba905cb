package collect

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// An environment without Teams chat sync has no chat table: Dataverse answers 404 for
// the entity set. That is complete evidence of no chat sync rows, not a failure; any
// other table answering 404 still is one.
func TestMissingChatTableIsEmptyNotFailed(t *testing.T) {
	gen, _ := tenantgen.Generate(tenantgen.Options{Links: 10, Seed: 2})
	srv, err := faketenant.New(gen, faketenant.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		source audit.SourceName
		want   audit.Status
	}{
		{"/dataverse/api/data/v9.2/chats", audit.SourceChatSync, audit.StatusComplete},
		{"/dataverse/api/data/v9.2/msdyn_teamscollaborations", audit.SourceChannelLinks,
			audit.StatusError},
	} {
		t.Run(string(tc.source), func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, tc.path) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					w.Write([]byte(`{"error":{"code":"0x8006088a",` +
						`"message":"Resource not found for the segment."}}`))
					return
				}
				srv.ServeHTTP(w, r)
			}))
			defer ts.Close()
			got, err := Collect(context.Background(), Options{TenantID: gen.Tenant.TenantID,
				GraphURL: ts.URL + "/graph/v1.0", DataverseURL: ts.URL + "/dataverse",
				AppID: gen.Tenant.AppID, clock: &fakeClock{}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if src := got.Sources[tc.source]; src.Status != tc.want {
				t.Errorf("%s: %s (%s), want %s", tc.source, src.Status, src.Reason, tc.want)
			}
		})
	}
}
