package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"permitline/domain/phone"
	"permitline/fixtures"
	"permitline/ivr/twiliosim"
)

func runText(ctx context.Context, e *env, args []string) error {
	fs := e.flags("text")
	from := fs.String("from", "07700900123", "the number texting")
	to := fs.String("to", "+447700900000", "the line's number for texts")
	base := fs.String("url", envOr("PERMITLINE_URL", "http://127.0.0.1:8080"), "the server, as Twilio reaches it")
	public := fs.String("public-url", os.Getenv("PERMITLINE_PUBLIC_URL"), "the public URL the server signs against (default --url)")
	pos, err := parseUpTo(fs, args, 1)
	if err != nil {
		return err
	}
	sender := *from
	if e164, err := phone.Parse(sender); err == nil {
		sender = e164
	}
	cfg := twiliosim.Config{BaseURL: *base, PublicURL: *public, AuthToken: envOr("TWILIO_AUTH_TOKEN", DemoAuthToken),
		AccountSid: envOr("TWILIO_ACCOUNT_SID", fixtures.DemoAccountSid), From: sender, To: *to}
	send := func(body string) error {
		replies, _, err := twiliosim.SendSMS(ctx, cfg, body)
		if err != nil {
			return fmt.Errorf("texting %s: %w", *base, err)
		}
		if len(replies) == 0 {
			fmt.Fprintln(e.stdout, "  (no reply)")
		}
		for _, r := range replies {
			fmt.Fprintf(e.stdout, "  line: %s\n", r)
		}
		return nil
	}
	if len(pos) == 1 {
		return send(pos[0])
	}
	fmt.Fprintln(e.stdout, "Type a text and press Enter; an empty line or end of input stops.")
	in := bufio.NewScanner(e.stdin)
	for {
		fmt.Fprint(e.stdout, "you: ")
		if !in.Scan() || strings.TrimSpace(in.Text()) == "" {
			fmt.Fprintln(e.stdout)
			return in.Err()
		}
		if err := send(in.Text()); err != nil {
			return err
		}
	}
}
