package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Dataverse rows keep the columns the controls use as typed fields and every other
// column in Extra, in the Web API's own JSON shape (flat, column name to value). A
// known column that arrives with an unexpected JSON type is kept in Extra as it came,
// so a schema change shows up in the evidence instead of failing the load. OData
// annotations (names with "@") are formatting, not data, and are dropped.

// Column is one column of a row that the model has no typed field for.
type Column struct {
	Name  string
	Value any
}

// ChatLink is a msdyn_teamschatassociation row: a record connected to a chat.
type ChatLink struct {
	ID             string
	Name           string
	ChatID         string
	RegardingID    string
	RegardingTable string
	RecordState    *int
	StateCode      *int
	CreatedOn      string
	CreatedBy      string
	Extra          []Column
}

// ChannelLink is a msdyn_teamscollaboration row: a record connected to a channel
// through Collaborate.
type ChannelLink struct {
	ID             string
	RegardingID    string
	RegardingTable string
	TeamID         string
	GroupID        string
	ChannelID      string
	ChannelName    string
	TeamName       string
	TeamSiteURL    string
	TenantID       string
	StateCode      *int
	CreatedOn      string
	CreatedBy      string
	Extra          []Column
}

// ChatActivity is a chat row of the optional Teams chat sync: it may hold the chat
// topic, never message text.
type ChatActivity struct {
	ID               string
	Subject          string
	Description      string
	AdditionalParams string
	TeamsChatID      string
	RegardingID      string
	StateCode        *int
	CreatedOn        string
	Extra            []Column
}

func (r *ChatLink) fields() []field {
	return []field{
		str("msdyn_teamschatassociationid", &r.ID),
		str("msdyn_teamschatassociationname", &r.Name),
		str("msdyn_teamschatid", &r.ChatID),
		str("msdyn_regardingobjectid", &r.RegardingID),
		str("msdyn_regardingobjectname", &r.RegardingTable),
		num("msdyn_entityrecordstate", &r.RecordState),
		num("statecode", &r.StateCode),
		str("createdon", &r.CreatedOn),
		str("_createdby_value", &r.CreatedBy),
	}
}

func (r *ChannelLink) fields() []field {
	return []field{
		str("msdyn_teamscollaborationid", &r.ID),
		str("regardingobjectid", &r.RegardingID),
		str("regardingobjecttypename", &r.RegardingTable),
		str("msdyn_teamid", &r.TeamID),
		str("msdyn_groupid", &r.GroupID),
		str("msdyn_channelid", &r.ChannelID),
		str("msdyn_channelname", &r.ChannelName),
		str("msdyn_teamname", &r.TeamName),
		str("msdyn_teamsiteurl", &r.TeamSiteURL),
		str("msdyn_tenantid", &r.TenantID),
		num("statecode", &r.StateCode),
		str("createdon", &r.CreatedOn),
		str("_createdby_value", &r.CreatedBy),
	}
}

func (r *ChatActivity) fields() []field {
	return []field{
		str("activityid", &r.ID),
		str("subject", &r.Subject),
		str("description", &r.Description),
		str("activityadditionalparams", &r.AdditionalParams),
		str("teamschatid", &r.TeamsChatID),
		str("_regardingobjectid_value", &r.RegardingID),
		num("statecode", &r.StateCode),
		str("createdon", &r.CreatedOn),
	}
}

// Columns returns every column of the row, typed and extra, by name. Empty typed
// columns are left out, as Dataverse leaves out nothing but a null is no text either.
func (r *ChatLink) Columns() map[string]any    { return columns(r.fields(), r.Extra) }
func (r *ChannelLink) Columns() map[string]any { return columns(r.fields(), r.Extra) }
func (r *ChatActivity) Columns() map[string]any {
	return columns(r.fields(), r.Extra)
}

// A row is written with every value that may be conversation text replaced by its
// digest (textdigest.go); an activity's description and parameters, which must hold no
// text at all, are always digested.
func (r ChatLink) MarshalJSON() ([]byte, error)    { return marshalRow(r.fields(), r.Extra) }
func (r ChannelLink) MarshalJSON() ([]byte, error) { return marshalRow(r.fields(), r.Extra) }
func (r ChatActivity) MarshalJSON() ([]byte, error) {
	return marshalRow(r.fields(), r.Extra, "description", "activityadditionalparams")
}

