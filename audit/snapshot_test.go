package audit

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Saving follows a symbolic link, even to a file not there yet, and refuses what is not a
// regular file: a rename over /dev/null would replace the device with the evidence.
func TestSaveSnapshotWritesFilesOnly(t *testing.T) {
	dir := t.TempDir()
	snap := &Snapshot{SchemaVersion: SchemaVersion}

	link, target := filepath.Join(dir, "link.json"), filepath.Join(dir, "target.json")
	if err := os.Symlink("target.json", link); err != nil {
		t.Fatal(err)
	}
	if err := SaveSnapshot(link, snap); err != nil {
		t.Fatalf("through a link to a new file: %v", err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info, err)
	}
	if _, err := LoadSnapshot(target); err != nil {
		t.Errorf("the link's target: %v", err)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir, os.DevNull} {
		err := SaveSnapshot(path, snap)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: error %v, want it refused", path, err)
		}
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", info, err)
	}
}
