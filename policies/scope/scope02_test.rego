package teamschat.controls.scope.scope02_test

import data.teamschat.controls.scope.scope02

_graph_app := "00000003-0000-0000-c000-000000000000"

_graph := {"id": "sp-graph", "known": true, "appId": _graph_app, "displayName": "Microsoft Graph"}

_role(id, name, role_id) := {
	"id": id,
	"resource": _graph,
	"noPermission": false,
	"permission": {"id": role_id, "name": name, "type": "Application"},
}

_user_read_all := _role("a1", "User.Read.All", "df021288-bdef-4463-88db-98f22de89214")

_input(assignments) := {"tenant": {
	"tenantId": "tenant-1",
	"graphAppId": _graph_app,
	"integration": {"found": true, "id": "sp-int", "displayName": "Teams collaboration"},
	"sources": {"delegatedGrants": {"status": "complete"}, "appRoleAssignments": {"status": "complete"}},
	"delegatedGrants": [],
	"appRoleAssignments": assignments,
}}

test_exact_permission_passes if {
	count(scope02.findings) == 0 with input as _input([_user_read_all])
}

test_extra_permission_is_critical if {
	extra := _role("a2", "Chat.Read.All", "6b7d71aa-70aa-4810-a8d9-5d9fb2830017")
	found := scope02.findings with input as _input([_user_read_all, extra])
	count(found) == 1
	some f in found
	f.key == "Chat.Read.All"
	f.severity == "critical"
	f.resource.id == "a2"
	contains(f.remediation, "DELETE https://graph.microsoft.com/v1.0/servicePrincipals/sp-int/appRoleAssignments/a2")
}

test_missing_permission_is_medium if {
	found := scope02.findings with input as _input([])
	{[f.key, f.severity] | some f in found} == {["missing:User.Read.All", "medium"]}
}

test_no_permission_assignment_is_not_a_permission if {
	none := object.union(_role("a0", "", "00000000-0000-0000-0000-000000000000"), {"noPermission": true})
	count(scope02.findings) == 0 with input as _input([_user_read_all, none])
}

test_unknown_role_is_extra if {
	unknown := _role("a3", "", "12345678-0000-0000-0000-000000000000")
	found := scope02.findings with input as _input([_user_read_all, unknown])
	{f.key | some f in found} == {"unknown role 12345678-0000-0000-0000-000000000000"}
}

test_missing_no_permission_flag_counts_as_permission if {
	partial := object.remove(_role("a4", "Group.ReadWrite.All", "62a82d76-70ea-41e2-9197-370581804d09"), ["noPermission"])
	found := scope02.findings with input as _input([_user_read_all, partial])
	{f.key | some f in found} == {"Group.ReadWrite.All"}
}

test_missing_permission_object_is_extra if {
	partial := object.remove(_role("a5", "Mail.Read", "x"), ["permission"])
	found := scope02.findings with input as _input([_user_read_all, partial])
	{f.key | some f in found} == {"unknown role "}
}

test_not_applicable_without_integration if {
	reason := scope02.not_applicable with input as {"tenant": {"integration": {"found": false}}}
	reason == "no integration service principal in the tenant"
}

test_missing_permission_remediation_names_graph if {
	extra := _role("a2", "Chat.Read.All", "6b7d71aa-70aa-4810-a8d9-5d9fb2830017")
	found := scope02.findings with input as _input([extra])
	some f in found
	f.key == "missing:User.Read.All"
	contains(f.remediation, `"resourceId": "sp-graph"`)
}

test_no_missing_finding_on_incomplete_assignments if {
	incomplete := json.patch(_input([]), [{
		"op": "replace", "path": "/tenant/sources/appRoleAssignments/status",
		"value": "not_collected",
	}])
	count(scope02.findings) == 0 with input as incomplete
}
