package teamschat.controls.platform.platform01_test

import data.teamschat.controls.platform.platform01

test_guidance_names_where_to_look if {
	contains(platform01.guidance, "Teams device usage")
	contains(platform01.guidance, "desktop and web only")
}

# A manual control decides nothing: it must not produce findings or errors of its own.
test_no_findings_or_errors if {
	not platform01.findings
	not platform01.errors
}
