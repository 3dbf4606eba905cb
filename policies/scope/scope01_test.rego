package teamschat.controls.scope.scope01_test

import data.teamschat.controls.scope.scope01

_graph_app := "00000003-0000-0000-c000-000000000000"

_graph := {"id": "sp-graph", "known": true, "appId": _graph_app, "displayName": "Microsoft Graph"}

_expected := ["Chat.ReadWrite.All", "Directory.Read.All", "Presence.Read.All", "User.ReadBasic.All"]

_grant(id, consent, resource, names) := {
	"id": id,
	"consentType": consent,
	"principalId": "",
	"resource": resource,
	"scope": concat(" ", names),
	"permissions": [{"name": name, "id": "", "type": "Delegated"} | some name in names],
}

_input(grants) := {"tenant": {
	"tenantId": "tenant-1",
	"graphAppId": _graph_app,
	"integration": {"found": true, "id": "sp-int", "displayName": "Teams collaboration"},
	"sources": {"delegatedGrants": {"status": "complete"}, "appRoleAssignments": {"status": "complete"}},
	"delegatedGrants": grants,
	"appRoleAssignments": [],
}}

test_exact_permissions_pass if {
	count(scope01.findings) == 0 with input as _input([_grant("g1", "AllPrincipals", _graph, _expected)])
}

test_names_compare_ignoring_case if {
	names := ["chat.readwrite.all", "DIRECTORY.READ.ALL", "Presence.Read.All", "User.ReadBasic.All"]
	count(scope01.findings) == 0 with input as _input([_grant("g1", "AllPrincipals", _graph, names)])
}

test_extra_and_missing_permissions if {
	names := ["Chat.ReadWrite.All", "Directory.Read.All", "Presence.Read.All", "Mail.Read"]
	found := scope01.findings with input as _input([_grant("g1", "AllPrincipals", _graph, names)])
	count(found) == 2
	{[f.key, f.severity] | some f in found} == {["Mail.Read", "high"], ["missing:User.ReadBasic.All", "medium"]}
	some extra in found
	extra.key == "Mail.Read"
	extra.resource == {"type": "delegatedGrant", "id": "g1", "name": "Microsoft Graph"}
	contains(extra.remediation, "oauth2PermissionGrants/g1")
	contains(extra.remediation, `"scope": "Chat.ReadWrite.All Directory.Read.All Presence.Read.All User.ReadBasic.All"`)
}

test_no_tenant_wide_grant_misses_all_four if {
	found := scope01.findings with input as _input([])
	{f.key | some f in found} == {sprintf("missing:%s", [name]) | some name in _expected}
	every f in found {
		contains(f.remediation, "POST https://graph.microsoft.com/v1.0/oauth2PermissionGrants")
	}
}

test_per_user_grant_is_not_tenant_wide if {
	found := scope01.findings with input as _input([_grant("g1", "Principal", _graph, _expected)])
	count(found) == 4
}

# Graph is recognised by appId only: a look-alike display name is not Graph.
test_graph_by_app_id_only if {
	fake := {
		"id": "sp-x", "known": true,
		"appId": "11111111-0000-0000-0000-000000000000", "displayName": "Microsoft Graph",
	}
	found := scope01.findings with input as _input([_grant("g1", "AllPrincipals", fake, _expected)])
	count(found) == 4
}

test_missing_consent_type_is_not_a_pass if {
	grant := object.remove(_grant("g1", "AllPrincipals", _graph, _expected), ["consentType"])
	found := scope01.findings with input as _input([grant])
	count(found) == 4
}

test_unknown_resource_is_not_graph if {
	unknown := {"id": "sp-graph", "known": false, "appId": "", "displayName": ""}
	found := scope01.findings with input as _input([_grant("g1", "AllPrincipals", unknown, _expected)])
	count(found) == 4
}

test_unnamed_permission_is_extra if {
	grant := _grant("g1", "AllPrincipals", _graph, _expected)
	odd := object.union(grant, {"permissions": array.concat(grant.permissions, [{"id": "x"}])})
	found := scope01.findings with input as _input([odd])
	{f.key | some f in found} == {""}
}

test_not_applicable_without_integration if {
	reason := scope01.not_applicable with input as {"tenant": {"integration": {"found": false}}}
	reason == "no integration service principal in the tenant"
}

test_applicable_with_integration if {
	not scope01.not_applicable with input as _input([])
}

# A permission is missing from the tenant only when the grants were read completely and
# the integration was found; otherwise it may be missing only from the evidence.
test_no_missing_finding_on_incomplete_grants if {
	incomplete := json.patch(_input([]), [{
		"op": "replace", "path": "/tenant/sources/delegatedGrants/status",
		"value": "incomplete",
	}])
	count(scope01.findings) == 0 with input as incomplete
}

test_no_missing_finding_without_integration if {
	absent := json.patch(_input([]), [{"op": "replace", "path": "/tenant/integration", "value": {"found": false}}])
	count(scope01.findings) == 0 with input as absent
}
