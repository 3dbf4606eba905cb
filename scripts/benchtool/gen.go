package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// runGen writes a generated tenant as a snapshot: every violation planted at 1% of the
// links, so the rules find something on every path without findings dominating.
func runGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	links := fs.Int("links", 1000, "chat and channel links")
	members := fs.Int("members", 5, "average members per conversation")
	seed := fs.Int64("seed", 1, "seed")
	out := fs.String("out", "", "snapshot file to write")
	parse(fs, args)
	if *out == "" {
		return fmt.Errorf("gen: --out is required")
	}
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: *links, MembersPerChat: *members,
		Seed: *seed, Violations: []string{"all"}, Rate: 0.01, ChannelFraction: 0.1})
	if err := writeSnapshot(*out, snap); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}

// writeSnapshot writes a snapshot as SaveSnapshot does, less the indentation, one row at a
// time: encoding a million-link snapshot whole would hold gigabytes of text at once.
func writeSnapshot(path string, s *audit.Snapshot) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	v, t := reflect.ValueOf(s).Elem(), reflect.TypeOf(s).Elem()
	w.WriteString("{")
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		field := v.Field(i)
		if opts == "omitempty" && field.IsZero() {
			continue
		}
		if i > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(w, "%q:", name)
		if field.Kind() != reflect.Slice || field.IsNil() {
			if err := enc.Encode(field.Interface()); err != nil {
				return err
			}
			continue
		}
		w.WriteString("[")
		for j := 0; j < field.Len(); j++ {
			if j > 0 {
				w.WriteString(",")
			}
			if err := enc.Encode(field.Index(j).Interface()); err != nil {
				return err
			}
		}
		w.WriteString("]")
	}
	w.WriteString("}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// runInput writes the joined policy input of a snapshot, for opa eval.
func runInput(args []string) error {
	fs := flag.NewFlagSet("input", flag.ExitOnError)
	in := fs.String("snapshot", "", "snapshot file to read")
	out := fs.String("out", "", "policy input file to write")
	parse(fs, args)
	snap, err := audit.LoadSnapshot(*in)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	if err := audit.WritePolicyInput(f, snap); err != nil {
		f.Close()
		return fmt.Errorf("input: %w", err)
	}
	return f.Close()
}

// runQuery prints the opa eval query that asks what the engine asks: every control's
// findings, errors and not_applicable, and nothing else.
func runQuery(args []string) error {
	fs := flag.NewFlagSet("query", flag.ExitOnError)
	parse(fs, args)
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		return err
	}
	controls, err := ps.Controls()
	if err != nil {
		return err
	}
	parts := make([]string, 0, len(controls))
	for _, c := range controls {
		parts = append(parts, fmt.Sprintf(
			`%q: {"findings": [x | some x in %[2]s.findings], `+
				`"errors": [x | some x in %[2]s.errors], `+
				`"not_applicable": [x | x := %[2]s.not_applicable]}`, c.ID, c.Package))
	}
	fmt.Printf("{%s}\n", strings.Join(parts, ", "))
	return nil
}
