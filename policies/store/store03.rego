# METADATA
# title: Teams chat sync activities carry no conversation text
# description: >-
#   The optional Teams chat sync stores a chat as an activity with its topic and
#   participants, never its messages. The activity's description must stay empty, and
#   activityadditionalparams must not hold message bodies: markup, line breaks, long free
#   text, or JSON keys such as body, content, messages or text holding strings. Values
#   are reported by column, length and hash prefix only.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: STORE-03
#   severity: high
#   scope: batch
#   sources: [chatSync]
#   remediation: >-
#     Find the customisation that writes message text into chat activities (plug-in, flow
#     or integration), stop it, and clear the columns of the affected activities.
package teamschat.controls.store.store03

import data.teamschat.lib.text

not_applicable := "no Teams chat sync activities" if input.tenant.counts.chatSync == 0

findings contains _finding(row, "description", value, signals) if {
	some row in input.chatSync
	value := row.columns.description
	value != null
	value != ""
	signals := {"non-empty"} | text.value_signals(value)
}

findings contains _finding(row, "activityadditionalparams", value, signals) if {
	some row in input.chatSync
	value := row.columns.activityadditionalparams
	signals := _params_signals(value)
	count(signals) > 0
}

errors contains sprintf("chat activity %s: its columns were not collected", [object.get(row, "id", "")]) if {
	some row in input.chatSync
	not is_object(object.get(row, "columns", null))
}

# JSON parameters are judged by their string leaves and keys; anything else as a string.
# A digest kept the signals and keys of the leaves.
_params_signals(value) := text.value_signals(value) | _digest_message_keys(value) if {
	text.is_digest(value)
} else := text.value_signals(parsed) | _message_keys(parsed) if {
	is_string(value)
	json.is_valid(value)
	parsed := json.unmarshal(value)
	not is_string(parsed)
} else := text.value_signals(value)

# _message_keys flags a string held, at any depth, under a key that names a message.
_message_keys(parsed) := {"message-json"} if {
	walk(parsed, [path, leaf])
	is_string(leaf)
	leaf != ""
	some key in path
	is_string(key)
	lower(key) in _message_key_names
} else := set()

_digest_message_keys(value) := {"message-json"} if {
	some key in text.digest_keys(value)
	key in _message_key_names
} else := set()

_message_key_names := {lower(key) | some key in data.teamschat.config.messageKeys}

_finding(row, column, value, signals) := {
	"resource": {"type": "chatActivity", "id": object.get(row, "id", ""), "name": ""},
	"key": column,
	"message": sprintf("%s of chat activity %s looks like conversation text (%s)", [
		column, object.get(row, "id", ""), concat(", ", sort(signals)),
	]),
	"evidence": object.union(text.describe(column, value), {"signals": sort(signals)}),
	"remediation": sprintf(
		concat(" ", [
			"Find and stop what writes %s on chat activities, then clear it:",
			"PATCH [org]/api/data/v9.2/chats(%s) with body {\"%s\": null}.",
		]),
		[column, object.get(row, "id", ""), column],
	),
}
