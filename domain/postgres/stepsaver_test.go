package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/storetest"
)

// conversations inserts n voice conversations, at version 1, for the step-saving tests.
func conversations(t *testing.T, s *postgres.Store, n int) []domain.Conversation {
	t.Helper()
	now := time.Date(2026, time.December, 7, 9, 30, 0, 0, time.UTC)
	out := make([]domain.Conversation, n)
	if err := s.Update(context.Background(), func(tx domain.Tx) error {
		for i := range out {
			c, err := tx.InsertConversation(domain.Conversation{Channel: domain.ChannelVoice,
				Key: fmt.Sprintf("CA%032d", i), Flow: "menu", State: "main", Data: []byte(`{}`),
				CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)})
			if err != nil {
				return err
			}
			out[i] = c
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// saveStep saves c at its version with the reply for step, as the runner does.
func saveStep(tx domain.Tx, c domain.Conversation, step int) error {
	saved, err := tx.UpdateConversation(c)
	if err != nil {
		return err
	}
	return tx.InsertStepReply(domain.StepReply{ConversationID: saved.ID, Step: step,
		InputHash: "h", Reply: []byte("<Response/>"), CreatedAt: c.UpdatedAt})
}

// Two calls' step saves, on two nodes, run at the same time: each waits inside its
// transaction for the other to have begun, which one at a time could never do.
func TestStepSavesOnTwoNodesRunBesideEachOther(t *testing.T) {
	addr := storetest.PostgresDatabase(t)
	nodes := []*postgres.Store{storetest.OpenPostgres(t, addr), storetest.OpenPostgres(t, addr)}
	convs := conversations(t, nodes[0], 2)
	var begun [2]chan struct{}
	for i := range begun {
		begun[i] = make(chan struct{})
	}
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			errs <- nodes[i].SaveSteps(context.Background(), func(tx domain.Tx) error {
				if err := saveStep(tx, convs[i], 1); err != nil {
					return err
				}
				close(begun[i])
				select {
				case <-begun[1-i]:
					return nil
				case <-time.After(20 * time.Second):
					return errors.New("the other node's save never began beside this one")
				}
			})
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// A step save waits while an Update holds the writer lock (an Update may read the
// conversation to change it), and runs once it has committed.
func TestAStepSaveWaitsForAnUpdate(t *testing.T) {
	addr := storetest.PostgresDatabase(t)
	nodes := []*postgres.Store{storetest.OpenPostgres(t, addr), storetest.OpenPostgres(t, addr)}
	c := conversations(t, nodes[0], 1)[0]
	ctx := context.Background()
	watch, err := pgx.Connect(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)

	holding, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	defer let() // a failing test still ends the Update, so its database can be dropped
	updated := make(chan error, 1)
	go func() {
		updated <- nodes[0].Update(ctx, func(tx domain.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	var saving atomic.Bool
	saved := make(chan error, 1)
	go func() {
		saved <- nodes[1].SaveSteps(ctx, func(tx domain.Tx) error {
			saving.Store(true)
			return saveStep(tx, c, 1)
		})
	}()
	// The save is queued on the lock: PostgreSQL shows its request not granted.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var waiting int
		if err := watch.QueryRow(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the step save never queued for the writer lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if saving.Load() {
		t.Fatal("the step save ran while an Update held the writer lock")
	}
	let()
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	if err := nodes[0].View(ctx, func(r domain.Reader) error {
		_, err := r.StepReply(c.ID, 1)
		return err
	}); err != nil {
		t.Fatalf("the reply kept for step 1: %v", err)
	}
}

// Sixty saves of one conversation at one version, across two nodes at once (a webhook
// retried onto both): exactly one is saved, the others are told of the conflict.
func TestOneStepSavedOnceAcrossNodes(t *testing.T) {
	addr := storetest.PostgresDatabase(t)
	nodes := []*postgres.Store{storetest.OpenPostgres(t, addr), storetest.OpenPostgres(t, addr)}
	c := conversations(t, nodes[0], 1)[0]
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- nodes[i%2].SaveSteps(context.Background(), func(tx domain.Tx) error { return saveStep(tx, c, 1) })
		}()
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, domain.ErrConflict):
			t.Fatalf("a losing save: %v, want domain.ErrConflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d saves won, want 1", won)
	}
	var got domain.Conversation
	if err := nodes[1].View(context.Background(), func(r domain.Reader) (err error) {
		got, err = r.ConversationByKey(domain.ChannelVoice, c.Key)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got.Version != c.Version+1 {
		t.Fatalf("conversation at version %d, want %d", got.Version, c.Version+1)
	}
}
