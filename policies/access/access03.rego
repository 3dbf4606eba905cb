# METADATA
# title: The user who connected a chat or channel is an enabled Dynamics user who can read the record
# description: >-
#   A chat or channel is connected to a record by a Dynamics 365 user working on it. A link
#   made by a user who cannot read the record, or who is now disabled, points at a
#   connection that did not go through Dynamics security (an import, a script, a
#   customisation) or that nobody maintains any more.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: ACCESS-03
#   severity: high
#   scope: batch
#   sources: [chatLinks, channelLinks, users, access]
#   remediation: >-
#     Find out how the link was made. If the user should not have it, disconnect the chat
#     or channel from the record; if a disabled user's link is still needed, have an active
#     owner of the record connect it again.
package teamschat.controls.access.access03

import data.teamschat.lib.links

not_applicable := links.not_applicable_reason if input.tenant.counts.links == 0

_creator(link) := object.get(link, "creator", {})

_user(link) := object.get(_creator(link), "systemUserId", "")

findings contains _finding(link, "disabled", sprintf("connected by %s, a disabled Dynamics user", [_user(link)])) if {
	some link in links.active_links
	creator := _creator(link)
	creator.known == true
	creator.disabled == true
}

findings contains _finding(link, "no-read-access", sprintf("connected by %s, who cannot read %s %s", [
	_user(link), object.get(link, ["record", "table"], ""), object.get(link, ["record", "id"], ""),
])) if {
	some link in links.active_links
	creator := _creator(link)
	creator.known == true
	creator.access.known == true
	not "ReadAccess" in object.get(creator.access, "rights", [])
}

_finding(link, key, message) := {
	"resource": links.resource(link),
	"key": key,
	"message": message,
	"evidence": {
		"creator": _user(link),
		"disabled": object.get(_creator(link), "disabled", false),
		"rights": object.get(_creator(link), ["access", "rights"], []),
		"record": object.get(link, "record", {}),
	},
}

errors contains sprintf("%s %s: creator %q is not a known Dynamics user", [
	links.resource(link).type, object.get(link, "id", ""), _user(link),
]) if {
	some link in links.active_links
	object.get(link, ["creator", "known"], null) != true
}

errors contains sprintf("%s %s: access of creator %s to the record was not checked", [
	links.resource(link).type, object.get(link, "id", ""), _user(link),
]) if {
	some link in links.active_links
	creator := _creator(link)
	creator.known == true
	object.get(creator, ["access", "known"], null) != true
}
