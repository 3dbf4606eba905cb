# METADATA
# title: Guests and external members in connected chats and channels
# description: >-
#   A connected chat or channel shows the record's context to everyone in it. Guests and
#   members from other tenants cannot open the record (security roles still apply), but
#   they read the conversation about it. Each guest or external member of a conversation
#   connected to a record is listed, so that owners can check they belong there.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: ACCESS-05
#   severity: low
#   scope: batch
#   sources: [chatLinks, channelLinks, members]
#   remediation: >-
#     Ask the owner of the chat or channel whether the guest or external member should be in
#     a conversation connected to a record; remove them in Teams if not, or disconnect the
#     conversation from the record.
package teamschat.controls.access.access05

import data.teamschat.lib.links

not_applicable := links.not_applicable_reason if input.tenant.counts.links == 0

# _home is the home tenant's id, when it is one: a tenant id is a GUID, and anything else
# (empty, a domain name) would make every member look external.
_home := lower(input.tenant.tenantId) if regex.match(
	`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`,
	input.tenant.tenantId,
)

# _guests and _external are a link's guests and its members from another tenant. Each is
# one pass over the members with builtins alone, as most members are neither. Without the
# home tenant id nobody is external (errors says so).
_guests(members) := {member |
	some member in members
	"guest" in object.get(member, "roles", [])
}

_external(members) := {member |
	some member in members
	tenant := object.get(member, "tenantId", "")
	tenant != ""
	lower(tenant) != home
} if home := _home

else := set()

findings contains finding if {
	some link in links.active_links
	link.members.known == true
	members := links.members(link)
	guests := _guests(members)
	external := _external(members)
	some member in (guests | external)
	reasons := {"guest" | member in guests} | {"external" | member in external}
	finding := {
		"resource": links.resource(link),
		"key": sprintf("member:%s", [links.member_id(member)]),
		"message": sprintf("%s member %s is in the conversation connected to %s %s", [
			concat(" and ", sort(reasons)), links.member_id(member),
			object.get(link, ["record", "table"], ""), object.get(link, ["record", "id"], ""),
		]),
		"evidence": {
			"memberId": links.member_id(member),
			"reasons": sort(reasons),
			"roles": object.get(member, "roles", []),
			"tenantId": object.get(member, "tenantId", ""),
		},
	}
}

errors contains msg if some msg in links.members_errors

# Without the home tenant id an external member cannot be told from a local one.
errors contains concat("", [
	"the home tenant id is unknown or not a tenant id (a GUID), ",
	"so external members cannot be recognised",
]) if {
	not _home_known
	some link in links.active_links
	some member in links.members(link)
	object.get(member, "tenantId", "") != ""
}

_home_known if _home
