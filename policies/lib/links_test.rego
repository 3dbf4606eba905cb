package teamschat.lib.links_test

import data.teamschat.lib.links

test_plain_name_is_kept if {
	links.resource({"kind": "chat", "id": "l1", "name": "Contoso deal"}).name == "Contoso deal"
}

test_text_in_name_is_withheld if {
	name := links.resource({"kind": "chat", "id": "l1", "name": "<p>see you</p>\nthanks"}).name
	startswith(name, "(name withheld: 21 characters, sha256 ")
	not contains(name, "see you")
}

test_digest_name_is_withheld if {
	digest := {"$text": {"length": 93, "sha256": "0123456789ab", "signals": ["markup"]}}
	name := links.resource({"kind": "channel", "id": "l1", "name": digest}).name
	name == "(name withheld: 93 characters, sha256 0123456789ab)"
}

test_missing_name_is_empty if {
	links.resource({"kind": "chat", "id": "l1"}).name == ""
}
