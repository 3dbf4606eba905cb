package teamschat.controls.store.store03_test

import data.teamschat.controls.store.store03

_row(id, columns) := {"id": id, "subject": "topic", "teamsChatId": "19:abc@thread.v2", "columns": columns}

_input(rows) := {"tenant": {"counts": {"chatSync": count(rows)}}, "chatSync": rows}

_keys(found) := {[f.resource.id, f.key, f.evidence.signals] | some f in found}

test_clean_rows_pass if {
	rows := [
		_row("a1", {"subject": "topic"}),
		_row("a2", {"description": "", "activityadditionalparams": `{"chatId": "19:abc@thread.v2", "count": 2}`}),
	]
	count(store03.findings) == 0 with input as _input(rows)
}

test_description_must_be_empty if {
	found := store03.findings with input as _input([_row("a1", {"description": "ok"})])
	_keys(found) == {["a1", "description", ["non-empty"]]}
	some f in found
	f.evidence.length == 2
	f.resource.name == ""
}

test_message_key_in_params if {
	params := `{"messages": [{"content": "lunch?"}]}`
	found := store03.findings with input as _input([_row("a1", {"activityadditionalparams": params})])
	_keys(found) == {["a1", "activityadditionalparams", ["message-json"]]}
}

test_markup_in_params_json_leaf if {
	params := `{"x": "<div>hello</div>"}`
	found := store03.findings with input as _input([_row("a1", {"activityadditionalparams": params})])
	_keys(found) == {["a1", "activityadditionalparams", ["markup"]]}
}

test_escaped_line_break_in_params if {
	params := `{"note": "a\nb"}`
	found := store03.findings with input as _input([_row("a1", {"activityadditionalparams": params})])
	_keys(found) == {["a1", "activityadditionalparams", ["line-break"]]}
}

test_plain_text_params if {
	found := store03.findings with input as _input([_row("a1", {"activityadditionalparams": "<p>hi</p>"})])
	_keys(found) == {["a1", "activityadditionalparams", ["markup"]]}
}

test_empty_message_key_passes if {
	count(store03.findings) == 0 with input as _input([_row("a1", {"activityadditionalparams": `{"body": ""}`})])
}

test_missing_columns_is_an_error if {
	row := object.remove(_row("a1", {}), ["columns"])
	store03.errors == {"chat activity a1: its columns were not collected"} with input as _input([row])
}

test_not_applicable_without_rows if {
	store03.not_applicable == "no Teams chat sync activities" with input as _input([])
}

# A snapshot always holds a digest for a non-empty description or parameters.
_digest(signals, keys) := {"$text": {"length": 30, "sha256": "0123456789ab", "signals": signals, "keys": keys}}

test_digest_of_clean_params_passes if {
	count(store03.findings) == 0 with input as _input([_row("a1", {"activityadditionalparams": _digest([], ["chatid"])})])
}

test_digest_of_params_with_message_key if {
	found := store03.findings with input as _input([_row("a1", {"activityadditionalparams": _digest([], ["messages", "content"])})])
	_keys(found) == {["a1", "activityadditionalparams", ["message-json"]]}
}

test_digest_of_description_is_non_empty if {
	found := store03.findings with input as _input([_row("a1", {"description": _digest(["line-break"], [])})])
	_keys(found) == {["a1", "description", ["line-break", "non-empty"]]}
}
