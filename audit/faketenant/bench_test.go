package faketenant

import (
	"io"
	"net/http"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// BenchmarkChatLinksPage measures one full Dataverse page (5000 rows with annotations)
// of a generated tenant, the fake's heaviest answer.
func BenchmarkChatLinksPage(b *testing.B) {
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 6000, Seed: 1})
	srv, err := New(snap, Options{})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, dataversePrefix+"/msdyn_teamschatassociations", nil)
	req.Header = dvHeaders(5000)
	req.Host = "127.0.0.1"
	b.ReportAllocs()
	for b.Loop() {
		w := &discard{header: http.Header{}}
		srv.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(p []byte) (int, error) { return io.Discard.Write(p) }
