# METADATA
# title: Tenant-wide delegated Graph permissions are exactly the documented four
# description: >-
#   The integration needs Chat.ReadWrite.All, Directory.Read.All, Presence.Read.All and
#   User.ReadBasic.All as delegated Microsoft Graph permissions, consented once for the
#   whole tenant (consentType AllPrincipals). Any other tenant-wide delegated Graph
#   permission lets the app act as every user beyond what the integration needs; a
#   missing one breaks part of the chat experience. Graph is recognised by appId only.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: SCOPE-01
#   severity: high
#   scope: tenant
#   sources: [integration, resources, delegatedGrants]
#   remediation: >-
#     In the Entra admin centre, open Enterprise applications, the integration's app,
#     Permissions, and review the admin-consented delegated Graph permissions; correct the
#     tenant-wide grant with PATCH https://graph.microsoft.com/v1.0/oauth2PermissionGrants/{id}
#     and a body {"scope": "..."} holding exactly the expected permissions.
package teamschat.controls.scope.scope01

import data.teamschat.lib.graph

not_applicable := graph.not_found if input.tenant.integration.found == false

# _tenant_wide are the admin-consented delegated grants on Microsoft Graph.
_tenant_wide contains grant if {
	some grant in input.tenant.delegatedGrants
	grant.consentType == "AllPrincipals"
	graph.is_graph(grant.resource)
}

_granted contains lower(graph.permission_name(permission)) if {
	some grant in _tenant_wide
	some permission in grant.permissions
}

# _expected_scope is the scope a grant should hold: what it has that is expected, plus
# every expected permission no tenant-wide grant has.
_expected_scope(grant) := concat(" ", sort(array.concat(
	[name |
		some permission in grant.permissions
		name := graph.permission_name(permission)
		lower(name) in graph.delegated_expected
	],
	[name |
		some name in data.teamschat.config.delegated
		not lower(name) in _granted
	],
)))

findings contains finding if {
	some grant in _tenant_wide
	some permission in grant.permissions
	name := graph.permission_name(permission)
	not lower(name) in graph.delegated_expected
	finding := {
		"resource": graph.grant_resource(grant),
		"key": name,
		"message": sprintf("tenant-wide delegated Graph permission %s is granted but not expected", [name]),
		"evidence": {
			"permission": name, "type": "Delegated", "consentType": "AllPrincipals",
			"grantId": object.get(grant, "id", ""),
		},
		"severity": "high",
		"remediation": sprintf(
			concat(" ", [
				"Remove %s: PATCH %s with body {\"scope\": \"%s\"}, or revoke it in the Entra",
				"admin centre (Enterprise applications > the app > Permissions).",
			]),
			[name, graph.grant_url(grant), _expected_scope(grant)],
		),
	}
}

findings contains finding if {
	graph.grants_known("delegatedGrants")
	some name in data.teamschat.config.delegated
	not lower(name) in _granted
	finding := {
		"resource": graph.integration,
		"key": sprintf("missing:%s", [name]),
		"message": sprintf("expected delegated Graph permission %s has no tenant-wide consent", [name]),
		"evidence": {"permission": name, "type": "Delegated", "consentType": "AllPrincipals"},
		"severity": "medium",
		"remediation": _missing_remediation(name),
	}
}

_missing_remediation(name) := sprintf(
	concat(" ", [_consent_steps, "or PATCH %s with body {\"scope\": \"%s\"}."]),
	[name, graph.grant_url(_first_grant), _expected_scope(_first_grant)],
) if {
	count(_tenant_wide) > 0
}

_consent_steps := concat(" ", [
	"Grant admin consent for %s: in the Entra admin centre open Enterprise applications >",
	"the app > Permissions > Grant admin consent,",
])

# _first_grant picks one tenant-wide grant to amend; a client normally has exactly one.
_first_grant := [grant | some grant in _tenant_wide][0]

_missing_remediation(name) := sprintf(
	concat(" ", [
		_consent_steps,
		"or POST https://graph.microsoft.com/v1.0/oauth2PermissionGrants with body",
		"{\"clientId\": \"%s\", \"consentType\": \"AllPrincipals\",",
		"\"resourceId\": \"%s\", \"scope\": \"%s\"}.",
	]),
	[name, graph.integration.id, graph.graph_sp_id, concat(" ", sort(data.teamschat.config.delegated))],
) if {
	count(_tenant_wide) == 0
}
