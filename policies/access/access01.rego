# METADATA
# title: Connecting a chat or channel never granted its members access to the record
# description: >-
#   The FAQ says connecting a chat or channel to a record does not give its members access
#   to the record: Dynamics security roles decide. An explicit share (principalobjectaccess
#   with a non-zero accessrightsmask; inherited-only rows are not shares) given to a member
#   of the conversation at, or within the share window after, the moment the link was made
#   suggests a customisation that shares records with chat members. A minute before the
#   link counts as "at", as the clocks of Teams and Dataverse differ.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: ACCESS-01
#   severity: critical
#   scope: batch
#   sources: [chatLinks, channelLinks, members, users, shares]
#   remediation: >-
#     Find the plug-in or flow that shares records when a chat or channel is connected and
#     turn it off; revoke the shares it made with the RevokeAccess action
#     (POST [org]/api/data/v9.2/RevokeAccess with Target and Revokee).
package teamschat.controls.access.access01

import data.teamschat.lib.links

not_applicable := links.not_applicable_reason if input.tenant.counts.links == 0

_minute_ns := 60 * 1000000000

default _window_minutes := 10

_window_minutes := data.teamschat.config.shareWindowMinutes

default _skew_minutes := 1

_skew_minutes := data.teamschat.config.clockSkewMinutes

# _ns parses an RFC 3339 time; the shape is checked first so that a malformed value is
# undefined (and reported as an error) even where built-in errors are raised.
_ns(value) := time.parse_rfc3339_ns(value) if {
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$`, value)
}

# _member_shares are the explicit shares each member of an active, readable link holds.
_member_shares contains [link, member, share] if {
	some link in links.active_links
	link.members.known == true
	some member in links.members(link)
	some share in object.get(member, "shares", [])
}

findings contains finding if {
	some [link, member, share] in _member_shares
	share.accessMask != 0
	linked := _ns(link.createdOn)
	shared := _ns(share.changedOn)
	shared >= linked - (_skew_minutes * _minute_ns)
	shared <= linked + (_window_minutes * _minute_ns)
	user := object.get(member, "systemUserId", "")
	finding := {
		"resource": links.resource(link),
		"key": sprintf("share:%s", [object.get(share, "id", links.member_id(member))]),
		"message": sprintf("member %s got an explicit share (mask %d) on %s %s %d s after the link was made", [
			links.member_id(member), share.accessMask, object.get(link, ["record", "table"], ""),
			object.get(link, ["record", "id"], ""), round((shared - linked) / 1000000000),
		]),
		"evidence": {
			"memberId": links.member_id(member),
			"systemUserId": user,
			"shareId": object.get(share, "id", ""),
			"accessMask": share.accessMask,
			"changedOn": share.changedOn,
			"linkCreatedOn": link.createdOn,
			"record": object.get(link, "record", {}),
		},
		"remediation": sprintf(
			concat(" ", [
				"Find what shared the record with chat members and stop it, then revoke the share:",
				"POST [org]/api/data/v9.2/RevokeAccess with body {\"Target\": %s, \"Revokee\":",
				"{\"@odata.type\": \"Microsoft.Dynamics.CRM.systemuser\", \"systemuserid\": \"%s\"}}.",
			]),
			[links.record_target(link), user],
		),
	}
}

errors contains msg if some msg in links.members_errors

errors contains sprintf("%s %s: createdOn is missing or not an RFC 3339 time, so shares cannot be dated", [
	links.resource(link).type, object.get(link, "id", ""),
]) if {
	some link in links.active_links
	not _ns(object.get(link, "createdOn", null))
}

errors contains sprintf("share %s on %s %s: accessMask is missing or not a number", [
	object.get(share, "id", ""), links.resource(link).type, object.get(link, "id", ""),
]) if {
	some [link, _, share] in _member_shares
	not is_number(object.get(share, "accessMask", null))
}

errors contains sprintf("share %s on %s %s: changedOn is missing or not an RFC 3339 time", [
	object.get(share, "id", ""), links.resource(link).type, object.get(link, "id", ""),
]) if {
	some [link, _, share] in _member_shares
	share.accessMask != 0
	not _ns(object.get(share, "changedOn", null))
}
