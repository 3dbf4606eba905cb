package yamlfile

import (
	"errors"
	"strings"
	"testing"
)

type item struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count"`
}

type doc struct {
	Items []item `yaml:"items"`
	Flag  bool   `yaml:"flag"`
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"unknown key", "items:\n  - name: a\n    colour: red\n", "f.yaml:3: items[0].colour: unknown key"},
		{"wrong kind", "items:\n  - name: a\n    count: many\n",
			"f.yaml:3: items[0].count: expected a whole number"},
		{"list expected", "items: 3\n", "f.yaml:1:"},
		{"bool expected", "flag: [1]\n", "f.yaml:1: flag:"},
		{"syntax", "items:\n  - name: [\n", "f.yaml:2:"},
		{"duplicate", "flag: true\nflag: false\n", "f.yaml:2:"},
		{"rejected by check", "items:\n  - name: a\n    password: x\n",
			"f.yaml:3: items[0].password: no secrets"},
		{"two documents", "flag: true\n---\nflag: false\n", "2 YAML documents"},
	}
	check := func(_, key string) error {
		if key == "password" {
			return errors.New("no secrets")
		}
		return nil
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			_, err := Decode("f.yaml", []byte(tc.src), &d, check)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestLines(t *testing.T) {
	src := "items:\n  - name: a\n  - name: b\n    count: 2\nflag: true\n"
	var d doc
	doc, err := Decode("f.yaml", []byte(src), &d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 2 || d.Items[1].Count != 2 || !d.Flag {
		t.Fatalf("decoded %+v", d)
	}
	cases := []struct {
		path string
		line int
		has  bool
	}{
		{"items", 1, true},
		{"items[1].count", 4, true},
		{"items[1].name", 3, true},
		{"items[0].count", 2, false}, // absent: the line of its item
		{"flag", 5, true},
		{"nothing", 1, false},
	}
	for _, tc := range cases {
		if got := doc.Line(tc.path); got != tc.line {
			t.Errorf("Line(%s) = %d, want %d", tc.path, got, tc.line)
		}
		if got := doc.Has(tc.path); got != tc.has {
			t.Errorf("Has(%s) = %v, want %v", tc.path, got, tc.has)
		}
	}
	err = doc.Errorf("items[0].count", "must be positive")
	if err.Error() != "f.yaml:2: items[0].count: must be positive" {
		t.Errorf("Errorf: %q", err)
	}
}
