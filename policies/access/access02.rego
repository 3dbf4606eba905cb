# METADATA
# title: Members who cannot read the linked record (observation)
# description: >-
#   Dynamics security roles supersede chat and channel membership, so a member of a
#   connected conversation who cannot read the record (no ReadAccess, or not a Dynamics
#   user at all) sees the chat but not the record. That is how the integration is meant to
#   work; this control lists such members per link so that owners know who is in the
#   conversation without access, and does not fail.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: ACCESS-02
#   severity: info
#   scope: batch
#   observation: true
#   sources: [chatLinks, channelLinks, members, users, access]
#   remediation: >-
#     Nothing to fix by default. If a member should work with the record, give them a
#     security role or team membership that grants read access; do not share the record
#     because of the chat.
package teamschat.controls.access.access02

import data.teamschat.lib.links

not_applicable := links.not_applicable_reason if input.tenant.counts.links == 0

# _without_read are [member, reason] for the members of a link who cannot read its record.
# It is a function of one link, so that listing them per link costs the link's members
# rather than every pair of links and members in the batch.
_without_read(link) := {[member, reason] |
	link.members.known == true
	some member in links.members(link)
	reason := _reason(member)
}

_reason(member) := "not a Dynamics user" if not member.dynamicsUser == true

_reason(member) := "no ReadAccess" if {
	member.dynamicsUser == true
	member.access.known == true
	not "ReadAccess" in object.get(member.access, "rights", [])
}

findings contains finding if {
	some link in links.active_links
	members := [{
		"memberId": links.member_id(member),
		"systemUserId": object.get(member, "systemUserId", ""),
		"reason": reason,
	} |
		some [member, reason] in _without_read(link)
	]
	count(members) > 0
	finding := {
		"resource": links.resource(link),
		"key": "members-without-read",
		"message": sprintf("%d member(s) of the conversation cannot read %s %s", [
			count(members), object.get(link, ["record", "table"], ""), object.get(link, ["record", "id"], ""),
		]),
		"evidence": {"members": sort(members), "record": object.get(link, "record", {})},
	}
}

errors contains msg if some msg in links.members_errors

errors contains sprintf("%s %s: access of member %s to the record was not checked%s", [
	links.resource(link).type, object.get(link, "id", ""), links.member_id(member), _why(member),
]) if {
	some link in links.active_links
	link.members.known == true
	some member in links.members(link)
	member.dynamicsUser == true
	not member.access.known == true
}

_why(member) := sprintf(": %s", [member.access.error]) if member.access.error != ""

else := ""
