package faketenant

import (
	"net/http"
	"net/url"
	"strings"
)

// Route names one kind of request of the wire contract.
type Route string

const (
	G1 Route = "G1" // servicePrincipals by appId
	G2 Route = "G2" // servicePrincipals by displayName
	G3 Route = "G3" // a service principal's oauth2PermissionGrants
	G4 Route = "G4" // a service principal's appRoleAssignments
	G5 Route = "G5" // one service principal
	G6 Route = "G6" // chat members
	G7 Route = "G7" // channel members
	G8 Route = "G8" // one user
	D1 Route = "D1" // msdyn_teamschatassociations
	D2 Route = "D2" // msdyn_teamscollaborations
	D3 Route = "D3" // chats (Teams chat sync)
	D4 Route = "D4" // systemusers
	D5 Route = "D5" // EntityDefinitions
	D6 Route = "D6" // RetrievePrincipalAccess
	D7 Route = "D7" // principalobjectaccessset
	// Unknown is any request outside the contract.
	Unknown Route = "unknown"
)

// Routes lists every route of the contract in order.
var Routes = []Route{G1, G2, G3, G4, G5, G6, G7, G8, D1, D2, D3, D4, D5, D6, D7}

// IsGraph reports whether r is a Graph route.
func (r Route) IsGraph() bool { return strings.HasPrefix(string(r), "G") }

// IsDataverse reports whether r is a Dataverse route.
func (r Route) IsDataverse() bool { return strings.HasPrefix(string(r), "D") }

const (
	graphPrefix     = "/graph/v1.0"
	dataversePrefix = "/dataverse/api/data/v9.2"
	// DataverseRoot is the org URL to pass to the collector; the Web API is below it.
	DataverseRoot = "/dataverse"
	statsPath     = "/_fake/stats"
)

// request is one classified request: its route and the ids taken from its path.
type request struct {
	route Route
	api   api
	// ids are the path's key segments, percent-decoded: the service principal, chat,
	// team and channel, user or systemuser id, in path order.
	ids   []string
	query url.Values
	// segment names what could not be routed, for the error message.
	segment string
}

type api int

const (
	apiNone api = iota
	apiGraph
	apiDataverse
)

// classify maps a request to its route. The path is split before it is decoded, so a
// percent-encoded chat id stays one segment.
func classify(r *http.Request) request {
	path := r.URL.EscapedPath()
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	if qerr != nil {
		q = url.Values{}
	}
	switch {
	case strings.HasPrefix(path, graphPrefix+"/"):
		req := classifyGraph(splitPath(strings.TrimPrefix(path, graphPrefix+"/")), q)
		req.api = apiGraph
		if qerr != nil {
			req.route = Unknown
			req.segment = "query"
		}
		return req
	case strings.HasPrefix(path, dataversePrefix+"/"):
		req := classifyDataverse(strings.TrimPrefix(path, dataversePrefix+"/"), q)
		req.api = apiDataverse
		if qerr != nil {
			req.route = Unknown
			req.segment = "query"
		}
		return req
	}
	return request{route: Unknown, query: q, segment: path}
}

func splitPath(p string) []string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if d, err := url.PathUnescape(s); err == nil {
			parts[i] = d
		}
	}
	return parts
}

func classifyGraph(seg []string, q url.Values) request {
	req := request{route: Unknown, query: q, segment: seg[0]}
	switch {
	case len(seg) == 1 && seg[0] == "servicePrincipals":
		filter := q.Get("$filter")
		switch {
		case strings.HasPrefix(filter, "appId eq "):
			req.route = G1
		case strings.HasPrefix(filter, "displayName eq "):
			req.route = G2
		}
	case len(seg) == 2 && seg[0] == "servicePrincipals":
		req.route, req.ids = G5, seg[1:]
	case len(seg) == 3 && seg[0] == "servicePrincipals" && seg[2] == "oauth2PermissionGrants":
		req.route, req.ids = G3, seg[1:2]
	case len(seg) == 3 && seg[0] == "servicePrincipals" && seg[2] == "appRoleAssignments":
		req.route, req.ids = G4, seg[1:2]
	case len(seg) == 3 && seg[0] == "chats" && seg[2] == "members":
		req.route, req.ids = G6, seg[1:2]
	case len(seg) == 5 && seg[0] == "teams" && seg[2] == "channels" && seg[4] == "members":
		req.route, req.ids = G7, []string{seg[1], seg[3]}
	case len(seg) == 2 && seg[0] == "users":
		req.route, req.ids = G8, seg[1:]
	}
	if req.route == Unknown && len(seg) > 1 {
		req.segment = seg[len(seg)-1]
	}
	return req
}

const accessFunction = "Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@tid)"

func classifyDataverse(path string, q url.Values) request {
	req := request{route: Unknown, query: q, segment: path}
	switch path {
	case "msdyn_teamschatassociations":
		req.route = D1
	case "msdyn_teamscollaborations":
		req.route = D2
	case "chats":
		req.route = D3
	case "systemusers":
		req.route = D4
	case "EntityDefinitions":
		req.route = D5
	case "principalobjectaccessset":
		req.route = D7
	}
	if req.route != Unknown {
		return req
	}
	seg := splitPath(path)
	if len(seg) == 2 && seg[1] == accessFunction {
		if id, ok := keyOf(seg[0], "systemusers"); ok {
			req.route, req.ids = D6, []string{id}
		}
	}
	return req
}

// keyOf parses "set(id)" and returns id when the set is the one expected.
func keyOf(s, set string) (string, bool) {
	rest, ok := strings.CutPrefix(s, set+"(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	return strings.TrimSuffix(rest, ")"), true
}
