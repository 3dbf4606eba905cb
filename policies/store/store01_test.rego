package teamschat.controls.store.store01_test

import data.teamschat.controls.store.store01

_chat(id, value) := {
	"kind": "chat", "id": id, "name": "n",
	"conversationId": value, "conversationColumn": "msdyn_teamschatid",
}

_channel(id, value) := {
	"kind": "channel", "id": id, "name": "n",
	"conversationId": value, "conversationColumn": "msdyn_channelid",
}

_input(links) := {"tenant": {"counts": {"links": count(links)}}, "links": links}

_group_chat := "19:b8577894a63548969c5c92bb9c80c5e1@thread.v2"

_one_to_one := "19:8b081ef6-4792-4def-b2c9-c363a1bf41d5_5f4b2a1c-0d4e-4a51-9a8e-2b7c1d3e4f50@unq.gbl.spaces"

_meeting := "19:meeting_MjdhNjM4YzUtYzExZi00OTFkLTkzZTAtNTVlNmZmMDhkNGU2@thread.v2"

_channel_id := "19:a1b2c3d4e5f60718293a4b5c6d7e8f90@thread.tacv2"

test_well_formed_ids_pass if {
	links := [
		_chat("l1", _group_chat), _chat("l2", _one_to_one), _chat("l3", _meeting),
		_channel("l4", _channel_id), _channel("l5", "19:abc123@thread.skype"),
	]
	count(store01.findings) == 0 with input as _input(links)
}

test_channel_id_in_chat_link if {
	found := store01.findings with input as _input([_chat("l1", _channel_id)])
	count(found) == 1
	some f in found
	f.key == "msdyn_teamschatid"
	f.evidence.expectedKind == "chat"
	f.evidence.foundKind == "channel"
	f.evidence.conversationId == _channel_id
}

test_chat_id_in_channel_link if {
	found := store01.findings with input as _input([_channel("l1", _group_chat)])
	{[f.key, f.evidence.foundKind] | some f in found} == {["msdyn_channelid", "chat"]}
}

# A malformed value may be message text: it is described, never repeated.
test_malformed_value_is_not_echoed if {
	value := "see you at <b>noon</b>"
	found := store01.findings with input as _input([_chat("l1", value)])
	count(found) == 1
	some f in found
	f.evidence == {
		"column": "msdyn_teamschatid", "length": count(value),
		"sha256": substring(crypto.sha256(value), 0, 12),
		"expectedKind": "chat", "foundKind": "malformed",
	}
	not contains(f.message, "noon")
}

test_whitespace_around_id_is_malformed if {
	found := store01.findings with input as _input([_chat("l1", concat("", [" ", _group_chat]))])
	{f.evidence.foundKind | some f in found} == {"malformed"}
}

test_empty_value if {
	found := store01.findings with input as _input([_chat("l1", "")])
	{f.evidence.foundKind | some f in found} == {"empty"}
}

test_missing_conversation_id_is_a_finding if {
	link := object.remove(_chat("l1", _group_chat), ["conversationId"])
	found := store01.findings with input as _input([link])
	{f.evidence.foundKind | some f in found} == {"empty"}
}

test_missing_kind_is_a_finding if {
	link := object.remove(_chat("l1", _group_chat), ["kind"])
	found := store01.findings with input as _input([link])
	{f.evidence.expectedKind | some f in found} == {"unknown-kind"}
}

test_not_applicable_without_links if {
	store01.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}

test_applicable_with_links if {
	not store01.not_applicable with input as _input([_chat("l1", _group_chat)])
}

test_withheld_id_is_malformed if {
	digest := {"$text": {"length": 90, "sha256": "0123456789ab", "signals": ["markup"]}}
	found := store01.findings with input as _input([_chat("l1", digest)])
	some f in found
	f.evidence.foundKind == "malformed"
	f.evidence.length == 90
	not f.evidence.conversationId
}
