# METADATA
# description: >-
#   Tells conversation-like text from identifiers, and describes a value without
#   repeating it: findings name a column, a length and a hash prefix, never the text.
#   A value may be a text digest ({"$text": {length, sha256, signals, keys}}): what a
#   snapshot holds in place of text (docs/snapshot.md). A digest is judged by the facts
#   it keeps, and is always free text.
package teamschat.lib.text

# is_digest holds for a text digest.
is_digest(value) if is_object(value["$text"])

# describe names a digest by the length and hash it keeps.
describe(column, value) := {
	"column": column,
	"length": object.get(value["$text"], "length", 0),
	"sha256": object.get(value["$text"], "sha256", ""),
} if {
	is_digest(value)
}

# describe names a value by its column, length and the first 12 hex characters of its
# SHA-256, so that two reports can be compared without either holding the text.
describe(column, value) := {
	"column": column,
	"length": count(s),
	"sha256": substring(crypto.sha256(s), 0, 12),
} if {
	not is_digest(value)
	s := _as_string(value)
}

_as_string(value) := value if is_string(value)

_as_string(value) := json.marshal(value) if not is_string(value)

# signals are the reasons one string looks like conversation text.
signals(s) := {sig |
	some sig in ["markup", "line-break", "long-text"]
	_has(sig, s)
}

# A tag or an HTML entity: Teams message bodies are HTML. The plain contains checks skip
# the regular expressions for the many values that cannot match them.
_has("markup", s) if {
	contains(s, "<")
	regex.match(`<[A-Za-z/!?][^<>]*>`, s)
}

_has("markup", s) if {
	contains(s, "&")
	regex.match(`&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`, s)
}

_has("line-break", s) if {
	some c in ["\r", "\n", "\u2028", "\u2029"]
	contains(s, c)
}

_has("long-text", s) if count(s) > max_free_text_length

# max_free_text_length falls back to 256 so that a data override that drops the key
# cannot switch the check off.
default max_free_text_length := 256

max_free_text_length := data.teamschat.config.maxFreeTextLength

# value_signals are the signals of every string inside a value: a string itself, or the
# string leaves of an object or array, or what a digest kept. Strings, by far the most
# common, skip the walk.
value_signals(value) := signals(value) if is_string(value)

value_signals(value) := digest_signals(value) if is_digest(value)

value_signals(value) := {sig |
	walk(value, [_, leaf])
	is_string(leaf)
	some sig in signals(leaf)
} if {
	not is_string(value)
	not is_digest(value)
}

# digest_signals are the signals a digest kept, and long-text judged from its length
# against the limit in force.
digest_signals(value) := {sig | some sig in object.get(value["$text"], "signals", [])} | _digest_long(value)

_digest_long(value) := {"long-text"} if {
	value["$text"].length > max_free_text_length
} else := set()

# digest_keys are the object keys under which the digested JSON value held text, lower
# case; empty for a digest of plain text.
digest_keys(value) := {lower(key) | some key in object.get(value["$text"], "keys", [])}

# is_text holds for a value that may carry free text: a string that is not blank and not
# an identifier, number, boolean or date, or an object or array holding such a string.
is_text(value) if {
	is_string(value)
	_free_string(value)
}

is_text(value) if is_digest(value)

is_text(value) if {
	not is_string(value)
	not is_digest(value)
	walk(value, [_, leaf])
	is_string(leaf)
	_free_string(leaf)
}

_free_string(s) if {
	trim_space(s) != ""
	not _scalar_string(s)
}

_scalar_string(s) if regex.match(_guid_pattern, s)

# A GUID, with or without braces.
_guid_pattern := concat("", [
	`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-`,
	`[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`,
])

_scalar_string(s) if regex.match(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`, s)

_scalar_string(s) if lower(s) in {"true", "false"}

_scalar_string(s) if regex.match(
	`^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$`,
	s,
)
