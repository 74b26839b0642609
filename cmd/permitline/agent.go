package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"permitline/domain"
)

func runAgentAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("agent add")
	var in domain.NewAgent
	fs.StringVar(&in.Username, "username", "", "the agent's sign-in name")
	fs.StringVar(&in.Name, "name", "", "the agent's name")
	fs.StringVar(&in.Phone, "phone", "", "the phone calls are put through to")
	fs.StringVar(&in.ClientIdentity, "client", "", "a Twilio Client identity, instead of a phone")
	passwordFile := fs.String("password-file", "", "read the password from this file (default: ask at the terminal)")
	if _, err := parseRequiring(fs, args, 0, "username", "name"); err != nil {
		return err
	}
	if (strings.TrimSpace(in.Phone) == "") == (strings.TrimSpace(in.ClientIdentity) == "") {
		return usageErr("give one of --phone and --client")
	}
	var err error
	if in.Password, err = e.readPassword(*passwordFile); err != nil {
		return err
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	a, err := e.svc.AddAgent(ctx, admin(), in)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "agent %s (%s) added\n", a.Username, a.Name)
	return nil
}

// readPassword reads a password from a file, from the terminal without echo (asked twice),
// or from the first line of standard input when it is not a terminal.
func (e *env) readPassword(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the two passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", usageErr("no password given: type it at the terminal, pipe it in, or use --password-file")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
