package reports

import (
	"encoding/json"
	"io"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "json", File: "teamschat-audit.json", Write: writeJSON})
}

// writeJSON writes the results as documented in docs/results.md. HTML escaping stays
// on, so the file is safe to embed in a page as it is.
func writeJSON(w io.Writer, r *audit.Results, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
