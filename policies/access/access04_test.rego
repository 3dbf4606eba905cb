package teamschat.controls.access.access04_test

import data.teamschat.controls.access.access04

_link(kind, licence) := {
	"kind": kind, "id": "l1", "name": "General", "active": true,
	"creator": {"systemUserId": "su-1", "known": true, "aadObjectId": "aad-1", "licence": licence},
}

_input(links) := {"tenant": {"counts": {"links": count(links), "channelLinks": count(links)}}, "links": links}

test_licensed_creator_passes if {
	count(access04.findings) == 0 with input as _input([_link("channel", {"known": true, "teamsEnabled": true})])
}

test_unlicensed_creator if {
	found := access04.findings with input as _input([_link("channel", {"known": true, "teamsEnabled": false})])
	{f.key | some f in found} == {"creator:su-1"}
	some f in found
	contains(f.remediation, "aad-1")
}

test_missing_teams_flag_is_a_finding if {
	found := access04.findings with input as _input([_link("channel", {"known": true})])
	count(found) == 1
}

test_chat_links_are_not_judged if {
	count(access04.findings) == 0 with input as _input([_link("chat", {"known": true, "teamsEnabled": false})])
}

test_unread_licence_is_an_error if {
	link := _link("channel", {"known": false, "error": "user not found"})
	errs := access04.errors with input as _input([link])
	errs == {`channelLink l1: Teams licence of creator "su-1" was not read: user not found`}
}

test_missing_licence_is_an_error if {
	link := object.remove(_link("channel", {}), ["creator"])
	access04.errors == {`channelLink l1: Teams licence of creator "" was not read`} with input as _input([link])
}

test_not_applicable_without_channel_links if {
	reason := access04.not_applicable with input as {"tenant": {"counts": {"links": 3, "channelLinks": 0}}}
	reason == "no channel is connected to a record through Collaborate"
}
