# METADATA
# description: >-
#   Chat and channel links (input.links) as the link controls see them. Missing fields
#   count against the link: a link without "active" is judged as active, members that
#   are not known to be readable are an error.
package teamschat.lib.links

import data.teamschat.lib.text

# resource is a link as a finding resource. A link's name is chosen by whoever connects
# the chat, so a name that looks like conversation text (or that the snapshot withheld)
# is described, never repeated, as a finding describes any other text.
resource(link) := {
	"type": _type(link),
	"id": object.get(link, "id", ""),
	"name": _name(object.get(link, "name", "")),
}

_name(name) := name if {
	is_string(name)
	count(text.value_signals(name)) == 0
} else := sprintf("(name withheld: %d characters, sha256 %s)", [d.length, d.sha256]) if {
	d := text.describe("name", name)
}

_type(link) := "chatLink" if link.kind == "chat"

_type(link) := "channelLink" if link.kind == "channel"

_type(link) := "link" if not object.get(link, "kind", "") in {"chat", "channel"}

# active_links are the links of this batch that connect a record today: every link
# unless it is known to be inactive (disassociated or deactivated).
active_links contains link if {
	some link in input.links
	object.get(link, "active", true) != false
}

# members lists a link's members; empty when they are not known (see members_errors).
members(link) := object.get(link, ["members", "list"], [])

# members_errors say why the members of an active link cannot be judged, one per such
# link of this batch. The controls that judge members share them as their errors.
members_errors contains sprintf("%s %s: members of the conversation could not be read: %s", [
	_type(link), object.get(link, "id", ""),
	object.get(link, ["members", "error"], "not collected"),
]) if {
	some link in active_links
	not link.members.known == true
}

# member_id is a member's Entra object id, or its membership id when the former is absent.
member_id(member) := member.userId if _has_user_id(member)

member_id(member) := object.get(member, "id", "") if {
	not _has_user_id(member)
}

_has_user_id(member) if {
	is_string(member.userId)
	member.userId != ""
}

# record_target is the Dataverse Web API reference of a link's record, for remediation.
record_target(link) := sprintf(`{"@odata.type": "Microsoft.Dynamics.CRM.%s", "%sid": "%s"}`, [
	object.get(link, ["record", "table"], "{table}"),
	object.get(link, ["record", "table"], "{table}"),
	object.get(link, ["record", "id"], "{recordId}"),
])

not_applicable_reason := "no chat or channel is connected to a record"
