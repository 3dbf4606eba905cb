# METADATA
# title: Users do not rely on the integration on mobile devices
# description: >-
#   The FAQ states that the Teams chat integration is not supported on mobile devices: the
#   Teams chats pane of a record and connecting chats work in Dynamics 365 in a desktop or
#   web browser only. No tenant setting records how people work, so a person checks it.
#   How to check: in the Teams admin centre (Analytics & reports > Usage reports > Teams
#   device usage) and in Power Platform admin centre analytics for the Dynamics 365 app,
#   see how many users work on iOS or Android; ask sales and service leads whether teams
#   expect to see or connect record chats from the mobile apps.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: PLATFORM-01
#   severity: info
#   scope: tenant
#   manual: true
#   sources: []
#   remediation: >-
#     Tell users that connected chats are available only in Dynamics 365 on desktop and web,
#     not in the mobile apps; put it in the rollout notes and the help page of the
#     integration, and point mobile users to the Teams app for the conversation itself.
package teamschat.controls.platform.platform01

# guidance is what a person checks; the engine reports this control as manual from its
# metadata, so there are no findings to compute.
guidance := concat(" ", [
	"Check mobile use: Teams admin centre > Analytics & reports > Teams device usage, and",
	"Dynamics 365 usage by device; tell users that connected chats work on desktop and web only.",
])
