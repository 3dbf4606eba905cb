package teamschat.controls.access.access05_test

import data.teamschat.controls.access.access05

_member(id, roles, tenant) := {"id": concat("-", ["m", id]), "userId": id, "roles": roles, "tenantId": tenant}

_link(members) := {
	"kind": "chat", "id": "l1", "name": "n", "active": true,
	"record": {"id": "rec-1", "table": "account"},
	"members": {"known": true, "list": members},
}

_input(links) := {"tenant": {"tenantId": "Tenant-1", "counts": {"links": count(links)}}, "links": links}

test_home_members_pass if {
	members := [_member("u1", ["owner"], "tenant-1"), _member("u2", [], "TENANT-1"), _member("u3", [], "")]
	count(access05.findings) == 0 with input as _input([_link(members)])
	count(access05.errors) == 0 with input as _input([_link(members)])
}

test_guest_and_external_members if {
	members := [_member("u1", ["guest"], "tenant-1"), _member("u2", [], "tenant-2"), _member("u3", ["guest"], "tenant-3")]
	found := access05.findings with input as _input([_link(members)])
	{[f.key, f.evidence.reasons] | some f in found} == {
		["member:u1", ["guest"]],
		["member:u2", ["external"]],
		["member:u3", ["external", "guest"]],
	}
}

test_member_without_user_id_uses_membership_id if {
	member := object.remove(_member("u4", ["guest"], "tenant-1"), ["userId"])
	found := access05.findings with input as _input([_link([member])])
	{f.key | some f in found} == {"member:m-u4"}
}

test_missing_home_tenant_is_an_error if {
	tenant_input := {"tenant": {"counts": {"links": 1}}, "links": [_link([_member("u1", [], "tenant-2")])]}
	errs := access05.errors with input as tenant_input
	errs == {"the home tenant id is unknown, so external members cannot be recognised"}
}

test_unknown_members_are_an_error if {
	link := object.union(_link([]), {"members": {"known": false, "error": "404", "list": []}})
	access05.errors == {"chatLink l1: members of the conversation could not be read: 404"} with input as _input([link])
}

test_not_applicable_without_links if {
	access05.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}
