package teamschat.controls.scope.scope04_test

import data.teamschat.controls.scope.scope04

_graph_app := "00000003-0000-0000-c000-000000000000"

_graph := {"id": "sp-graph", "known": true, "appId": _graph_app, "displayName": "Microsoft Graph"}

_dataverse := {
	"id": "sp-crm", "known": true,
	"appId": "00000007-0000-0000-c000-000000000000", "displayName": "Dataverse",
}

_grant(id, resource) := {
	"id": id,
	"consentType": "AllPrincipals",
	"resource": resource,
	"permissions": [{"name": "user_impersonation", "id": "", "type": "Delegated"}],
}

_role(id, resource) := {
	"id": id,
	"resource": resource,
	"noPermission": false,
	"permission": {"id": "role-1", "name": "Sites.Read.All", "type": "Application"},
}

_input(grants, assignments) := {"tenant": {
	"tenantId": "tenant-1",
	"graphAppId": _graph_app,
	"integration": {"found": true, "id": "sp-int", "displayName": "Teams collaboration"},
	"delegatedGrants": grants,
	"appRoleAssignments": assignments,
}}

test_graph_only_passes if {
	count(scope04.findings) == 0 with input as _input([_grant("g1", _graph)], [_role("a1", _graph)])
}

test_grant_on_other_resource if {
	found := scope04.findings with input as _input([_grant("g1", _graph), _grant("g2", _dataverse)], [])
	count(found) == 1
	some f in found
	f.resource == {"type": "delegatedGrant", "id": "g2", "name": "Dataverse"}
	f.key == "sp-crm"
	f.evidence.permissions == ["user_impersonation"]
	contains(f.remediation, "oauth2PermissionGrants/g2")
}

test_assignment_on_other_resource if {
	found := scope04.findings with input as _input([], [_role("a2", _dataverse)])
	{f.resource.id | some f in found} == {"a2"}
}

test_unknown_resource_says_so if {
	unknown := {"id": "sp-gone", "known": false, "appId": "", "displayName": "Microsoft Graph"}
	found := scope04.findings with input as _input([_grant("g3", unknown)], [])
	count(found) == 1
	some f in found
	contains(f.message, "could not be read")
	f.evidence.resourceKnown == false
}

test_missing_resource_is_a_finding if {
	grant := object.remove(_grant("g4", _graph), ["resource"])
	found := scope04.findings with input as _input([grant], [])
	{f.resource.id | some f in found} == {"g4"}
}

test_not_applicable_without_integration if {
	reason := scope04.not_applicable with input as {"tenant": {"integration": {"found": false}}}
	reason == "no integration service principal in the tenant"
}
