// Package yamlfile decodes the tool's YAML files (configuration, waivers) strictly and
// turns every problem into one line that names the file, the line and the key, so a
// person can fix a file written by hand without reading a stack of parser output.
package yamlfile

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Doc is a decoded file: it remembers where each key stands, so that checks made after
// decoding can still name a line.
type Doc struct {
	file    string
	entries []entry
}

// entry is one key of the file: its dotted path and where the key and its value stand.
type entry struct {
	path       string
	keyLine    int
	keyCol     int
	valueLine  int
	valueCol   int
	isMapEntry bool
}

// Decode decodes data into v. Unknown keys, duplicate keys, values of the wrong kind
// and syntax errors are errors of the form "FILE:LINE: KEY: what is wrong". check, when
// set, is called on every key before decoding, so a caller can reject keys (secrets)
// with a better message than "unknown".
func Decode(file string, data []byte, v any, check func(path, key string) error) (*Doc, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, describe(file, nil, err)
	}
	d := &Doc{file: file}
	for _, doc := range f.Docs {
		if doc.Body != nil {
			d.walk(doc.Body, "")
		}
	}
	if len(f.Docs) > 1 {
		return nil, fmt.Errorf("%s: holds %d YAML documents, expected one", file, len(f.Docs))
	}
	if check != nil {
		for _, e := range d.entries {
			if !e.isMapEntry {
				continue
			}
			if err := check(e.path, lastKey(e.path)); err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", file, e.keyLine, e.path, err)
			}
		}
	}
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		return nil, describe(file, d, err)
	}
	return d, nil
}

// Errorf makes an error about the key at path ("waivers[2].expires"). When the key is
// absent, it names the line of the closest enclosing key that is present.
func (d *Doc) Errorf(path, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: %s", d.file, d.Line(path), path, fmt.Sprintf(format, args...))
}

// Line is the line of the key at path, or of its closest present parent; 1 when none is.
func (d *Doc) Line(path string) int {
	for p := path; p != ""; p = parent(p) {
		for _, e := range d.entries {
			if e.path == p {
				return e.keyLine
			}
		}
	}
	return 1
}

// Has reports whether the file sets the key at path, even to an empty value.
func (d *Doc) Has(path string) bool {
	for _, e := range d.entries {
		if e.path == path {
			return true
		}
	}
	return false
}

// File is the name errors carry.
func (d *Doc) File() string { return d.file }

func (d *Doc) walk(n ast.Node, path string) {
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			d.walk(mv, path)
		}
	case *ast.MappingValueNode:
		key := n.Key.String()
		if s, ok := n.Key.(*ast.StringNode); ok {
			key = s.Value
		}
		p := key
		if path != "" {
			p = path + "." + key
		}
		kt, vt := n.Key.GetToken(), n.Value.GetToken()
		d.entries = append(d.entries, entry{path: p, isMapEntry: true,
			keyLine: kt.Position.Line, keyCol: kt.Position.Column,
			valueLine: vt.Position.Line, valueCol: vt.Position.Column})
		d.walk(n.Value, p)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			p := path + "[" + strconv.Itoa(i) + "]"
			t := v.GetToken()
			d.entries = append(d.entries, entry{path: p,
				keyLine: t.Position.Line, keyCol: t.Position.Column,
				valueLine: t.Position.Line, valueCol: t.Position.Column})
			d.walk(v, p)
		}
	case *ast.TagNode:
		d.walk(n.Value, path)
	case *ast.AnchorNode:
		d.walk(n.Value, path)
	}
}

// describe turns a parser or decoder error into one line.
func describe(file string, d *Doc, err error) error {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return fmt.Errorf("%s: %s", file, firstLine(err.Error()))
	}
	pos := ye.GetToken().Position
	var te *yaml.TypeError
	var ue *yaml.UnknownFieldError
	switch {
	case errors.As(err, &ue):
		key := d.keyAt(pos.Line, pos.Column)
		return fmt.Errorf("%s:%d: %s: unknown key", file, pos.Line, key)
	case errors.As(err, &te):
		key := d.valueAt(pos.Line, pos.Column)
		return fmt.Errorf("%s:%d: %s: expected %s", file, pos.Line, key, kind(te.DstType))
	}
	return fmt.Errorf("%s:%d: %s", file, pos.Line, ye.GetMessage())
}

func (d *Doc) keyAt(line, col int) string {
	if d != nil {
		for _, e := range d.entries {
			if e.keyLine == line && e.keyCol == col {
				return e.path
			}
		}
	}
	return "key"
}

func (d *Doc) valueAt(line, col int) string {
	if d != nil {
		// The innermost key whose value starts there is the one that is wrong.
		best := ""
		for _, e := range d.entries {
			if e.valueLine == line && e.valueCol == col && len(e.path) > len(best) {
				best = e.path
			}
		}
		if best != "" {
			return best
		}
	}
	return "value"
}

// kind says in words what a Go type expects.
func kind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping of keys"
	case reflect.Pointer:
		return kind(t.Elem())
	}
	return t.String()
}

func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func lastKey(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[i+1:]
	}
	return path
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
