package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

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
		`"say: AB12 CDE", "pay: 4242424242424242", "wait" for silence (in the queue or put through: for the desk), "hangup"`)
	api := fs.String("twilio", os.Getenv("PERMITLINE_TWILIO_URL"),
		"the demo's stand-in for Twilio's REST API, whose updates of the call the phone follows (default: --url's port + 1; none = do not follow)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg := line()
	call, err := twiliosim.Dial(ctx, cfg)
	if err != nil {
		return fmt.Errorf("calling %s: %w", cfg.BaseURL, err)
	}
	turn, err := call.Next(ctx)
	p := &phoneUI{w: e.stdout, call: call}
	if u := standIn(*api, cfg.BaseURL); u != "" {
		p.follower = twiliosim.NewFollower(u, call)
		follow, stop := context.WithCancel(ctx)
		defer stop()
		p.updates = p.follower.Run(follow)
	}
	if *keys != "" {
		return p.script(ctx, turn, err, strings.Split(*keys, ";"))
	}
	return p.interactive(ctx, turn, err, lines(e.stdin))
}

// standIn returns the stand-in REST API's URL: flag, unless it is "none", or the line's
// URL base with the next port, where the demo serves its stand-in.
func standIn(flag, base string) string {
	switch flag {
	case "none":
		return ""
	case "":
	default:
		return flag
	}
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port >= 65535 {
		return ""
	}
	u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port+1))
	u.Path, u.RawQuery = "", ""
	return u.String()
}

// lines sends each line read from r, and closes the channel at its end.
func lines(r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		in := bufio.NewScanner(r)
		for in.Scan() {
			ch <- in.Text()
		}
	}()
	return ch
}

// phoneUI shows a call at the terminal: what is spoken, and what is being waited for; and
// follows the REST API's updates of the call, as Twilio would, when it has a follower.
type phoneUI struct {
	w         io.Writer
	call      *twiliosim.Call
	follower  *twiliosim.Follower     // nil: the phone learns of no updates
	updates   <-chan twiliosim.Update // the follower's updates
	party     string                  // who the call is put through to, while it is
	connected bool                    // "connected to" was shown for the Dial the call is in
}

// queueWait is how long a script's "wait" in the queue, or put through, waits for the desk
// to move the call.
const queueWait = 2 * time.Minute

func (p *phoneUI) show(t twiliosim.Turn) {
	for _, s := range t.Said {
		fmt.Fprintf(p.w, "  line: %s\n", s)
	}
	for _, v := range t.Skipped {
		fmt.Fprintf(p.w, "  (the line used <%s>, which this phone does not follow: passed over)\n", v)
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
	case t.Wait.Kind == "record":
		fmt.Fprintf(p.w, "  (recording a message: type it; an empty line records nothing)\n")
	case t.Wait.Kind == "dial":
		who := p.party
		if who == "" {
			who = strings.Join(t.Wait.Targets, ", ")
		}
		if !p.connected {
			fmt.Fprintf(p.w, "  connected to %s\n", who)
			p.connected = true
		}
		fmt.Fprintf(p.w, "  (type what you say; bye when they end the call, hangup to hang up)\n")
	default:
		fmt.Fprintf(p.w, "  (the call waits on something this phone does not know: %q; type hangup)\n", t.Wait.Kind)
	}
}

// answer sends one answer: keys, "say: ...", "pay: CARD", "wait" (silence) or "hangup";
// in a queue, "wait" keeps waiting; put through, it is what the caller says.
func (p *phoneUI) answer(ctx context.Context, t twiliosim.Turn, a string) (twiliosim.Turn, error) {
	call := p.call
	a = strings.TrimSpace(a)
	lower := strings.ToLower(a)
	switch {
	case lower == "hangup":
		return twiliosim.Turn{Ended: true, EndReason: "caller-hangup"}, p.hangup(ctx)
	case t.Wait.Kind == "queue":
		if lower != "" && lower != "wait" {
			fmt.Fprintf(p.w, "  (nobody hears keys or words in the queue)\n")
		}
		return stay(t), nil
	case t.Wait.Kind == "dial":
		if lower == "bye" {
			p.party, p.connected = "", false
			return call.EndDial(ctx, "completed")
		}
		if p.follower != nil && a != "" {
			if err := p.follower.Say(ctx, a); err != nil {
				fmt.Fprintf(p.w, "  (%v)\n", err)
			}
		}
		return stay(t), nil
	case t.Wait.Kind == "record":
		return call.Record(ctx, a)
	case t.Wait.Kind != "gather" && t.Wait.Kind != "pay":
		fmt.Fprintf(p.w, "  (this phone cannot answer %q here)\n", t.Wait.Kind)
		return stay(t), nil
	case lower == "" || lower == "wait":
		return call.Silence(ctx)
	case strings.HasPrefix(lower, "say"):
		return call.Say(ctx, strings.TrimLeft(a[3:], ": "))
	case strings.HasPrefix(lower, "pay"):
		return call.PayWith(ctx, strings.ReplaceAll(strings.TrimLeft(a[3:], ": "), " ", ""))
	case t.Wait.Kind == "pay":
		return call.PayWith(ctx, strings.ReplaceAll(a, " ", ""))
	}
	return call.Press(ctx, strings.ReplaceAll(a, " ", ""))
}

