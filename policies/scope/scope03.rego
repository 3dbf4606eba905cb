# METADATA
# title: Required Graph permissions are granted with the documented type
# description: >-
#   Each documented permission has one type: Chat.ReadWrite.All, Directory.Read.All,
#   Presence.Read.All and User.ReadBasic.All are delegated, User.Read.All is
#   application. The same permission with the other type means something else: as an
#   application permission Chat.ReadWrite.All reads every chat in the tenant without a
#   user, so a type swap is reported on its own, whatever SCOPE-01 and SCOPE-02 say.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: SCOPE-03
#   severity: critical
#   scope: tenant
#   sources: [integration, resources, delegatedGrants, appRoleAssignments]
#   remediation: >-
#     Revoke the permission of the wrong type in the Entra admin centre (Enterprise
#     applications > the app > Permissions) and grant it with the documented type.
package teamschat.controls.scope.scope03

import data.teamschat.lib.graph

not_applicable := graph.not_found if input.tenant.integration.found == false

# A delegated-only permission held as an application permission.
findings contains finding if {
	some assignment in input.tenant.appRoleAssignments
	graph.is_graph(assignment.resource)
	not assignment.noPermission == true
	name := graph.permission_name(assignment.permission)
	lower(name) in graph.delegated_expected
	not lower(name) in graph.application_expected
	finding := {
		"resource": graph.assignment_resource(assignment),
		"key": sprintf("%s:Application", [name]),
		"message": sprintf("Graph permission %s is granted as Application; the integration needs it as Delegated", [name]),
		"evidence": {"permission": name, "granted": "Application", "expected": "Delegated"},
		"remediation": sprintf(
			"Revoke the application permission: DELETE %s, then make sure %s is in the tenant-wide delegated consent.",
			[graph.assignment_url(assignment), name],
		),
	}
}

# An application-only permission held as a delegated one, tenant-wide or per user.
findings contains finding if {
	some grant in input.tenant.delegatedGrants
	graph.is_graph(grant.resource)
	some permission in grant.permissions
	name := graph.permission_name(permission)
	lower(name) in graph.application_expected
	not lower(name) in graph.delegated_expected
	finding := {
		"resource": graph.grant_resource(grant),
		"key": sprintf("%s:Delegated", [name]),
		"message": sprintf("Graph permission %s is granted as Delegated; the integration needs it as Application", [name]),
		"evidence": {
			"permission": name, "granted": "Delegated", "expected": "Application",
			"consentType": object.get(grant, "consentType", ""),
		},
		"remediation": sprintf(
			"Remove %s from the delegated grant: PATCH %s with body {\"scope\": \"%s\"} (DELETE it when nothing remains).",
			[name, graph.grant_url(grant), _scope_without(grant, name)],
		),
	}
}

_scope_without(grant, name) := concat(" ", [other |
	some permission in grant.permissions
	other := graph.permission_name(permission)
	lower(other) != lower(name)
])
