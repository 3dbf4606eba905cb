package audit

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"
)

// A snapshot is decoded key by key, and its arrays of rows element by element:
// json.Decoder.Decode buffers a whole top-level value, which for a million links would
// be gigabytes of text held beside the decoded rows. Keys match as encoding/json matches
// struct fields (ignoring case), unknown keys are skipped, and errors are the decoder's
// own, so describeJSONError words them as before.

func decodeSnapshot(jd *json.Decoder, s *Snapshot) error {
	d := &valueDecoder{Decoder: jd, strings: interner{}}
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
	case nil:
		return nil // a JSON null leaves the snapshot empty, as Decode does
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(tok), Type: reflect.TypeOf(*s)}
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		name, _ := tok.(string)
		d.scanned += quotedLen(name) // Token reads a key as a whole value
		if err := s.decodeKey(d, name); err != nil {
			return inField(unexpectedEOF(err), name)
		}
	}
	_, err = d.Token()
	return unexpectedEOF(err)
}

// decodeKey decodes the value of one top-level key into its field.
func (s *Snapshot) decodeKey(d *valueDecoder, name string) error {
	switch strings.ToLower(name) {
	case "chatlinks":
		return decodeRows(d, &s.ChatLinks)
	case "channellinks":
		return decodeRows(d, &s.ChannelLinks)
	case "chatsync":
		return decodeRows(d, &s.ChatSync)
	case "members":
		return decodeRows(d, &s.Members)
	case "access":
		return decodeRows(d, &s.Access)
	case "shares":
		return decodeRows(d, &s.Shares)
	case "users":
		return decodeRows(d, &s.Users)
	case "licences":
		return decodeRows(d, &s.Licences)
	case "schemaversion":
		return d.decodeValue(&s.SchemaVersion, true)
	case "collectedat":
		return d.decodeValue(&s.CollectedAt, true)
	case "tenant":
		return d.decodeValue(&s.Tenant, true)
	case "sources":
		return d.decodeValue(&s.Sources, true)
	case "integration":
		return d.decodeValue(&s.Integration, true)
	case "integrationmatchedby":
		return d.decodeValue(&s.IntegrationMatchedBy, true)
	case "resources":
		return d.decodeValue(&s.Resources, true)
	case "delegatedgrants":
		return d.decodeValue(&s.DelegatedGrants, true)
	case "approleassignments":
		return d.decodeValue(&s.AppRoleAssignments, true)
	}
	var skip json.RawMessage
	return d.decodeValue(&skip, true)
}

// decodeRows decodes a JSON array into dst. Like Decode, it replaces what dst held,
// leaves it nil for a JSON null and empty for [].
func decodeRows[T any](d *valueDecoder, dst *[]T) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
	case nil:
		d.scanned += int64(len("null")) // Token reads a literal as a whole value
		*dst = nil
		return nil
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(tok), Type: reflect.TypeOf(*dst)}
	}
	rows, err := decodeElements[T](d)
	if err != nil {
		return err
	}
	if _, err := d.Token(); err != nil {
		return err
	}
	*dst = rows
	return nil
}

// rowChunk is a run of array elements: their text, then the rows decoded from it.
type rowChunk[T any] struct {
	text []json.RawMessage
	rows []T
	err  error
	done chan struct{}
}

// chunkLen is the number of elements decoded together on one core.
const chunkLen = 256

// decodeElements decodes the elements of the array the decoder is in, up to its closing
// bracket. The decoder reads the text of one element after another; turning the text
// into rows, most of the work, runs on every core, a chunk of elements at a time. The
// rows are interned and kept in order, and the first error in the array wins, as if it
// had been read in one pass.
func decodeElements[T any](d *valueDecoder) ([]T, error) {
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *rowChunk[T], workers)
	inOrder := make(chan *rowChunk[T], 2*workers)
	stop := make(chan struct{})
	var readErr error
	var reading, decoding sync.WaitGroup
	for range workers {
		decoding.Go(func() {
			for c := range work {
				c.rows = make([]T, len(c.text))
				for i, text := range c.text {
					if c.err = json.Unmarshal(text, &c.rows[i]); c.err != nil {
						break
					}
				}
				c.text = nil
				close(c.done)
			}
		})
	}
	// The reader hands each chunk to the consumer before the workers, so the consumer
	// waits on chunks in array order. It stops early only when the consumer has stopped.
	reading.Go(func() {
		defer close(inOrder)
		defer close(work)
		c := &rowChunk[T]{done: make(chan struct{})}
		n := 0
		for d.More() {
			var text json.RawMessage
			if readErr = d.decodeValue(&text, n > 0); readErr != nil {
				break
			}
			n++
			if c.text = append(c.text, text); len(c.text) == chunkLen || !d.More() {
				if !sendChunk(c, inOrder, work, stop) {
					return
				}
				c = &rowChunk[T]{done: make(chan struct{})}
			}
		}
		if len(c.text) > 0 {
			sendChunk(c, inOrder, work, stop)
		}
	})

	var chunks []*rowChunk[T]
	var err error
	total := 0
	for c := range inOrder {
		<-c.done
		if c.err != nil {
			err = c.err
			close(stop)
			break
		}
		for i := range c.rows {
			internRow(d.strings, &c.rows[i])
		}
		chunks = append(chunks, c)
		total += len(c.rows)
	}
	reading.Wait()
	decoding.Wait()
	if err == nil {
		err = readErr
	}
	if err != nil {
		return nil, err
	}
	rows := make([]T, 0, total)
	for _, c := range chunks {
		rows = append(rows, c.rows...)
	}
	return rows, nil
}

// sendChunk gives a chunk to the consumer, then to a worker; false means the consumer
// has stopped.
func sendChunk[T any](c *rowChunk[T], inOrder, work chan<- *rowChunk[T], stop <-chan struct{}) bool {
	select {
	case inOrder <- c:
	case <-stop:
		return false
	}
	select {
	case work <- c:
		return true
	case <-stop:
		return false
	}
}

// valueDecoder decodes values from the middle of a stream, keeping the offsets of syntax
// errors counted from the start of the input. The decoder's scanner counts only the
// bytes of values it reads whole, so the bytes those values took are tracked here.
type valueDecoder struct {
	*json.Decoder
	scanned int64 // bytes read as whole values so far
	strings interner
}

// decodeValue decodes the next value; delim is the comma or colon that precedes it, which
// Decode consumes before reading the value, or 0.
func (d *valueDecoder) decodeValue(v any, delim bool) error {
	d.More() // skips white space, so the offset below is that of the delimiter or value
	start := d.InputOffset()
	if delim {
		start++
	}
	err := d.Decode(v)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		syn.Offset += start - d.scanned
	}
	d.scanned += d.InputOffset() - start
	return err
}

// quotedLen is the length of s as a JSON string written by encoding/json.
func quotedLen(s string) int64 {
	n := int64(2)
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029:
			n += 6
		default:
			n += int64(utf8.RuneLen(r))
		}
	}
	return n
}

// jsonKind names the JSON type of a token as encoding/json's errors name it.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		if tok == json.Delim('[') {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// unexpectedEOF turns the end of input inside the snapshot object into
// io.ErrUnexpectedEOF: Token reports io.EOF there, which would read as an empty file.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// inField prefixes a type error's field with the top-level key it was found under.
func inField(err error, name string) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			typ.Field = name
		} else {
			typ.Field = name + "." + typ.Field
		}
	}
	return err
}
