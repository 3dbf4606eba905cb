# METADATA
# title: Users who create a team or channel from Collaborate hold a Teams licence
# description: >-
#   The FAQ requires a user who creates a team or channel from a record's Collaborate
#   experience to have Teams permissions. The creator of each channel link must hold an
#   enabled Teams service plan (TEAMS1); a creator without one points at a link made
#   outside the supported path or at a licence removed since.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: ACCESS-04
#   severity: medium
#   scope: batch
#   sources: [channelLinks, users, licences]
#   remediation: >-
#     Assign the user a licence with Microsoft Teams (service plan TEAMS1) in the Microsoft
#     365 admin centre (Users > Active users > the user > Licenses and apps), or have a
#     licensed user own the collaboration.
package teamschat.controls.access.access04

import data.teamschat.lib.links

not_applicable := "no channel is connected to a record through Collaborate" if input.tenant.counts.channelLinks == 0

_channel_links contains link if {
	some link in links.active_links
	link.kind == "channel"
}

_licence(link) := object.get(link, ["creator", "licence"], {})

_user(link) := object.get(link, ["creator", "systemUserId"], "")

findings contains finding if {
	some link in _channel_links
	_licence(link).known == true
	not _licence(link).teamsEnabled == true
	finding := {
		"resource": links.resource(link),
		"key": sprintf("creator:%s", [_user(link)]),
		"message": sprintf("channel link %s was created by %s, who has no enabled Teams licence", [
			object.get(link, "id", ""), _user(link),
		]),
		"evidence": {
			"creator": _user(link),
			"aadObjectId": object.get(link, ["creator", "aadObjectId"], ""),
			"teamsEnabled": object.get(_licence(link), "teamsEnabled", false),
			"accountEnabled": object.get(_licence(link), "accountEnabled", null),
		},
		"remediation": sprintf(
			concat(" ", [
				"Assign user %s a licence with Microsoft Teams (service plan TEAMS1) in the",
				"Microsoft 365 admin centre (Users > Active users > the user > Licenses and apps).",
			]),
			[object.get(link, ["creator", "aadObjectId"], _user(link))],
		),
	}
}

errors contains sprintf("channelLink %s: Teams licence of creator %q was not read%s", [
	object.get(link, "id", ""), _user(link), _why(_licence(link)),
]) if {
	some link in _channel_links
	not _licence(link).known == true
}

_why(licence) := sprintf(": %s", [licence.error]) if licence.error != ""

else := ""
