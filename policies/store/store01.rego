# METADATA
# title: Link rows hold a well-formed conversation ID of the right kind
# description: >-
#   Dynamics 365 stores only the conversation ID in the link between a record and a chat
#   or channel. The ID column must hold a Teams ID of the link's kind: a chat ID
#   (19:...@thread.v2, 19:meeting_...@thread.v2, 19:<id>_<id>@unq.gbl.spaces) for a chat
#   link, a channel ID (19:...@thread.tacv2 or @thread.skype) for a channel link. Anything
#   else is reported by length and hash only, as a malformed value may be conversation text.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: STORE-01
#   severity: high
#   scope: batch
#   sources: [chatLinks, channelLinks]
#   remediation: >-
#     Find what wrote the value (a customisation, plug-in, flow or data import on the link
#     table), then disconnect the chat or channel from the record in Dynamics 365 and
#     connect it again so that the integration writes a proper ID.
package teamschat.controls.store.store01

import data.teamschat.lib.conversation
import data.teamschat.lib.links
import data.teamschat.lib.text

not_applicable := links.not_applicable_reason if input.tenant.counts.links == 0

_default_column := {"chat": "msdyn_teamschatid", "channel": "msdyn_channelid"}

findings contains finding if {
	some link in input.links
	value := object.get(link, "conversationId", "")
	expected := object.get(link, "kind", "")
	not _well_formed(value, expected)
	column := object.get(link, "conversationColumn", object.get(_default_column, expected, ""))
	found := _found(value)
	finding := {
		"resource": links.resource(link),
		"key": column,
		"message": sprintf("%s of %s link %s %s", [
			column, _kind(expected), object.get(link, "id", ""), _problem(found, expected),
		]),
		"evidence": object.union(text.describe(column, value), object.union(
			{"expectedKind": _kind(expected), "foundKind": found},
			_echo(value, found),
		)),
	}
}

_well_formed(value, expected) if conversation.kind(value) == expected

# _found is the kind of ID a value is, or why it is none.
_found(value) := conversation.kind(value)

_found(value) := "empty" if value == ""

_found(value) := "malformed" if {
	value != ""
	not conversation.kind(value)
}

# _echo repeats a value only when it is a well-formed ID, which carries no text.
_echo(value, found) := {"conversationId": value} if found in {"chat", "channel"}

_echo(_, found) := {} if not found in {"chat", "channel"}

_kind(expected) := expected if expected != ""

_kind("") := "unknown-kind"

_problem("empty", _) := "is empty"

_problem("malformed", expected) := sprintf("is not a well-formed %s ID", [_kind(expected)])

_problem(found, expected) := sprintf("holds a %s ID, not a %s ID", [found, _kind(expected)]) if {
	found in {"chat", "channel"}
}
