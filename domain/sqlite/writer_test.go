package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/sqlite"
)

// Updates that queue while the writer is busy are committed together, and each still
// succeeds or fails alone: a failed or panicked Update leaves nothing, its neighbours in
// the same transaction everything.
func TestGroupCommitKeepsEachUpdateAlone(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	update(t, s, func(tx domain.Tx) error { _, err := tx.UpsertScheme(namedScheme(t, "Taken")); return err })
	before := s.WriterStats()

	// Hold the writer so that the next Updates queue up behind it.
	release := make(chan struct{})
	holding := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.Update(ctx, func(tx domain.Tx) error {
			close(holding)
			<-release
			_, err := tx.UpsertScheme(namedScheme(t, "Held"))
			return err
		})
	}()
	<-holding

	const n = 60
	boom := errors.New("boom")
	outcome := func(i int) string {
		switch {
		case i%10 == 5:
			return "panic"
		case i%7 == 3:
			return "sql error" // a statement SQLite refuses, inside the group's transaction
		case i%3 == 0:
			return "error"
		}
		return "commit"
	}
	errs := make([]error, n)
	panicked := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panicked[i] = recover() }()
			errs[i] = s.Update(ctx, func(tx domain.Tx) error {
				if _, err := tx.UpsertScheme(namedScheme(t, fmt.Sprintf("Scheme %02d", i))); err != nil {
					return err
				}
				switch outcome(i) {
				case "panic":
					panic("boom")
				case "sql error":
					_, err := tx.InsertAddress(domain.Address{Line: "1 Nowhere", Postcode: "CB1 1AA", SchemeID: 999999, Active: true})
					if err == nil {
						return errors.New("an address in a scheme that does not exist was stored")
					}
					return err
				case "error":
					return boom
				}
				return nil
			})
		}()
	}
	time.Sleep(100 * time.Millisecond) // let them queue behind the held Update
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatalf("the held Update: %v", err)
	}

	for i := range n {
		switch outcome(i) {
		case "panic":
			if panicked[i] != "boom" {
				t.Errorf("Update %d: panic %v re-raised in its caller, want boom", i, panicked[i])
			}
		case "sql error":
			if errs[i] == nil {
				t.Errorf("Update %d: nil error, want SQLite's refusal", i)
			}
		case "error":
			if !errors.Is(errs[i], boom) {
				t.Errorf("Update %d: %v, want its fn's error", i, errs[i])
			}
		default:
			if errs[i] != nil || panicked[i] != nil {
				t.Errorf("Update %d: %v %v, want committed", i, errs[i], panicked[i])
			}
		}
	}
	view(t, s, func(r domain.Reader) error {
		for i := range n {
			_, err := r.SchemeByName(fmt.Sprintf("Scheme %02d", i))
			if outcome(i) == "commit" && err != nil {
				t.Errorf("Update %d committed but its scheme is missing: %v", i, err)
			}
			if outcome(i) != "commit" && !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("Update %d failed but its scheme is stored (%v)", i, err)
			}
		}
		return nil
	})

	after := s.WriterStats()
	updates, groups := after.Updates-before.Updates, after.Groups-before.Groups
	if updates != n+1 {
		t.Errorf("writer ran %d Updates, want %d", updates, n+1)
	}
	if groups >= updates {
		t.Errorf("%d Updates in %d transactions: none was grouped", updates, groups)
	}
	t.Logf("%d Updates in %d transactions", updates, groups)
}

// An Update refused because of what an earlier Update of its group wrote (a call
// another agent has just taken) returns only once that write is committed: a read after
// the refusal sees what it was refused on.
func TestARefusalReturnsAfterTheWriteItRestsOn(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	for round := range 20 {
		release := make(chan struct{})
		holding := make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- s.Update(ctx, func(domain.Tx) error { close(holding); <-release; return nil })
		}()
		<-holding
		name := fmt.Sprintf("Claimed %02d", round)
		claim := func(tx domain.Tx) error {
			if _, err := tx.SchemeByName(name); err == nil {
				return domain.ErrTaken
			}
			_, err := tx.UpsertScheme(namedScheme(t, name))
			return err
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				err := s.Update(ctx, claim)
				if errors.Is(err, domain.ErrTaken) {
					// The loser reads at once: the winner's claim must be there.
					if verr := s.View(ctx, func(r domain.Reader) error { _, err := r.SchemeByName(name); return err }); verr != nil {
						err = fmt.Errorf("refused, but the claim it lost to is not visible: %w", verr)
					}
				}
				errs <- err
			}()
		}
		time.Sleep(20 * time.Millisecond) // both claims queue behind the held Update, in one group
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		var won, lost int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				won++
			case errors.Is(err, domain.ErrTaken):
				lost++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won, %d lost", round, won, lost)
		}
	}
}

// An Update whose caller gave up before the writer reached it writes nothing.
func TestUpdateCancelledBeforeItStarts(t *testing.T) {
	s, _ := open(t)
	release := make(chan struct{})
	holding := make(chan struct{})
	go s.Update(context.Background(), func(domain.Tx) error { close(holding); <-release; return nil }) //nolint:errcheck // only holds the writer
	<-holding
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx domain.Tx) error { _, err := tx.UpsertScheme(namedScheme(t, "Too Late")); return err })
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Update cancelled while waiting: %v, want context.Canceled", err)
	}
	view(t, s, func(r domain.Reader) error {
		if _, err := r.SchemeByName("Too Late"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a cancelled Update was written (%v)", err)
		}
		return nil
	})
}

func TestUpdateAfterClose(t *testing.T) {
	s, err := sqlite.Open(context.Background(), t.TempDir()+"/closed.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(domain.Tx) error { return nil }); !errors.Is(err, sqlite.ErrClosed) {
		t.Fatalf("Update after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// The write connection never checkpoints (TestPragmas); the checkpointer copies the WAL
// into the database file beside it, so the file grows while the store is open.
func TestCheckpointsRunBesideTheWriter(t *testing.T) {
	s, path := open(t)
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	for i := range 200 {
		update(t, s, func(tx domain.Tx) error {
			sc := namedScheme(t, fmt.Sprintf("Scheme %03d %s", i, strings.Repeat("x", 2000)))
			_, err := tx.UpsertScheme(sc)
			return err
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+200*2000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes after 400 kB of commits (was %d): nothing checkpointed", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
