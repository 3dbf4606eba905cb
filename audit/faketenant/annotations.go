package faketenant

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Dataverse rows as the Web API sends them: the columns, an @odata.etag, and, when the
// client asked with Prefer: odata.include-annotations, formatted values and lookup
// annotations beside the columns they describe.

const (
	formatted   = "@OData.Community.Display.V1.FormattedValue"
	lookupTable = "@Microsoft.Dynamics.CRM.lookuplogicalname"
	navProperty = "@Microsoft.Dynamics.CRM.associatednavigationproperty"
)

// State labels of statecode by table kind.
var (
	activeStates   = map[int64]string{0: "Active", 1: "Inactive"}
	activityStates = map[int64]string{0: "Open", 1: "Completed", 2: "Canceled", 3: "Scheduled"}
	recordStates   = map[int64]string{0: "Associated", 1: "Disassociated"}
)

// row builds a served row from a row's columns. typed names the columns sent as null
// when empty; states labels statecode.
func (s *Server) row(c *call, cols map[string]any, typed []string, id string,
	states map[int64]string) map[string]any {
	out := make(map[string]any, len(cols)*2+1)
	for _, name := range typed {
		out[name] = nil
	}
	for k, v := range cols {
		out[k] = v
	}
	out["@odata.etag"] = etag(cols, id)
	if !wantsAnnotations(c.r.Header.Values("Prefer")) {
		return out
	}

	for name, v := range cols {
		switch name {
		case "statecode":
			label(out, name, v, states)
		case "msdyn_entityrecordstate":
			label(out, name, v, recordStates)
		case "isdisabled":
			if b, ok := v.(bool); ok {
				out[name+formatted] = map[bool]string{false: "Enabled", true: "Disabled"}[b]
			}
		case "createdon", "modifiedon", "changedon":
			if t, err := time.Parse(time.RFC3339, fmt.Sprint(v)); err == nil {
				out[name+formatted] = t.UTC().Format("1/2/2006 3:04 PM")
			}
		case "accessrightsmask", "inheritedaccessrightsmask":
			if n, ok := asInt(v); ok {
				out[name+formatted] = groupThousands(n)
			}
		case "_createdby_value", "_modifiedby_value":
			out[name+lookupTable] = "systemuser"
			out[name+navProperty] = name[1 : len(name)-len("_value")]
			if u := s.ix.users[key(fmt.Sprint(v))]; u != nil && u.FullName != "" {
				out[name+formatted] = u.FullName
			}
		}
	}
	return out
}

func label(out map[string]any, name string, v any, labels map[int64]string) {
	if n, ok := asInt(v); ok {
		if l, ok := labels[n]; ok {
			out[name+formatted] = l
		}
	}
}

// asInt reads a whole number from a column value, whichever Go type carries it.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), n == float64(int64(n))
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// etag is W/"<versionnumber>": the row's own versionnumber when it has one, otherwise
// a stable number derived from its id.
func etag(cols map[string]any, id string) string {
	if n, ok := asInt(cols["versionnumber"]); ok {
		return fmt.Sprintf(`W/"%d"`, n)
	}
	sum := sha256.Sum256([]byte(id))
	n := (uint64(sum[0])<<16 | uint64(sum[1])<<8 | uint64(sum[2])) + 1_000_000
	return fmt.Sprintf(`W/"%d"`, n)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// guidOf is a stable GUID-shaped id for a name.
func guidOf(name string) string {
	b := sha256.Sum256([]byte(name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// tables lists the known tables in name order.
func (ix *index) tables() []string {
	out := make([]string, 0, len(ix.setOf))
	for t := range ix.setOf {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
