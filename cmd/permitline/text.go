package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"permitline/ivr/twiliosim"
)

func runText(ctx context.Context, e *env, args []string) error {
	fs := e.flags("text")
	line := simFlags(fs, "the number texting", "+447700900000", "the line's number for texts")
	pos, err := parseUpTo(fs, args, 1)
	if err != nil {
		return err
	}
	cfg := line()
	send := func(body string) error {
		replies, _, err := twiliosim.SendSMS(ctx, cfg, body)
		if err != nil {
			return fmt.Errorf("texting %s: %w", cfg.BaseURL, err)
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
