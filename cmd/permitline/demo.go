package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"permitline/domain/phone"
	"permitline/fixtures"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := e.flags("demo")
	fresh := fs.Bool("fresh", false, "delete the database file first")
	seedOnly := fs.Bool("seed-only", false, "seed the demo accounts and exit, without running the line")
	addr := fs.String("addr", envOr("PERMITLINE_ADDR", "127.0.0.1:8080"), "address to listen on")
	if _, err := parse(fs, args, 0); err != nil {
		return err
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
		people, err := fixtures.SeedDemo(ctx, e.store, e.svc.Holidays(), e.clock.Now(), e.pinCost)
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
	if *seedOnly {
		return nil
	}
	fmt.Fprintf(e.stdout, "\nThe demo line is starting. In another terminal, call it:\n"+
		"    go run ./cmd/permitline call --from 07700900123\n\n")
	return e.serve(ctx, *addr, "", DemoAuthToken)
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
