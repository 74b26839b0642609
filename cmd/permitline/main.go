// Command permitline runs the visitor-permit phone and SMS line and its back office.
//
// Every subcommand takes --db PATH (default ./permitline.db, or PERMITLINE_DB) and
// --now RFC3339 (or PERMITLINE_NOW): a back-office command acts at that instant, so a run
// of commands with the same --now all act at the same moment; the line's server (serve,
// demo) starts its clock there and lets it run on.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand: its usage line and what it runs.
type command struct {
	usage string
	run   func(ctx context.Context, env *env, args []string) error
}

// commands lists every subcommand by the words that name it.
var commands = map[string]command{
	"migrate":              {"migrate", runMigrate},
	"schemes import":       {"schemes import FILE", runSchemesImport},
	"schemes list":         {"schemes list [--json]", runSchemesList},
	"resident add":         {"resident add --name NAME --address ADDRESS --postcode PC --scheme SCHEME --phone PHONE [--pin PIN]", runResidentAdd},
	"resident show":        {"resident show ACCOUNT [--json]", runResidentShow},
	"resident list":        {"resident list [--json]", runResidentList},
	"resident set-pin":     {"resident set-pin ACCOUNT --pin PIN", runResidentSetPIN},
	"address deactivate":   {"address deactivate --address ADDRESS --postcode PC", runAddressActive(false)},
	"address activate":     {"address activate --address ADDRESS --postcode PC", runAddressActive(true)},
	"registration approve": {"registration approve ACCOUNT --document driving-licence|tenancy-agreement|utility-bill [--document-date DATE] [--tenancy-end DATE]", runRegistrationApprove},
	"member add":           {"member add ACCOUNT --name NAME --phone PHONE --can view,activate,buy [--pin PIN]", runMemberAdd},
	"vehicle add":          {"vehicle add ACCOUNT --vrm VRM", runVehicleAdd},
	"permits buy":          {"permits buy ACCOUNT --quantity N --payment-ref REF", runPermitsBuy},
	"refunds list":         {"refunds list [--all] [--json]", runRefundsList},
	"refunds settle":       {"refunds settle REF", runRefundsSettle},
	"visits add":           {"visits add ACCOUNT --vrm VRM [--date DATE]", runVisitsAdd},
	"visits list":          {"visits list ACCOUNT [--json]", runVisitsList},
	"visits cancel":        {"visits cancel REF", runVisitsCancel},
	"check":                {"check VRM --scheme SCHEME [--at TIME]", runCheck},
	"hours":                {"hours [--at TIME]", runHours},
	"demo":                 {"demo [--fresh] [--seed-only] [--addr HOST:PORT]", runDemo},
	"serve":                {"serve [--addr HOST:PORT] [--public-url URL]", runServe},
	"flows draw":           {"flows draw", runFlowsDraw},
	"call":                 {"call [--from PHONE] [--url URL] [--keys SCRIPT]", runCall},
	"text":                 {"text [--from PHONE] [--url URL] [MESSAGE]", runText},
	"agent add":            {"agent add --username U --name NAME (--phone PHONE | --client IDENTITY) [--password-file FILE]", runAgentAdd},
	"load":                 {loadUsage, runLoad},
	"copy":                 {copyUsage, runCopy},
}

// exitError carries a chosen exit status with its one-line message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The flags every command shares may come before the command's words as well as after.
	global, args := leadingGlobals(args)
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		return runHelp(ctx, args[1:], stdout, stderr)
	}
	name, cmd, rest := lookup(args)
	if cmd == nil {
		if group := groupOf(args); group != "" {
			if len(args) > 1 && isHelpFlag(args[1]) {
				groupUsage(stdout, group)
				return 0
			}
			if len(args) == 1 {
				fmt.Fprintf(stderr, "permitline: %q needs one of its commands\n", args[0])
			} else {
				fmt.Fprintf(stderr, "permitline: unknown command %q\n", strings.Join(args, " "))
			}
			groupUsage(stderr, group)
			return 2
		}
		if len(args) > 0 {
			fmt.Fprintf(stderr, "permitline: unknown command %q\n", strings.Join(args, " "))
		}
		usage(stderr)
		return 2
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	defer e.close()
	err := cmd.run(ctx, e, append(global, rest...))
	var ee *exitError
	var he *helpError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &he):
		commandHelp(stdout, name, *cmd, he.fs)
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "permitline %s: %v\nusage: permitline %s\n", name, err, cmd.usage)
		return 2
	default:
		fmt.Fprintf(stderr, "permitline %s: %s\n", name, words(err))
		return 1
	}
}

// lookup finds the longest run of leading words that names a command.
func lookup(args []string) (string, *command, []string) {
	for n := min(2, len(args)); n > 0; n-- {
		name := strings.Join(args[:n], " ")
		if c, ok := commands[name]; ok {
			return name, &c, args[n:]
		}
	}
	return "", nil, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: permitline COMMAND [flags]   (every command takes --db PATH and --now TIME)")
	var lines []string
	for _, c := range commands {
		lines = append(lines, "  permitline "+c.usage)
	}
	sort.Strings(lines)
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}
