// Package policies holds the built-in controls: one Rego package per control under
// scope/, store/, access/ and platform/, helpers under lib/, and data.json, the default
// policy data (data.teamschat.config). The contract the controls follow is
// docs/policies.md; the input they read is docs/policy-input.md.
//
// FS embeds the rules together with their _test.rego files, so that the shipped binary
// can run the same tests it was built with; an engine that evaluates controls skips
// files ending in _test.rego.
package policies

import "embed"

// FS holds every .rego file and data.json, at their paths under policies/.
//
//go:embed data.json lib/*.rego scope/*.rego store/*.rego access/*.rego platform/*.rego
var FS embed.FS
