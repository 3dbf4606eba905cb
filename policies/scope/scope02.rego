# METADATA
# title: Application Graph permissions are exactly User.Read.All
# description: >-
#   The integration's background service needs one application permission on Microsoft
#   Graph, User.Read.All, to validate the Teams licences of suggested users. An
#   application permission acts without a signed-in user across the whole tenant, so any
#   other one (including one whose id no catalogue names) is a serious excess. An
#   assignment of the all-zero role ("no permission") is not a permission.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: SCOPE-02
#   severity: critical
#   scope: tenant
#   sources: [integration, resources, appRoleAssignments]
#   remediation: >-
#     In the Entra admin centre, open Enterprise applications, the integration's app,
#     Permissions, and revoke every application Graph permission other than User.Read.All,
#     or DELETE https://graph.microsoft.com/v1.0/servicePrincipals/{spId}/appRoleAssignments/{id}.
package teamschat.controls.scope.scope02

import data.teamschat.lib.graph

not_applicable := graph.not_found if input.tenant.integration.found == false

# _graph_roles are the Graph application permissions held; a missing noPermission flag
# counts as a permission, so that an incomplete row cannot hide one.
_graph_roles contains assignment if {
	some assignment in input.tenant.appRoleAssignments
	graph.is_graph(assignment.resource)
	not assignment.noPermission == true
}

_granted contains lower(graph.permission_name(object.get(assignment, "permission", {}))) if {
	some assignment in _graph_roles
}

findings contains finding if {
	some assignment in _graph_roles
	name := graph.permission_name(object.get(assignment, "permission", {}))
	not lower(name) in graph.application_expected
	label := _label(name, object.get(assignment, ["permission", "id"], ""))
	finding := {
		"resource": graph.assignment_resource(assignment),
		"key": label,
		"message": sprintf("application Graph permission %s is granted but not expected", [label]),
		"evidence": {
			"permission": name,
			"permissionId": object.get(assignment, ["permission", "id"], ""),
			"type": "Application",
			"assignmentId": object.get(assignment, "id", ""),
		},
		"severity": "critical",
		"remediation": sprintf(
			"Revoke %s: DELETE %s, or remove it in the Entra admin centre (Enterprise applications > the app > Permissions).",
			[label, graph.assignment_url(assignment)],
		),
	}
}

findings contains finding if {
	graph.grants_known("appRoleAssignments")
	some name in data.teamschat.config.application
	not lower(name) in _granted
	finding := {
		"resource": graph.integration,
		"key": sprintf("missing:%s", [name]),
		"message": sprintf("expected application Graph permission %s is not granted", [name]),
		"evidence": {"permission": name, "type": "Application"},
		"severity": "medium",
		"remediation": sprintf(
			concat(" ", [
				"Grant admin consent for %s (Application) in the Entra admin centre (Enterprise",
				"applications > the app > Permissions), or POST",
				"https://graph.microsoft.com/v1.0/servicePrincipals/%s/appRoleAssignments with body",
				"{\"principalId\": \"%s\", \"resourceId\": \"%s\",",
				"\"appRoleId\": \"{id of %s}\"}.",
			]),
			[name, graph.integration.id, graph.integration.id, graph.graph_sp_id, name],
		),
	}
}

# _label names a permission; one that no catalogue knows is named by its id.
_label(name, _) := name if name != ""

_label("", id) := sprintf("unknown role %s", [id])
