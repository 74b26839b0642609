package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"permitline/domain/phone"
	"permitline/fixtures"
	"permitline/ivr/twiliosim"
)

// testCard is the card the simulated payment provider accepts.
const testCard = "4242424242424242"

// simFlags declares the flags of a simulated phone (--from, --to, --url, --public-url),
// the sender's help and the line's number and help given, and returns what makes the
// simulator's configuration from them once they are parsed: the sender in E.164 where it
// is a phone number, the line's auth token and account from the environment or the demo's.
func simFlags(fs *flag.FlagSet, fromHelp, to, toHelp string) func() twiliosim.Config {
	from := fs.String("from", "07700900123", fromHelp)
	line := fs.String("to", to, toHelp)
	base := fs.String("url", envOr("PERMITLINE_URL", "http://127.0.0.1:8080"), "the server, as Twilio reaches it")
	public := fs.String("public-url", os.Getenv("PERMITLINE_PUBLIC_URL"), "the public URL the server signs against (default --url)")
	return func() twiliosim.Config {
		sender := *from
		if e164, err := phone.Parse(sender); err == nil {
			sender = e164
		}
		return twiliosim.Config{BaseURL: *base, PublicURL: *public, AuthToken: envOr("TWILIO_AUTH_TOKEN", DemoAuthToken),
			AccountSid: envOr("TWILIO_ACCOUNT_SID", fixtures.DemoAccountSid), From: sender, To: *line}
	}
}

func runCall(ctx context.Context, e *env, args []string) error {
	fs := e.flags("call")
	line := simFlags(fs, "the number calling, or anonymous", "+443455207007", "the line's number")
	keys := fs.String("keys", "", `a whole call, one answer per turn, separated by ";": keys like "2580#", `+
		`"say: AB12 CDE", "pay: 4242424242424242", "wait" for silence, "hangup"`)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg := line()
	call, err := twiliosim.Dial(ctx, cfg)
	if err != nil {
		return fmt.Errorf("calling %s: %w", cfg.BaseURL, err)
	}
	turn, err := call.Next(ctx)
	p := &phoneUI{w: e.stdout}
	if *keys != "" {
		return p.script(ctx, call, turn, err, strings.Split(*keys, ";"))
	}
	return p.interactive(ctx, call, turn, err, bufio.NewScanner(e.stdin))
}

// phoneUI shows a call at the terminal: what is spoken, and what is being waited for.
type phoneUI struct{ w io.Writer }

func (p *phoneUI) show(t twiliosim.Turn) {
	for _, s := range t.Said {
		fmt.Fprintf(p.w, "  line: %s\n", s)
	}
	switch {
	case t.Ended:
		fmt.Fprintf(p.w, "  (the call has ended: %s)\n", t.EndReason)
	case t.Wait.Kind == "gather":
		hint := "keys"
		if strings.Contains(t.Wait.Input, "speech") {
			hint = `keys, or "say ..." to speak`
		}
		if t.Wait.FinishOnKey != "" {
			hint += ", ending with " + t.Wait.FinishOnKey
		}
		fmt.Fprintf(p.w, "  (waiting for %s; an empty line is silence)\n", hint)
	case t.Wait.Kind == "pay":
		fmt.Fprintf(p.w, "  (card payment of £%s: type a card number; the test card is %s, * stops)\n",
			t.Wait.ChargeAmount, testCard)
	case t.Wait.Kind == "queue":
		fmt.Fprintf(p.w, "  (waiting in the helpdesk queue: type hangup to leave)\n")
	}
}

// answer sends one answer: keys, "say: ...", "pay: CARD", "wait" (silence) or "hangup".
func (p *phoneUI) answer(ctx context.Context, call *twiliosim.Call, wait string, a string) (twiliosim.Turn, error) {
	a = strings.TrimSpace(a)
	lower := strings.ToLower(a)
	switch {
	case lower == "hangup":
		return twiliosim.Turn{Ended: true, EndReason: "caller-hangup"}, call.Hangup(ctx)
	case lower == "" || lower == "wait":
		return call.Silence(ctx)
	case strings.HasPrefix(lower, "say"):
		return call.Say(ctx, strings.TrimLeft(a[3:], ": "))
	case strings.HasPrefix(lower, "pay"):
		return call.PayWith(ctx, strings.ReplaceAll(strings.TrimLeft(a[3:], ": "), " ", ""))
	case wait == "pay":
		return call.PayWith(ctx, strings.ReplaceAll(a, " ", ""))
	}
	return call.Press(ctx, strings.ReplaceAll(a, " ", ""))
}

func (p *phoneUI) script(ctx context.Context, call *twiliosim.Call, t twiliosim.Turn, err error, steps []string) error {
	for _, step := range steps {
		if err != nil {
			return err
		}
		p.show(t)
		if t.Ended {
			return nil
		}
		fmt.Fprintf(p.w, "you: %s\n", strings.TrimSpace(step))
		t, err = p.answer(ctx, call, t.Wait.Kind, step)
	}
	if err != nil {
		return err
	}
	p.show(t)
	if !t.Ended {
		return call.Hangup(ctx)
	}
	return nil
}

func (p *phoneUI) interactive(ctx context.Context, call *twiliosim.Call, t twiliosim.Turn, err error, in *bufio.Scanner) error {
	for {
		if err != nil {
			return err
		}
		p.show(t)
		if t.Ended {
			return nil
		}
		fmt.Fprint(p.w, "you: ")
		if !in.Scan() {
			fmt.Fprintln(p.w)
			if err := in.Err(); err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			return call.Hangup(ctx)
		}
		t, err = p.answer(ctx, call, t.Wait.Kind, in.Text())
	}
}
