# METADATA
# title: Consent is tenant-wide only, with no per-user grants beside it
# description: >-
#   The FAQ has an admin consent once for the whole tenant. A per-user (Principal)
#   delegated grant means a user consented on their own, possibly to a different set of
#   permissions, and it stays after the tenant-wide consent is corrected. A grant whose
#   consent type is missing or unknown is reported too.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: SCOPE-05
#   severity: low
#   scope: tenant
#   sources: [integration, resources, delegatedGrants]
#   remediation: >-
#     Delete the per-user grant with DELETE https://graph.microsoft.com/v1.0/oauth2PermissionGrants/{id}
#     (the tenant-wide consent keeps the integration working), and consider turning off user
#     consent in the Entra admin centre (Enterprise applications > Consent and permissions).
package teamschat.controls.scope.scope05

import data.teamschat.lib.graph

not_applicable := graph.not_found if input.tenant.integration.found == false

findings contains finding if {
	some grant in input.tenant.delegatedGrants
	not grant.consentType == "AllPrincipals"
	principal := object.get(grant, "principalId", "")
	consent := object.get(grant, "consentType", "")
	names := [graph.permission_name(permission) | some permission in object.get(grant, "permissions", [])]
	finding := {
		"resource": graph.grant_resource(grant),
		"key": principal,
		"message": sprintf("%s delegated grant for user %s: %s", [_consent(consent), principal, concat(" ", names)]),
		"evidence": {
			"principalId": principal,
			"consentType": consent,
			"permissions": names,
			"resourceAppId": object.get(grant, ["resource", "appId"], ""),
		},
		"remediation": sprintf(
			"Delete the per-user grant: DELETE %s; the tenant-wide consent keeps the integration working.",
			[graph.grant_url(grant)],
		),
	}
}

_consent("Principal") := "per-user"

_consent(type) := sprintf("consent type %q", [type]) if type != "Principal"
