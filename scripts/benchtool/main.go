// Command benchtool is the Go side of scripts/bench.sh: it generates tenants with
// audit/tenantgen, writes the joined policy input that opa eval is given, and runs the
// plain-Go evaluation of the link rules that serves as the floor of the comparison.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "gen":
		err = runGen(args)
	case "input":
		err = runInput(args)
	case "query":
		err = runQuery(args)
	case "report":
		err = runReport(args)
	case "floor":
		err = runFloor(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: benchtool gen --links N --out FILE
       benchtool input --snapshot FILE --out FILE
       benchtool floor --snapshot FILE
       benchtool query
       benchtool report --work DIR --sizes N,... (see scripts/bench.sh)`)
	os.Exit(2)
}

func parse(fs *flag.FlagSet, args []string) {
	if err := fs.Parse(args); err != nil {
		os.Exit(2)
	}
}
