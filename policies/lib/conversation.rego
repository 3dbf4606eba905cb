# METADATA
# description: >-
#   The shapes of Teams conversation IDs. They are opaque beyond these shapes, so the
#   patterns check the prefix, the suffix and a plain identifier in between.
package teamschat.lib.conversation

# kind is "chat" or "channel" for a well-formed conversation ID, undefined otherwise.
kind(id) := "chat" if {
	is_string(id)
	some pattern in _chat_patterns
	regex.match(pattern, id)
}

kind(id) := "channel" if {
	is_string(id)
	regex.match(`^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$`, id)
}

_guid := `[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`

_chat_patterns := [
	# group chats, and meeting chats (19:meeting_<id>@thread.v2)
	`^19:[A-Za-z0-9_-]+@thread\.v2$`,
	# one-to-one chats: the two users' object ids
	sprintf(`^19:%s_%s@unq\.gbl\.spaces$`, [_guid, _guid]),
]
