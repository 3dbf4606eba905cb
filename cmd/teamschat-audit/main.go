// Command teamschat-audit checks a Microsoft 365 tenant against the rules of the Teams
// chat integration of Dynamics 365 and reports what breaks them.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return audit.ExitCompliant
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(os.Stderr, "teamschat-audit: %s\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(os.Stderr, "teamschat-audit: %s\n", err)
	return audit.ExitUndecided
}

// exitError ends the run with a given code; err, when set, is printed as one line.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// exitCode ends the run with code and nothing more to say: the report said it.
func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code: code}
}
