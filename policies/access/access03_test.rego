package teamschat.controls.access.access03_test

import data.teamschat.controls.access.access03

_creator := {
	"systemUserId": "su-1", "known": true, "name": "A", "aadObjectId": "aad-1", "disabled": false,
	"access": {"known": true, "rights": ["ReadAccess"]},
}

_link(creator) := {
	"kind": "chat", "table": "msdyn_teamschatassociation", "id": "l1", "name": "n",
	"record": {"id": "rec-1", "table": "account"}, "active": true, "creator": creator,
}

_input(links) := {"tenant": {"counts": {"links": count(links)}}, "links": links}

test_enabled_reader_passes if {
	count(access03.findings) == 0 with input as _input([_link(_creator)])
	count(access03.errors) == 0 with input as _input([_link(_creator)])
}

test_disabled_creator if {
	found := access03.findings with input as _input([_link(object.union(_creator, {"disabled": true}))])
	{f.key | some f in found} == {"disabled"}
}

test_creator_without_read if {
	creator := object.union(_creator, {"access": {"known": true, "rights": ["WriteAccess"]}})
	found := access03.findings with input as _input([_link(creator)])
	{f.key | some f in found} == {"no-read-access"}
	some f in found
	f.evidence.rights == ["WriteAccess"]
}

test_unknown_creator_is_an_error if {
	creator := {"systemUserId": "su-9", "known": false, "access": {"known": false, "rights": []}}
	access03.errors == {`chatLink l1: creator "su-9" is not a known Dynamics user`} with input as _input([_link(creator)])
	count(access03.findings) == 0 with input as _input([_link(creator)])
}

test_missing_creator_is_an_error if {
	link := object.remove(_link(_creator), ["creator"])
	access03.errors == {`chatLink l1: creator "" is not a known Dynamics user`} with input as _input([link])
}

test_unchecked_access_is_an_error if {
	creator := object.remove(_creator, ["access"])
	errs := access03.errors with input as _input([_link(creator)])
	errs == {"chatLink l1: access of creator su-1 to the record was not checked"}
}

test_inactive_link_is_skipped if {
	link := object.union(_link(object.union(_creator, {"disabled": true})), {"active": false})
	count(access03.findings) == 0 with input as _input([link])
}

test_not_applicable_without_links if {
	access03.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}
