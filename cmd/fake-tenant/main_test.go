package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
)

func TestCheckLoopback(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.8.9.10:8080", true},
		{"[::1]:0", true},
		{"localhost:0", true},
		{":8080", false},
		{"0.0.0.0:0", false},
		{"[::]:0", false},
		{"192.168.1.5:0", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
	}
	for _, tc := range cases {
		err := checkLoopback(tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) = %v", tc.addr, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error is more than one line: %q", err)
		}
	}
}

func TestRefusesNonLoopbackBeforeGenerating(t *testing.T) {
	cmd := newCommand(io.Discard, io.Discard)
	cmd.SetArgs([]string{"--listen", "0.0.0.0:0", "--links", "1"})
	err := cmd.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Errorf("err = %v", err)
	}
}

func TestRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--violations", "SCOPE-99"},
		{"--fault", "kind=teapot"},
	} {
		cmd := newCommand(io.Discard, io.Discard)
		cmd.SetArgs(append(args, "--links", "1"))
		if err := cmd.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestServesGeneratedTenant runs the command, reads its URL line, makes requests and
// stops it as a signal would.
func TestServesGeneratedTenant(t *testing.T) {
	out := filepath.Join(t.TempDir(), "want.json")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		cfg := config{links: 20, members: 4, seed: 3, violations: "all", listen: "127.0.0.1:0",
			faults: []string{"route=G8,kind=403"}, snapshotOut: out, graphPage: 100}
		done <- run(ctx, cfg, pw, slog.New(slog.DiscardHandler))
		pw.Close()
	}()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read URL line: %v", err)
	}
	go io.Copy(io.Discard, pr)
	var graph, dataverse, tenant string
	for _, field := range strings.Fields(line) {
		k, v, _ := strings.Cut(field, "=")
		switch k {
		case "graph":
			graph = v
		case "dataverse":
			dataverse = v
		case "tenant":
			tenant = v
		}
	}
	if !strings.HasPrefix(graph, "http://127.0.0.1:") || !strings.HasSuffix(graph, "/graph/v1.0") ||
		!strings.HasSuffix(dataverse, "/dataverse") || tenant == "" {
		t.Fatalf("URL line = %q", line)
	}

	snap, err := audit.LoadSnapshot(out)
	if err != nil {
		t.Fatalf("snapshot out: %v", err)
	}
	if len(snap.ChatLinks)+len(snap.ChannelLinks) < 20 {
		t.Errorf("snapshot has %d chat and %d channel links", len(snap.ChatLinks),
			len(snap.ChannelLinks))
	}

	client := &http.Client{Timeout: 5 * time.Second}
	status := func(u string) int {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	filter := url.QueryEscape("appId eq '" + audit.IntegrationAppID + "'")
	if s := status(graph + "/servicePrincipals?$filter=" + filter); s != http.StatusOK {
		t.Errorf("G1: status %d", s)
	}
	if s := status(dataverse + "/api/data/v9.2/msdyn_teamschatassociations"); s != 200 {
		t.Errorf("D1: status %d", s)
	}
	if s := status(graph + "/users/x"); s != http.StatusForbidden {
		t.Errorf("G8 with a 403 fault: status %d", s)
	}

	resp, err := client.Get(strings.TrimSuffix(graph, "/graph/v1.0") + "/_fake/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats faketenant.Stats
	err = json.NewDecoder(resp.Body).Decode(&stats)
	resp.Body.Close()
	if err != nil || stats.Total != 3 || stats.Requests(faketenant.G8) != 1 {
		t.Errorf("stats = %+v, %v", stats, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}