// update follows the REST API's update of the call.
func (p *phoneUI) update(ctx context.Context, u twiliosim.Update) (twiliosim.Turn, error) {
	p.party, p.connected = u.Party, false
	switch {
	case u.Party != "":
		fmt.Fprintf(p.w, "\n  (the desk puts you through to %s)\n", u.Party)
	case u.URL != "":
		fmt.Fprintf(p.w, "\n  (the desk hands you back to the line)\n")
	default:
		fmt.Fprintf(p.w, "\n  (the desk moves the call)\n")
	}
	return p.call.Update(ctx, u)
}

// hangup hangs up, as Twilio tells the line, even when ctx is cancelled (Ctrl-C).
func (p *phoneUI) hangup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return p.call.Hangup(ctx)
}

func (p *phoneUI) script(ctx context.Context, t twiliosim.Turn, err error, steps []string) error {
	for {
		if err != nil {
			return err
		}
		p.show(t)
		if t.Ended {
			return nil
		}
		select {
		case u := <-p.updates:
			t, err = p.update(ctx, u)
			continue
		default:
		}
		if len(steps) == 0 {
			fmt.Fprintf(p.w, "  (the script is over: hanging up)\n")
			return p.hangup(ctx)
		}
		step := strings.TrimSpace(steps[0])
		steps = steps[1:]
		fmt.Fprintf(p.w, "you: %s\n", step)
		if (t.Wait.Kind == "queue" || t.Wait.Kind == "dial") && strings.EqualFold(step, "wait") && p.updates != nil {
			select {
			case u := <-p.updates:
				t, err = p.update(ctx, u)
			case <-time.After(queueWait):
				fmt.Fprintf(p.w, "  (the desk did nothing with the call)\n")
			case <-ctx.Done():
				return p.hangup(ctx)
			}
			continue
		}
		t, err = p.answer(ctx, t, step)
	}
}

func (p *phoneUI) interactive(ctx context.Context, t twiliosim.Turn, err error, in <-chan string) error {
	prompt := true
	for {
		if err != nil {
			return err
		}
		if prompt {
			p.show(t)
			if t.Ended {
				return nil
			}
			fmt.Fprint(p.w, "you: ")
		}
		prompt = true
		select {
		case line, ok := <-in:
			if !ok {
				fmt.Fprintln(p.w)
				return p.hangup(ctx)
			}
			before := t
			t, err = p.answer(ctx, t, line)
			if err == nil && !t.Ended && (t.Wait.Kind == "dial" || t.Wait.Kind == "queue") && sameWait(before, t) {
				fmt.Fprint(p.w, "you: ")
				prompt = false
			}
		case u := <-p.updates:
			t, err = p.update(ctx, u)
		case <-ctx.Done():
			fmt.Fprintln(p.w)
			return p.hangup(ctx)
		}
	}
}

// stay is the turn of an answer that leaves the call where it was, with nothing new heard.
func stay(t twiliosim.Turn) twiliosim.Turn { return twiliosim.Turn{Wait: t.Wait} }

// sameWait says whether an answer left the call where it was (the caller spoke to an
// agent, or waits on in the queue), so the phone asks again without repeating itself.
func sameWait(a, b twiliosim.Turn) bool {
	return a.Wait.Kind == b.Wait.Kind && len(b.Said) == 0 && len(b.Skipped) == 0
}
