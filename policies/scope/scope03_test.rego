package teamschat.controls.scope.scope03_test

import data.teamschat.controls.scope.scope03

_graph_app := "00000003-0000-0000-c000-000000000000"

_graph := {"id": "sp-graph", "known": true, "appId": _graph_app, "displayName": "Microsoft Graph"}

_delegated := ["Chat.ReadWrite.All", "Directory.Read.All", "Presence.Read.All", "User.ReadBasic.All"]

_grant(consent, names) := {
	"id": "g1",
	"consentType": consent,
	"resource": _graph,
	"permissions": [{"name": name, "id": "", "type": "Delegated"} | some name in names],
}

_role(id, name) := {
	"id": id,
	"resource": _graph,
	"noPermission": false,
	"permission": {"id": "role-id", "name": name, "type": "Application"},
}

_input(grants, assignments) := {"tenant": {
	"tenantId": "tenant-1",
	"graphAppId": _graph_app,
	"integration": {"found": true, "id": "sp-int", "displayName": "Teams collaboration"},
	"delegatedGrants": grants,
	"appRoleAssignments": assignments,
}}

test_documented_types_pass if {
	found := scope03.findings with input as _input([_grant("AllPrincipals", _delegated)], [_role("a1", "User.Read.All")])
	count(found) == 0
}

test_delegated_permission_as_application if {
	found := scope03.findings with input as _input([], [_role("a2", "Chat.ReadWrite.All")])
	{f.key | some f in found} == {"Chat.ReadWrite.All:Application"}
	some f in found
	contains(f.remediation, "appRoleAssignments/a2")
}

test_application_permission_as_delegated if {
	found := scope03.findings with input as _input([_grant("Principal", ["User.Read.All", "Chat.ReadWrite.All"])], [])
	{f.key | some f in found} == {"User.Read.All:Delegated"}
	some f in found
	contains(f.remediation, `"scope": "Chat.ReadWrite.All"`)
}

test_names_compare_ignoring_case if {
	found := scope03.findings with input as _input([], [_role("a2", "chat.readwrite.all")])
	count(found) == 1
}

test_no_permission_flag_missing_still_judged if {
	role := object.remove(_role("a3", "Presence.Read.All"), ["noPermission"])
	found := scope03.findings with input as _input([], [role])
	{f.key | some f in found} == {"Presence.Read.All:Application"}
}

test_other_resource_is_not_judged_here if {
	other := object.union(_role("a4", "Chat.ReadWrite.All"), {"resource": {
		"id": "x", "known": true,
		"appId": "00000007-0000-0000-c000-000000000000",
	}})
	count(scope03.findings) == 0 with input as _input([], [other])
}

test_not_applicable_without_integration if {
	reason := scope03.not_applicable with input as {"tenant": {"integration": {"found": false}}}
	reason == "no integration service principal in the tenant"
}
