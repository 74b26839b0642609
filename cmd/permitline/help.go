package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// examples holds one example command line for every command in commands.
var examples = map[string]string{
	"migrate":              "permitline migrate --db permitline.db",
	"schemes import":       "permitline schemes import fixtures/schemes.csv",
	"schemes list":         "permitline schemes list --json",
	"resident add":         `permitline resident add --name "Ann Smith" --address "1 High Street" --postcode "CB1 1AA" --scheme Central --phone "07700 900111" --pin 2580`,
	"resident show":        "permitline resident show 12345678",
	"resident list":        "permitline resident list --json",
	"resident set-pin":     "permitline resident set-pin 12345678 --pin 2580",
	"address deactivate":   `permitline address deactivate --address "1 High Street" --postcode "CB1 1AA"`,
	"address activate":     `permitline address activate --address "1 High Street" --postcode "CB1 1AA"`,
	"registration approve": "permitline registration approve 12345678 --document utility-bill --document-date 2026-11-02",
	"member add":           `permitline member add 12345678 --name "Kim Smith" --phone "07700 900223" --can view,activate`,
	"vehicle add":          `permitline vehicle add 12345678 --vrm "AB12 CDE"`,
	"permits buy":          "permitline permits buy 12345678 --quantity 2 --payment-ref PAY-0001",
	"refunds list":         "permitline refunds list --all",
	"refunds settle":       "permitline refunds settle PAY-0001",
	"visits add":           `permitline visits add 12345678 --vrm "AB12 CDE" --date saturday`,
	"visits list":          "permitline visits list 12345678",
	"visits cancel":        "permitline visits cancel K7QX3M",
	"check":                `permitline check "AB12 CDE" --scheme Central --at "2026-12-01 12:00"`,
	"hours":                "permitline hours --at 2026-12-25",
	"demo":                 "permitline demo --fresh --addr 127.0.0.1:8080",
	"serve":                "permitline serve --addr 127.0.0.1:8080 --public-url https://permits.example.org",
	"flows draw":           "permitline flows draw > flows.md",
	"call":                 `permitline call --keys "1;2580#;1"`,
	"text":                 `permitline text --from 07700900123 "VISITOR AB12CDE"`,
	"agent add":            `permitline agent add --username jo --name "Jo Bloggs" --phone "01223 000000" --password-file jo.pw`,
	"load":                 "permitline load --calls 200 --concurrency 20",
	"copy":                 "permitline copy --from permitline.db --to postgres://permitline@db.example.org/permitline",
}

// helpError is what parse returns for -h or --help: run prints the command's help.
type helpError struct{ fs *flag.FlagSet }

func (e *helpError) Error() string { return "help requested" }

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--help", "-help", "help":
		return true
	}
	return false
}

// leadingGlobals takes the shared flags (--db, --now) off the front of args, so that
// "permitline --db x.db migrate" works as "permitline migrate --db x.db" does.
func leadingGlobals(args []string) (global, rest []string) {
	for len(args) > 0 {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		if !strings.HasPrefix(args[0], "-") || name != "db" && name != "now" {
			break
		}
		if hasValue {
			global, args = append(global, args[0]), args[1:]
			continue
		}
		if len(args) < 2 {
			break
		}
		global, args = append(global, args[0], args[1]), args[2:]
	}
	return global, args
}

// runHelp prints help: the list of commands, a group's commands, or one command's flags.
func runHelp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		fmt.Fprintln(stdout, "\nRun \"permitline help COMMAND\" or \"permitline COMMAND --help\" for a command's flags and an example.")
		return 0
	}
	if _, cmd, rest := lookup(args); cmd != nil && len(rest) == 0 {
		return run(ctx, append(append([]string{}, args...), "--help"), nil, stdout, stderr)
	}
	if group := groupOf(args); group != "" && len(args) == 1 {
		groupUsage(stdout, group)
		return 0
	}
	fmt.Fprintf(stderr, "permitline help: unknown command %q\n", strings.Join(args, " "))
	usage(stderr)
	return 2
}

// groupOf returns the first word of args when it names a group of commands ("resident").
func groupOf(args []string) string {
	if len(args) == 0 {
		return ""
	}
	for name := range commands {
		if first, _, two := strings.Cut(name, " "); two && first == args[0] {
			return first
		}
	}
	return ""
}

// groupUsage lists the commands of a group.
func groupUsage(w io.Writer, group string) {
	var lines []string
	for name, c := range commands {
		if strings.HasPrefix(name, group+" ") {
			lines = append(lines, "  permitline "+c.usage)
		}
	}
	sort.Strings(lines)
	fmt.Fprintf(w, "usage: permitline %s COMMAND [flags]\n%s\n", group, strings.Join(lines, "\n"))
	fmt.Fprintf(w, "Run \"permitline help %s COMMAND\" for a command's flags and an example.\n", group)
}

// commandHelp prints a command's usage line, every flag with its default, and an example.
func commandHelp(w io.Writer, name string, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: permitline %s\n\nflags:\n", c.usage)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		flagName := "--" + f.Name
		if kind != "" {
			flagName += " " + kind
		}
		if f.DefValue != "" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", flagName, text)
	})
	tw.Flush()
	if ex := examples[name]; ex != "" {
		fmt.Fprintf(w, "\nexample:\n  %s\n", ex)
	}
}