func (r *ChatLink) UnmarshalJSON(b []byte) (err error) {
	r.Extra, err = unmarshalRow(b, r.fields())
	return err
}

func (r *ChannelLink) UnmarshalJSON(b []byte) (err error) {
	r.Extra, err = unmarshalRow(b, r.fields())
	return err
}

func (r *ChatActivity) UnmarshalJSON(b []byte) (err error) {
	r.Extra, err = unmarshalRow(b, r.fields())
	return err
}

// field binds a column name to a typed destination: exactly one of s and n is set.
type field struct {
	name string
	s    *string
	n    **int
}

func str(name string, dst *string) field { return field{name: name, s: dst} }
func num(name string, dst **int) field   { return field{name: name, n: dst} }

func (f field) value() (any, bool) {
	if f.s != nil {
		return *f.s, *f.s != ""
	}
	if *f.n != nil {
		return **f.n, true
	}
	return nil, false
}

func columns(fields []field, extra []Column) map[string]any {
	out := make(map[string]any, len(fields)+len(extra))
	for _, f := range fields {
		if v, ok := f.value(); ok {
			out[f.name] = v
		}
	}
	for _, c := range extra {
		out[c.Name] = c.Value
	}
	return out
}

// marshalRow writes a row's columns, digesting the values that may be text: those of
// the named columns whenever they are not empty, those of other typed columns when they
// show signals of text, and free text in columns outside the model.
func marshalRow(fields []field, extra []Column, always ...string) ([]byte, error) {
	out := make(map[string]any, len(fields)+len(extra))
	for _, f := range fields {
		if v, ok := f.value(); ok {
			rule := withholdSignals
			if slices.Contains(always, f.name) {
				rule = withholdAny
			}
			out[f.name] = withhold(v, rule)
		}
	}
	for _, c := range extra {
		if IsTextDigest(c.Value) {
			out[c.Name] = c.Value
			continue
		}
		out[c.Name] = withhold(c.Value, withholdText)
	}
	return json.Marshal(out)
}

func unmarshalRow(b []byte, fields []field) ([]Column, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	for _, f := range fields {
		v, ok := raw[f.name]
		if !ok {
			continue
		}
		if decodeTyped(f, v) {
			delete(raw, f.name)
		}
	}
	var extra []Column
	for name, v := range raw {
		if strings.Contains(name, "@") {
			continue
		}
		val, err := columnValue(v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		extra = append(extra, Column{Name: name, Value: val})
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	return extra, nil
}

// columnValue decodes the value of a column outside the model, keeping numbers as
// numberValue does. Most values are plain strings and numbers, which are read directly;
// the rest go through a decoder. v must be one well-formed JSON value with no space
// around it, as json.RawMessage from a decoder is.
func columnValue(v json.RawMessage) (any, error) {
	if s, ok := plainString(v); ok {
		return s, nil
	}
	if len(v) > 0 && (v[0] == '-' || '0' <= v[0] && v[0] <= '9') {
		return numberValue(json.Number(v)), nil
	}
	var val any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&val); err != nil {
		return nil, err
	}
	if n, ok := val.(json.Number); ok {
		return numberValue(n), nil
	}
	return val, nil
}

// plainString reads a JSON string with no escapes and only valid UTF-8, whose text is
// its bytes between the quotes; ok is false for any other value, which needs a decoder.
func plainString(v []byte) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') >= 0 || !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// decodeTyped stores v in f when its JSON type fits, and reports whether it did.
// A null fits every field and leaves it empty.
func decodeTyped(f field, v json.RawMessage) bool {
	if string(v) == "null" {
		return true
	}
	if f.s != nil {
		if s, ok := plainString(v); ok {
			*f.s = s
			return true
		}
		return json.Unmarshal(v, f.s) == nil
	}
	var n int
	if json.Unmarshal(v, &n) != nil {
		return false
	}
	*f.n = &n
	return true
}

// numberValue keeps integers as int64 and other numbers as float64; a number neither
// holds (1e400) stays as written, so that the snapshot can still be saved.
func numberValue(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	if f, err := n.Float64(); err == nil {
		return f
	}
	return n
}
