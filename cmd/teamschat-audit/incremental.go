package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
	"github.com/teamschat-audit/teamschat-audit/audit/history"
)

// Incremental scans (docs/scheduling.md): a live scan with history keeps its evidence,
// gzip-compressed, in the tenant's state directory under evidence/scan-ID.json.gz when
// every source was complete. The next live scan of the tenant takes the last complete
// scan's evidence as its base, unless --full is given, the evidence is missing or
// unreadable, or the evidence it reuses is older than --full-after: then it reads
// everything and says why.

const evidenceDir = "evidence"

// DefaultFullAfter is how old reused evidence may get before a scan reads everything.
const DefaultFullAfter = 7 * 24 * time.Hour

func evidenceFile(dir string, id int64) string {
	return filepath.Join(dir, evidenceDir, fmt.Sprintf("scan-%d.json.gz", id))
}

// baseFor sets o.Previous to the evidence of the tenant's last complete scan when an
// incremental scan may use it, and logs which kind of scan this is and why.
func (s *scheduleFlags) baseFor(ctx context.Context, o *collect.Options, tenant string,
	log *slog.Logger) {
	if !s.history {
		return
	}
	if s.full {
		log.Info("full scan: --full")
		return
	}
	prev, ref, err := s.lastComplete(ctx, tenant)
	if err != nil {
		log.Warn("full scan: the previous scan's evidence cannot be used", "reason", err.Error())
		return
	}
	if oldest := oldestEvidence(prev); time.Since(oldest) > s.fullAfter {
		log.Warn("full scan: the evidence an incremental scan would reuse dates from "+
			oldest.UTC().Format(time.RFC3339)+", older than --full-after",
			"fullAfter", s.fullAfter.String())
		return
	}
	o.Previous, o.PreviousScan = prev, ref
}

// lastComplete loads the evidence of the tenant's last complete scan.
func (s *scheduleFlags) lastComplete(ctx context.Context, tenant string) (*audit.Snapshot,
	audit.ScanRef, error) {
	dir, err := history.TenantDir(s.stateDir, tenant)
	if err != nil {
		return nil, audit.ScanRef{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, history.FileName)); err != nil {
		return nil, audit.ScanRef{}, errors.New("first scan of the tenant")
	}
	store, err := history.Open(ctx, dir)
	if err != nil {
		return nil, audit.ScanRef{}, err
	}
	defer store.Close()
	scans, err := store.List(ctx, 0)
	if err != nil {
		return nil, audit.ScanRef{}, err
	}
	for _, sc := range scans {
		if !sc.Complete {
			continue
		}
		snap, err := readEvidence(evidenceFile(dir, sc.ID))
		if err != nil {
			return nil, audit.ScanRef{}, fmt.Errorf("scan %d, the last complete one: %w",
				sc.ID, err)
		}
		return snap, audit.ScanRef{ScanID: sc.ID, CollectedAt: snap.CollectedAt}, nil
	}
	return nil, audit.ScanRef{}, errors.New("no complete scan in the history")
}

func readEvidence(path string) (*audit.Snapshot, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errors.New("its evidence was not kept (not a live scan, or removed)")
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	snap, err := audit.DecodeSnapshot(z)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return snap, nil
}

// oldestEvidence is when the oldest evidence in snap was read: reused items may come
// from a scan before it, which its sources name.
func oldestEvidence(snap *audit.Snapshot) time.Time {
	oldest := snap.CollectedAt
	for _, src := range snap.Sources {
		if src != nil && src.ReusedFrom != nil && src.ReusedFrom.CollectedAt.Before(oldest) {
			oldest = src.ReusedFrom.CollectedAt
		}
	}
	return oldest
}

// keepEvidence stores a complete live scan's evidence as the base of the next
// incremental scan and removes the evidence of earlier scans.
func keepEvidence(dir string, id int64, snap *audit.Snapshot) error {
	if err := os.MkdirAll(filepath.Join(dir, evidenceDir), 0o700); err != nil {
		return fmt.Errorf("keep evidence: %w", err)
	}
	path := evidenceFile(dir, id)
	base := baseOf(snap)
	err := audit.WriteFileAtomic(path, 0o600, func(w io.Writer) error {
		z := gzip.NewWriter(w)
		if err := json.NewEncoder(z).Encode(base); err != nil {
			return err
		}
		return z.Close()
	})
	if err != nil {
		return fmt.Errorf("keep evidence: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, evidenceDir, "scan-*.json.gz"))
	for _, p := range old {
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p),
			"scan-"), ".json.gz"), 10, 64)
		if err == nil && n < id {
			_ = os.Remove(p)
		}
	}
	return nil
}

// baseOf is the part of snap an incremental scan needs: the records of the sources, the
// access checks, licences and shares it may reuse or compares, and of links, members
// and users only ids, versions and states. Names, e-mail addresses, chat topics and
// every other column are left out, so the state directory holds no text a link row or
// a chat may carry (the scan's own --save-evidence is where the full evidence goes).
func baseOf(snap *audit.Snapshot) *audit.Snapshot {
	b := &audit.Snapshot{SchemaVersion: snap.SchemaVersion, CollectedAt: snap.CollectedAt,
		Tenant: snap.Tenant, Sources: snap.Sources, Access: snap.Access,
		Licences: snap.Licences, Shares: snap.Shares}
	for _, l := range snap.ChatLinks {
		b.ChatLinks = append(b.ChatLinks, audit.ChatLink{ID: l.ID, ChatID: l.ChatID,
			RegardingID: l.RegardingID, RegardingTable: l.RegardingTable,
			RecordState: l.RecordState, StateCode: l.StateCode, CreatedBy: l.CreatedBy,
			Extra: versionColumns(l.Extra)})
	}
	for _, l := range snap.ChannelLinks {
		b.ChannelLinks = append(b.ChannelLinks, audit.ChannelLink{ID: l.ID,
			RegardingID: l.RegardingID, RegardingTable: l.RegardingTable, TeamID: l.TeamID,
			ChannelID: l.ChannelID, StateCode: l.StateCode, CreatedBy: l.CreatedBy,
			Extra: versionColumns(l.Extra)})
	}
	for _, cv := range snap.Members {
		c := audit.Conversation{ConversationID: cv.ConversationID, TeamID: cv.TeamID,
			Error: cv.Error, Members: make([]audit.Member, len(cv.Members))}
		for i, m := range cv.Members {
			c.Members[i] = audit.Member{ID: m.ID, UserID: m.UserID, Roles: m.Roles,
				TenantID: m.TenantID}
		}
		b.Members = append(b.Members, c)
	}
	for _, u := range snap.Users {
		b.Users = append(b.Users, audit.SystemUser{SystemUserID: u.SystemUserID,
			AADObjectID: u.AADObjectID, ApplicationID: u.ApplicationID,
			IsDisabled: u.IsDisabled})
	}
	return b
}

// versionColumns keeps the columns that tell whether a row changed.
func versionColumns(extra []audit.Column) []audit.Column {
	var out []audit.Column
	for _, c := range extra {
		if c.Name == "modifiedon" || c.Name == "versionnumber" {
			out = append(out, c)
		}
	}
	return out
}
