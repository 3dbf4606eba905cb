package teamschat.controls.access.access05_test

import data.teamschat.controls.access.access05

_member(id, roles, tenant) := {"id": concat("-", ["m", id]), "userId": id, "roles": roles, "tenantId": tenant}

_link(members) := {
	"kind": "chat", "id": "l1", "name": "n", "active": true,
	"record": {"id": "rec-1", "table": "account"},
	"members": {"known": true, "list": members},
}

_input(links) := {"tenant": {"tenantId": "AAAAAAAA-1111-4111-8111-111111111111", "counts": {"links": count(links)}}, "links": links}

test_home_members_pass if {
	members := [_member("u1", ["owner"], "aaaaaaaa-1111-4111-8111-111111111111"), _member("u2", [], "AAAAAAAA-1111-4111-8111-111111111111"), _member("u3", [], "")]
	count(access05.findings) == 0 with input as _input([_link(members)])
	count(access05.errors) == 0 with input as _input([_link(members)])
}

test_guest_and_external_members if {
	members := [_member("u1", ["guest"], "aaaaaaaa-1111-4111-8111-111111111111"), _member("u2", [], "bbbbbbbb-2222-4222-8222-222222222222"), _member("u3", ["guest"], "cccccccc-3333-4333-8333-333333333333")]
	found := access05.findings with input as _input([_link(members)])
	{[f.key, f.evidence.reasons] | some f in found} == {
		["member:u1", ["guest"]],
		["member:u2", ["external"]],
		["member:u3", ["external", "guest"]],
	}
}

test_member_without_user_id_uses_membership_id if {
	member := object.remove(_member("u4", ["guest"], "aaaaaaaa-1111-4111-8111-111111111111"), ["userId"])
	found := access05.findings with input as _input([_link([member])])
	{f.key | some f in found} == {"member:m-u4"}
}

test_missing_home_tenant_is_an_error if {
	tenant_input := {"tenant": {"counts": {"links": 1}}, "links": [_link([_member("u1", [], "bbbbbbbb-2222-4222-8222-222222222222")])]}
	errs := access05.errors with input as tenant_input
	errs == {_unknown_home}
}

_unknown_home := "the home tenant id is unknown or not a tenant id (a GUID), so external members cannot be recognised"

# An empty home tenant id, or a domain name in its place, is not an id to compare with:
# every member would look external.
test_home_tenant_that_is_not_a_guid_finds_nothing if {
	every home in ["", "contoso.onmicrosoft.com"] {
		bad := {"tenant": {"tenantId": home, "counts": {"links": 1}}, "links": [_link([_member("u1", [], "bbbbbbbb-2222-4222-8222-222222222222")])]}
		count(access05.findings) == 0 with input as bad
		access05.errors == {_unknown_home} with input as bad
	}
}

test_unknown_members_are_an_error if {
	link := object.union(_link([]), {"members": {"known": false, "error": "404", "list": []}})
	access05.errors == {"chatLink l1: members of the conversation could not be read: 404"} with input as _input([link])
}

test_not_applicable_without_links if {
	access05.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}
