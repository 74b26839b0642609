package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"permitline/domain/phone"
	"permitline/fixtures"
	"permitline/sms/fakeapi"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := e.flags("demo")
	fresh := fs.Bool("fresh", false, "delete the database file first")
	seedOnly := fs.Bool("seed-only", false, "seed the demo accounts and exit, without running the line")
	addr := fs.String("addr", envOr("PERMITLINE_ADDR", defaultAddr), "address to listen on")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := e.sqliteOnly("demo"); err != nil {
		return err
	}
	// The port first: a demo that cannot listen says so before it seeds or prints a thing,
	// and leaves the database as it was.
	var ln net.Listener
	if !*seedOnly {
		var err error
		if ln, err = listen(*addr); err != nil {
			return err
		}
		defer ln.Close()
	}
	if *fresh {
		if err := removeDB(e.dbPath); err != nil {
			return err
		}
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	existing, err := e.svc.Residents(ctx, 0, 1)
	if err != nil {
		return err
	}
	if len(existing) > 0 && *seedOnly {
		return fmt.Errorf("%s already holds accounts; use --fresh to start again, or another --db", e.dbPath)
	}
	if len(existing) == 0 {
		people, err := fixtures.SeedDemo(ctx, e.store, e.svc.Holidays(), e.clock.Now(), 0, e.svc.PINs())
		if err != nil {
			// Leave no half-seeded database behind.
			e.store.Close()
			e.store = nil
			removeDB(e.dbPath)
			return err
		}
		if err := e.printPeople(people); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "Using the demo accounts already in %s (--fresh starts again).\n", e.dbPath)
	}
	if e.pinKeyNote != "" {
		fmt.Fprintln(e.stdout, e.pinKeyNote)
	}
	if *seedOnly {
		return nil
	}
	bound := ln.Addr().String()
	api, apiURL, err := e.fakeTwilio(ctx, bound)
	if err != nil {
		return err
	}
	url := ""
	if bound != defaultAddr {
		url = " --url http://" + bound
	}
	fmt.Fprintf(e.stdout, "\nThe demo line is starting. In another terminal, call it or text it:\n"+
		"    go run ./cmd/permitline call --from 07700900123%[1]s\n"+
		"    go run ./cmd/permitline text --from 07700900123%[1]s \"VISITOR AB12CDE\"\n"+
		"What runs, and the webhooks Twilio would call, are at http://%[2]s/\n"+
		"The agent desk is at http://%[2]s/desk/ (sign in as %[3]s, password %[4]s).\n"+
		"Texts the line sends, and calls it puts through, appear here.\n", url, bound, fixtures.DemoAgent, fixtures.DemoAgentPassword)
	if standIn("", "http://"+bound) != apiURL {
		fmt.Fprintf(e.stdout, "The stand-in for Twilio is at %s: give call --twilio %[1]s to follow the desk.\n", apiURL)
	}
	fmt.Fprintln(e.stdout)
	return e.serve(ctx, ln, "", DemoAuthToken, fixtures.DemoAccountSid, api)
}

// DemoLineNumber is the demo line's own number, from which it calls residents back (a
// number Ofcom keeps for drama).
const DemoLineNumber = "+441632960000"

// defaultAddr is where the line listens unless --addr or PERMITLINE_ADDR says otherwise,
// and where call and text find it.
const defaultAddr = "127.0.0.1:8080"

// fakeTwilio starts a local stand-in for Twilio's REST API, on the port after the line's
// where it can (where the call command looks for it), and returns it with its URL. It
// prints what a person would understand of what goes through it: the texts the line
// sends, and the desk taking a call, putting it through and handing it back; a simulated
// phone follows its call's updates there and speaks through it to the agent.
func (e *env) fakeTwilio(ctx context.Context, lineAddr string) (twilioAPI, string, error) {
	ln, err := net.Listen("tcp", nextPort(lineAddr))
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return twilioAPI{}, "", err
		}
	}
	fake := fakeapi.New()
	con := &demoConsole{e: e, fake: fake, agents: map[string]string{}}
	fake.OnMessage = func(m fakeapi.Message) {
		fmt.Fprintf(e.stdout, "  text to %s: %s\n", phone.National(m.To), m.Body)
	}
	fake.OnCall = func(c fakeapi.Call) {
		fmt.Fprintf(e.stdout, "  the line calls %s back from %s\n", phone.Mask(c.To), phone.National(c.From))
	}
	fake.OnCallUpdate = con.update
	fake.OnParty = con.party
	fake.OnCallerSaid = con.said
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	target := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	return twilioAPI{every: time.Second, from: DemoLineNumber,
		client: &http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 10 * time.Second}}, target.String(), nil
}

// nextPort returns addr with the port after its own, or "" when it has none.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n <= 0 || n >= 65535 {
		return "127.0.0.1:0"
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

func (e *env) printPeople(people []fixtures.DemoPerson) error {
	fmt.Fprintf(e.stdout, "Demo accounts in %s. You can be:\n", e.dbPath)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tPHONE\tPIN\tACCOUNT\tSCHEME\tSTORY")
	for _, p := range people {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", p.Name, phone.National(mustE164(p.Phone)), p.PIN, p.Account, p.Scheme, p.Story)
	}
	return tw.Flush()
}

// removeDB deletes a SQLite database file with its write-ahead log.
func removeDB(path string) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func mustE164(s string) string {
	e164, err := phone.Parse(s)
	if err != nil {
		return s
	}
	return e164
}
