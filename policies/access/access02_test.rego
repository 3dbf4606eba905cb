package teamschat.controls.access.access02_test

import data.teamschat.controls.access.access02

_member(id, dynamics, access) := {
	"id": concat("-", ["m", id]), "userId": id, "roles": [], "tenantId": "tenant-1",
	"dynamicsUser": dynamics, "systemUserId": concat("-", ["su", id]), "access": access, "shares": [],
}

_read := {"known": true, "rights": ["ReadAccess", "WriteAccess"]}

_none := {"known": true, "rights": []}

_link(members) := {
	"kind": "channel", "table": "msdyn_teamscollaboration", "id": "l1", "name": "General",
	"record": {"id": "rec-1", "table": "opportunity"}, "active": true,
	"members": {"known": true, "list": members},
}

_input(links) := {"tenant": {"counts": {"links": count(links)}}, "links": links}

test_everyone_can_read if {
	count(access02.findings) == 0 with input as _input([_link([_member("u1", true, _read)])])
}

test_members_without_read_listed_per_link if {
	members := [_member("u1", true, _read), _member("u2", true, _none), _member("u3", false, _none)]
	found := access02.findings with input as _input([_link(members)])
	count(found) == 1
	some f in found
	f.key == "members-without-read"
	f.resource == {"type": "channelLink", "id": "l1", "name": "General"}
	{[m.memberId, m.reason] | some m in f.evidence.members} == {["u2", "no ReadAccess"], ["u3", "not a Dynamics user"]}
}

test_missing_dynamics_flag_counts_as_not_a_user if {
	member := object.remove(_member("u4", true, _read), ["dynamicsUser"])
	found := access02.findings with input as _input([_link([member])])
	{m.reason | some f in found; some m in f.evidence.members} == {"not a Dynamics user"}
}

test_unchecked_access_is_an_error if {
	member := _member("u5", true, {"known": false, "error": "timeout", "rights": []})
	errs := access02.errors with input as _input([_link([member])])
	errs == {"channelLink l1: access of member u5 to the record was not checked: timeout"}
}

test_missing_access_is_an_error if {
	member := object.remove(_member("u6", true, _read), ["access"])
	count(access02.errors) == 1 with input as _input([_link([member])])
	count(access02.findings) == 0 with input as _input([_link([member])])
}

test_unknown_members_are_an_error if {
	link := object.union(_link([]), {"members": {"known": false, "list": []}})
	errs := access02.errors with input as _input([link])
	errs == {"channelLink l1: members of the conversation could not be read: not collected"}
}

test_not_applicable_without_links if {
	access02.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}
