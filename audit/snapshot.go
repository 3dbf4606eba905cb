package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"time"
)

// MaxSnapshotBytes bounds what LoadSnapshot reads, so a hostile file cannot exhaust
// memory before it is rejected.
const MaxSnapshotBytes = 8 << 30

// LoadSnapshot reads a snapshot file. Its errors name the file and what is wrong.
func LoadSnapshot(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("snapshot %s: no such file", path)
		}
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	defer f.Close()
	s, err := DecodeSnapshot(io.LimitReader(f, MaxSnapshotBytes))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	s.checkCounts()
	return s, nil
}

// DecodeSnapshot reads a snapshot from r and checks its version and shape.
func DecodeSnapshot(r io.Reader) (*Snapshot, error) {
	d := json.NewDecoder(r)
	var s Snapshot
	if err := decodeSnapshot(d, &s); err != nil {
		return nil, describeJSONError(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		// Anything but white space, a stray closing bracket included, is an error.
		return nil, errors.New("unexpected data after the snapshot object")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks what the engine relies on: a supported version and a status for
// every source. A source with no record is taken as not collected, never as complete.
func (s *Snapshot) Validate() error {
	switch {
	case s.SchemaVersion == 0:
		return errors.New("not a teamschat-audit snapshot (no schemaVersion)")
	case s.SchemaVersion != SchemaVersion:
		return fmt.Errorf("schemaVersion %d is not supported (this build reads %d); "+
			"collect the evidence again with this version", s.SchemaVersion, SchemaVersion)
	}
	s.boundMembers()
	if s.Sources == nil {
		s.Sources = map[SourceName]*Source{}
	}
	for _, name := range AllSources {
		src := s.Sources[name]
		if src == nil {
			s.Sources[name] = &Source{Status: StatusNotCollected, Reason: "not in the snapshot"}
			continue
		}
		switch src.Status {
		case StatusComplete, StatusIncomplete, StatusError, StatusNotCollected:
		default:
			return fmt.Errorf("source %s has unknown status %q", name, src.Status)
		}
	}
	return nil
}

// checkCounts marks incomplete every complete source whose items in a snapshot file are
// not as many as its record says were collected: rows removed from a file, or the file
// cut short and mended, must not pass for a complete source. Evidence kept for
// incremental scans holds some rows only, and is not checked.
func (s *Snapshot) checkCounts() {
	counts := s.ItemCounts()
	for _, name := range AllSources {
		if src := s.Sources[name]; src.Status == StatusComplete && src.Items != counts[name] {
			src.Status = StatusIncomplete
			src.Reason = fmt.Sprintf("the snapshot holds %d items where its record says %d "+
				"were collected: the file was changed after collection; collect again",
				counts[name], src.Items)
		}
	}
	// The collector reads each conversation once; a second entry would hide the first.
	seen := make(map[string]bool, len(s.Members))
	for _, c := range s.Members {
		if src := s.Sources[SourceMembers]; seen[c.ConversationID] && src.Status == StatusComplete {
			src.Status = StatusIncomplete
			src.Reason = fmt.Sprintf("conversation %.60s is listed twice: the file was "+
				"changed after collection; collect again", c.ConversationID)
		}
		seen[c.ConversationID] = true
	}
}

// ItemCounts is what each source's record counts as its items: the rows of it in the
// snapshot, and 1 or 0 for the integration.
func (s *Snapshot) ItemCounts() map[SourceName]int {
	integration := 0
	if s.Integration != nil {
		integration = 1
	}
	return map[SourceName]int{
		SourceIntegration:  integration,
		SourceResources:    len(s.Resources),
		SourceDelegated:    len(s.DelegatedGrants),
		SourceAppRoles:     len(s.AppRoleAssignments),
		SourceChatLinks:    len(s.ChatLinks),
		SourceChannelLinks: len(s.ChannelLinks),
		SourceChatSync:     len(s.ChatSync),
		SourceMembers:      len(s.Members),
		SourceUsers:        len(s.Users),
		SourceAccess:       len(s.Access),
		SourceShares:       len(s.Shares),
		SourceLicences:     len(s.Licences),
	}
}

// MaxMembers is the most members a Teams conversation can have: a team, and so a
// standard channel, holds at most 25,000; a group chat at most 250. Evidence listing more
// is not a Teams conversation, and evaluating it would cost time and memory without bound.
const MaxMembers = 25_000

// boundMembers sets aside the members of any conversation listed with more than
// MaxMembers and says so on the conversation, so every link to it is an error of the
// controls that judge members, and the scan exits 2.
func (s *Snapshot) boundMembers() {
	for i := range s.Members {
		if c := &s.Members[i]; len(c.Members) > MaxMembers {
			c.Error = TooManyMembers
			c.Members = nil
		}
	}
}

// TooManyMembers is the error of a conversation listed, or read, with more members than
// MaxMembers.
var TooManyMembers = fmt.Sprintf("more than %d members, which no Teams conversation can "+
	"have: its members were set aside unevaluated; check the evidence for this conversation",
	MaxMembers)

// SaveSnapshot writes s to path atomically with mode 0600: a reader never sees half a
// file, and evidence about users is not left readable by others.
func SaveSnapshot(path string, s *Snapshot) error {
	return WriteFileAtomic(path, 0o600, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	})
}

// WriteFileAtomic writes a file through a temporary file in the same directory and a
// rename, so that a reader sees the old file or the new one, never half of one. A
// symbolic link is followed (WritePath).
func WriteFileAtomic(path string, mode os.FileMode, write func(io.Writer) error) error {
	path, err := WritePath(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WritePath is the file that writing path through a rename replaces. A symbolic link is
// followed, even to a file that does not exist yet, so the link stays and its target is
// written. Anything but a regular file (a device such as /dev/null, a pipe, a directory)
// is refused: a rename would replace it with a file.
func WritePath(path string) (string, error) {
	for range 40 {
		info, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return path, nil
		case err != nil:
			return "", fmt.Errorf("write %s: %w", path, err)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return "", fmt.Errorf("write %s: %w", path, err)
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(path), link)
			}
			path = link
		case !info.Mode().IsRegular():
			return "", fmt.Errorf("write %s: not a regular file (%s): name a file to write",
				path, describeMode(info.Mode()))
		default:
			return path, nil
		}
	}
	return "", fmt.Errorf("write %s: too many levels of symbolic links", path)
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// describeJSONError turns a decoder error into one line a user can act on.
func describeJSONError(err error) error {
	var bad *time.ParseError
	if errors.As(err, &bad) {
		return fmt.Errorf("field collectedAt: %.40q is not an RFC 3339 time such as "+
			"2026-12-04T07:00:00Z", bad.Value)
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("empty file, expected a JSON snapshot")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON: the file ends in the middle of the snapshot")
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("expected a snapshot object, found a JSON %s", typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("field %s: expected %s, found JSON %s", typ.Field, jsonWant(typ.Type),
			typ.Value)
	}
	return fmt.Errorf("invalid snapshot: %w", err)
}

// jsonWant names in JSON's terms what a Go type of the snapshot takes.
func jsonWant(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonWant(t.Elem())
	}
	return t.String()
}
