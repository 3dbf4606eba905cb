package teamschat.controls.access.access01_test

import data.teamschat.controls.access.access01

_share(id, mask, inherited, changed) := {
	"id": id, "principalId": "su-1", "principalType": "systemuser",
	"accessMask": mask, "inheritedMask": inherited, "changedOn": changed, "objectTypeCode": "account",
}

_member(shares) := {
	"id": "m-1", "userId": "aad-1", "roles": ["owner"], "tenantId": "tenant-1",
	"dynamicsUser": true, "systemUserId": "su-1",
	"access": {"known": true, "rights": ["ReadAccess"]}, "shares": shares,
}

_link(members) := {
	"kind": "chat", "table": "msdyn_teamschatassociation", "id": "l1", "name": "n",
	"record": {"id": "rec-1", "table": "account"}, "active": true,
	"createdOn": "2026-11-02T10:00:00Z",
	"members": {"known": true, "list": members},
}

_input(links) := {"tenant": {"tenantId": "tenant-1", "counts": {"links": count(links)}}, "links": links}

test_no_shares_pass if {
	count(access01.findings) == 0 with input as _input([_link([_member([])])])
	count(access01.errors) == 0 with input as _input([_link([_member([])])])
}

test_share_at_link_time_fails if {
	found := access01.findings with input as _input([_link([_member([_share("s1", 1, 0, "2026-11-02T10:03:00Z")])])])
	{f.key | some f in found} == {"share:s1"}
	some f in found
	f.evidence.memberId == "aad-1"
	contains(f.remediation, "RevokeAccess")
	contains(f.remediation, `"accountid": "rec-1"`)
	contains(f.remediation, `"systemuserid": "su-1"`)
}

test_window_edges if {
	shares := [
		_share("before-skew", 1, 0, "2026-11-02T09:59:30Z"),
		_share("too-early", 1, 0, "2026-11-02T09:58:00Z"),
		_share("at-window-end", 1, 0, "2026-11-02T10:10:00Z"),
		_share("too-late", 1, 0, "2026-11-02T10:10:01Z"),
	]
	found := access01.findings with input as _input([_link([_member(shares)])])
	{f.key | some f in found} == {"share:before-skew", "share:at-window-end"}
}

test_window_comes_from_data if {
	shares := [_share("s1", 1, 0, "2026-11-02T10:30:00Z")]
	found := access01.findings with input as _input([_link([_member(shares)])])
		with data.teamschat.config.shareWindowMinutes as 60
	count(found) == 1
}

test_inherited_only_is_not_a_share if {
	shares := [_share("s1", 0, 1, "2026-11-02T10:01:00Z")]
	count(access01.findings) == 0 with input as _input([_link([_member(shares)])])
}

test_inactive_link_is_skipped if {
	link := object.union(_link([_member([_share("s1", 1, 0, "2026-11-02T10:01:00Z")])]), {"active": false})
	count(access01.findings) == 0 with input as _input([link])
}

test_unknown_members_are_an_error if {
	link := object.union(_link([]), {"members": {"known": false, "error": "403 forbidden", "list": []}})
	errs := access01.errors with input as _input([link])
	errs == {"chatLink l1: members of the conversation could not be read: 403 forbidden"}
}

test_missing_members_is_an_error if {
	link := object.remove(_link([]), ["members"])
	count(access01.errors) == 1 with input as _input([link])
}

test_bad_link_time_is_an_error if {
	link := object.union(_link([_member([_share("s1", 1, 0, "2026-11-02T10:01:00Z")])]), {"createdOn": "yesterday"})
	errs := access01.errors with input as _input([link])
	errs == {"chatLink l1: createdOn is missing or not an RFC 3339 time, so shares cannot be dated"}
}

test_bad_share_time_is_an_error if {
	link := _link([_member([_share("s1", 1, 0, "")])])
	errs := access01.errors with input as _input([link])
	errs == {"share s1 on chatLink l1: changedOn is missing or not an RFC 3339 time"}
}

test_missing_mask_is_an_error if {
	share := object.remove(_share("s1", 1, 0, "2026-11-02T10:01:00Z"), ["accessMask"])
	errs := access01.errors with input as _input([_link([_member([share])])])
	errs == {"share s1 on chatLink l1: accessMask is missing or not a number"}
}

test_not_applicable_without_links if {
	access01.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}
