package teamschat.controls.scope.scope05_test

import data.teamschat.controls.scope.scope05

_graph := {"id": "sp-graph", "known": true, "appId": "00000003-0000-0000-c000-000000000000"}

_grant(id, consent, principal) := {
	"id": id,
	"consentType": consent,
	"principalId": principal,
	"resource": _graph,
	"permissions": [{"name": "Chat.ReadWrite.All", "id": "", "type": "Delegated"}],
}

_input(grants) := {"tenant": {
	"graphAppId": "00000003-0000-0000-c000-000000000000",
	"integration": {"found": true, "id": "sp-int"},
	"delegatedGrants": grants,
}}

test_tenant_wide_only_passes if {
	count(scope05.findings) == 0 with input as _input([_grant("g1", "AllPrincipals", "")])
}

test_one_finding_per_user_grant if {
	grants := [_grant("g1", "AllPrincipals", ""), _grant("g2", "Principal", "u-1"), _grant("g3", "Principal", "u-2")]
	found := scope05.findings with input as _input(grants)
	{[f.resource.id, f.key] | some f in found} == {["g2", "u-1"], ["g3", "u-2"]}
	some f in found
	f.evidence == {
		"principalId": "u-1", "consentType": "Principal", "permissions": ["Chat.ReadWrite.All"],
		"resourceAppId": "00000003-0000-0000-c000-000000000000",
	}
	contains(f.remediation, "DELETE https://graph.microsoft.com/v1.0/oauth2PermissionGrants/g2")
}

test_missing_consent_type_is_a_finding if {
	grant := object.remove(_grant("g4", "AllPrincipals", ""), ["consentType"])
	found := scope05.findings with input as _input([grant])
	{f.resource.id | some f in found} == {"g4"}
}

test_not_applicable_without_integration if {
	reason := scope05.not_applicable with input as {"tenant": {"integration": {"found": false}}}
	reason == "no integration service principal in the tenant"
}
