# METADATA
# title: No other column of a link row carries conversation-like text
# description: >-
#   The FAQ says no conversation text is stored in Dynamics 365. Besides the conversation
#   ID, a link row holds identifiers, names and dates. A column with markup (tags, HTML
#   entities), line breaks or long free text, or a column outside the known schema that
#   holds free text, may be a message copied by a customisation. Values are reported by
#   column, length and hash prefix only.
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/dynamics365/sales/teams-integration/teams-chat-integration-faqs
# custom:
#   id: STORE-02
#   severity: high
#   scope: batch
#   sources: [chatLinks, channelLinks]
#   remediation: >-
#     Find the customisation that writes the column (plug-in, flow, form script or data
#     import on the link table), stop it, and clear the value. If the column is a new
#     system column from Microsoft, add it to knownColumns in the policy data.
package teamschat.controls.store.store02

import data.teamschat.lib.links
import data.teamschat.lib.text

not_applicable := links.not_applicable_reason if input.tenant.counts.links == 0

_entity_sets := {
	"msdyn_teamschatassociation": "msdyn_teamschatassociations",
	"msdyn_teamscollaboration": "msdyn_teamscollaborations",
}

findings contains finding if {
	some link in input.links
	columns := object.get(link, "columns", {})
	some column in (_candidates(link, columns) - {object.get(link, "conversationColumn", "")})
	value := columns[column]
	signals := text.value_signals(value) | _unknown(object.get(link, "table", null), column, value)
	count(signals) > 0
	table := object.get(link, "table", "")
	finding := {
		"resource": links.resource(link),
		"key": column,
		"message": sprintf("column %s of %s row %s looks like conversation text (%s)", [
			column, table, object.get(link, "id", ""), concat(", ", sort(signals)),
		]),
		"evidence": object.union(text.describe(column, value), {"signals": sort(signals), "table": table}),
		"remediation": sprintf(
			"Find and stop what writes %s on %s, then clear it: PATCH [org]/api/data/v9.2/%s(%s) with body {\"%s\": null}.",
			[column, table, object.get(_entity_sets, table, table), object.get(link, "id", ""), column],
		),
	}
}

# _candidates are the columns that can give a signal: those outside the known schema,
# strings holding a character text.signals looks for (markup or a line break), strings
# over the length limit, and objects and arrays (digests among them); numbers, booleans
# and null in a known column never give one. The columns are tested with builtins inside
# the comprehensions, and rules are looked up once per link outside them: a function
# call or a rule lookup per column costs more than the tests.
_candidates(link, columns) := candidates if {
	size_over := _size_over
	candidates := (_unknown_columns(object.get(link, "table", null), columns) | {column |
		some column, value in columns
		is_string(value)
		regex.match(`[<&\r\n\x{2028}\x{2029}]`, value)
	}) | {column |
		some column, value in columns
		limit := size_over[type_name(value)]
		count(value) > limit
	}
}

# _size_over is, by type, the size a value must exceed to be a candidate: the length limit
# for a string, -1 for an object or array so that every one is, none for a scalar.
_size_over := {"string": text.max_free_text_length, "object": -1, "array": -1, "set": -1}

_unknown_columns(table, columns) := object.keys(columns) - object.get(_known_columns, table, set())

# _unknown flags free text in a column the policy data does not list for the table.
_unknown(table, column, value) := {"unknown-column"} if {
	not _known(table, column)
	text.is_text(value)
} else := set()

_known(table, column) if column in _known_columns[table]

# _known_columns holds each table's known columns as a set, built once per evaluation
# rather than once per column.
_known_columns := {table: {column | some column in columns} |
	some table, columns in data.teamschat.config.knownColumns
}
