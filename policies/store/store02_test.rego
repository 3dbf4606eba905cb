package teamschat.controls.store.store02_test

import data.teamschat.controls.store.store02

_chat_id := "19:b8577894a63548969c5c92bb9c80c5e1@thread.v2"

_link(columns) := {
	"kind": "chat", "table": "msdyn_teamschatassociation", "id": "l1", "name": "n",
	"conversationId": _chat_id, "conversationColumn": "msdyn_teamschatid",
	"columns": object.union(
		{
			"msdyn_teamschatid": _chat_id,
			"msdyn_teamschatassociationname": "Contoso deal",
			"msdyn_regardingobjectid": "6f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
			"msdyn_regardingobjectname": "account",
			"statecode": 0, "versionnumber": 1234, "modifiedon": "2026-11-02T10:00:00Z",
		},
		columns,
	),
}

_input(links) := {"tenant": {"counts": {"links": count(links)}}, "links": links}

_keys(found) := {[f.key, f.evidence.signals] | some f in found}

test_identifiers_and_names_pass if {
	count(store02.findings) == 0 with input as _input([_link({})])
}

# Unknown columns holding ids, numbers, booleans, dates or null are not text.
test_unknown_scalar_columns_pass if {
	columns := {
		"new_guid": "6F0E1C2A-3B4D-4E5F-8A9B-0C1D2E3F4A5B", "new_count": 3, "new_ratio": "0.5",
		"new_flag": true, "new_flagtext": "false", "new_when": "2026-11-02T10:00:00.123Z",
		"new_empty": null, "new_blank": " ",
	}
	count(store02.findings) == 0 with input as _input([_link(columns)])
}

test_markup_in_known_column if {
	found := store02.findings with input as _input([_link({"msdyn_teamschatassociationname": "<p>hi</p>"})])
	_keys(found) == {["msdyn_teamschatassociationname", ["markup"]]}
}

test_entity_is_markup if {
	found := store02.findings with input as _input([_link({"msdyn_teamschatassociationname": "Tom &amp; Jerry"})])
	_keys(found) == {["msdyn_teamschatassociationname", ["markup"]]}
}

test_line_break_and_long_text if {
	long := concat("", [x | some _ in numbers.range(1, 300); x := "a"])
	columns := {"msdyn_regardingobjectname": concat("\n", ["a", "b"]), "msdyn_teamschatassociationname": long}
	found := store02.findings with input as _input([_link(columns)])
	_keys(found) == {["msdyn_regardingobjectname", ["line-break"]], ["msdyn_teamschatassociationname", ["long-text"]]}
}

test_free_text_in_unknown_column if {
	found := store02.findings with input as _input([_link({"new_notes": "call me later"})])
	_keys(found) == {["new_notes", ["unknown-column"]]}
	some f in found
	f.evidence.sha256 == substring(crypto.sha256("call me later"), 0, 12)
	f.evidence.length == 13
	not contains(f.message, "call me")
	contains(f.remediation, "msdyn_teamschatassociations(l1)")
}

test_object_in_unknown_column_is_text if {
	found := store02.findings with input as _input([_link({"new_blob": {"body": "hello"}})])
	_keys(found) == {["new_blob", ["unknown-column"]]}
}

test_system_columns_are_known if {
	columns := {"_ownerid_value": "owner", "overriddencreatedon": "x y", "statuscode": "Active"}
	count(store02.findings) == 0 with input as _input([_link(columns)])
}

# A link whose table is missing has no known columns: every free text column is unknown.
test_missing_table_is_not_a_pass if {
	link := object.remove(_link({}), ["table"])
	found := store02.findings with input as _input([link])
	{f.key | some f in found} == {"msdyn_teamschatassociationname", "msdyn_regardingobjectname"}
}

test_max_length_comes_from_data if {
	found := store02.findings with input as _input([_link({})])
		with data.teamschat.config.maxFreeTextLength as 5
	{f.key | some f in found} == {
		"msdyn_teamschatassociationname", "msdyn_regardingobjectid",
		"msdyn_regardingobjectname", "modifiedon",
	}
}

test_not_applicable_without_links if {
	store02.not_applicable == "no chat or channel is connected to a record" with input as _input([])
}

# A snapshot holds a digest where a column held text: judged by what the digest kept.
_digest(length, signals) := {"$text": {"length": length, "sha256": "0123456789ab", "signals": signals}}

test_digest_with_markup_is_found if {
	found := store02.findings with input as _input([_link({"msdyn_teamschatassociationname": _digest(40, ["markup"])})])
	_keys(found) == {["msdyn_teamschatassociationname", ["markup"]]}
	some f in found
	f.evidence.length == 40
	f.evidence.sha256 == "0123456789ab"
}

test_long_digest_is_long_text if {
	found := store02.findings with input as _input([_link({"msdyn_teamschatassociationname": _digest(300, [])})])
	_keys(found) == {["msdyn_teamschatassociationname", ["long-text"]]}
}

test_plain_digest_in_known_column_passes if {
	count(store02.findings) == 0 with input as _input([_link({"msdyn_teamschatassociationname": _digest(300, [])})])
		with data.teamschat.config.maxFreeTextLength as 1000
}

test_digest_in_unknown_column_is_text if {
	found := store02.findings with input as _input([_link({"cr1a2_notes": _digest(5, [])})])
	_keys(found) == {["cr1a2_notes", ["unknown-column"]]}
}
