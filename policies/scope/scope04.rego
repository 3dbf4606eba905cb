# METADATA
# title: The integration holds permissions on Microsoft Graph only
# description: >-
#   Every permission the integration needs is a Microsoft Graph permission. A delegated
#   grant or application permission on any other resource (Dataverse, SharePoint, a
#   resource whose service principal could not be read) is outside what Microsoft
#   documents. Graph is recognised by appId only, never by display name.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: SCOPE-04
#   severity: high
#   scope: tenant
#   sources: [integration, resources, delegatedGrants, appRoleAssignments]
#   remediation: >-
#     Find out who granted the permission and why; if the integration does not need it,
#     revoke it in the Entra admin centre (Enterprise applications > the app > Permissions).
package teamschat.controls.scope.scope04

import data.teamschat.lib.graph

not_applicable := graph.not_found if input.tenant.integration.found == false

findings contains finding if {
	some grant in input.tenant.delegatedGrants
	resource := object.get(grant, "resource", {})
	not graph.is_graph(resource)
	names := [graph.permission_name(permission) | some permission in object.get(grant, "permissions", [])]
	finding := {
		"resource": graph.grant_resource(grant),
		"key": object.get(grant, ["resource", "id"], ""),
		"message": sprintf("delegated grant on %s: %s", [_describe(resource), concat(" ", names)]),
		"evidence": object.union(_evidence(resource), {
			"type": "Delegated",
			"permissions": names,
			"consentType": object.get(grant, "consentType", ""),
		}),
		"remediation": sprintf("Revoke the grant if it is not needed: DELETE %s.", [graph.grant_url(grant)]),
	}
}

findings contains finding if {
	some assignment in input.tenant.appRoleAssignments
	resource := object.get(assignment, "resource", {})
	not graph.is_graph(resource)
	name := graph.permission_name(object.get(assignment, "permission", {}))
	finding := {
		"resource": graph.assignment_resource(assignment),
		"key": object.get(assignment, ["permission", "id"], ""),
		"message": sprintf("application permission %s on %s", [_name(name), _describe(resource)]),
		"evidence": object.union(_evidence(resource), {
			"type": "Application",
			"permission": name,
			"permissionId": object.get(assignment, ["permission", "id"], ""),
			"noPermission": object.get(assignment, "noPermission", false),
		}),
		"remediation": sprintf("Revoke the assignment if it is not needed: DELETE %s.", [graph.assignment_url(assignment)]),
	}
}

# _describe names a resource, saying so when its service principal could not be read.
_describe(resource) := sprintf("resource %s (appId %s)", [object.get(resource, "id", ""), resource.appId]) if {
	resource.known == true
	resource.appId != ""
}

_describe(resource) := sprintf(
	"resource %s, whose service principal could not be read",
	[object.get(resource, "id", "")],
) if {
	not _known(resource)
}

_known(resource) if {
	resource.known == true
	resource.appId != ""
}

_evidence(resource) := {
	"resourceId": object.get(resource, "id", ""),
	"resourceAppId": object.get(resource, "appId", ""),
	"resourceName": object.get(resource, "displayName", ""),
	"resourceKnown": _is_known(resource),
}

_is_known(resource) if _known(resource)

else := false

_name("") := "(unknown role)"

_name(name) := name if name != ""
