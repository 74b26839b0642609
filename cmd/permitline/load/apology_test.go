package load

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr"
)

// failingStore is the line's store with its n-th Update (and only that one) failing, as a
// store that lost its connection for a moment would.
type failingStore struct {
	*sqlite.Store
	fail  int64
	calls atomic.Int64
}

func (s *failingStore) Update(ctx context.Context, fn func(domain.Tx) error) error {
	if s.calls.Add(1) == s.fail {
		return errors.New("the store is unreachable for a moment")
	}
	return s.Store.Update(ctx, fn)
}

// TestApologiesAreCountedByConversation: a line whose store fails one step answers that
// step with its apology; the report says one conversation heard one, and that
// conversation failed (the load expected the next question instead).
func TestApologiesAreCountedByConversation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "line.db")
	// The residents are seeded through a store of the load's own before the line's store
	// sees anything: the line's updates are the run's webhooks alone.
	sq, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	store := &failingStore{Store: sq, fail: 9}
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	svc := domain.New(domain.Config{Store: store, Clock: domain.StartingAt(DefaultNow), Holidays: fixtures.MustBankHolidays(),
		PIN: pin.TestKeyed()})
	line := server.New(server.Config{PublicURL: base, AuthToken: DemoAuthToken, AccountSid: fixtures.DemoAccountSid,
		Voice: ivr.DefaultVoice}, svc, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	srv := server.HTTPServer(line)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })

	rep, err := Run(context.Background(), Options{URL: base, DBPath: path, PIN: pin.TestKeyed(), Now: DefaultNow,
		Calls: 4, Concurrency: 1, Residents: 4, Seed: 11, Mix: Mix{Activate: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if store.calls.Load() < store.fail {
		t.Fatalf("the line made %d updates; the %d-th was to fail", store.calls.Load(), store.fail)
	}
	if rep.Apologised != 1 || rep.MostApologies != 1 {
		t.Errorf("the report says %d conversations heard an apology, at most %d in one; want 1 and 1",
			rep.Apologised, rep.MostApologies)
	}
	if rep.Failed != 1 || rep.Completed != 3 {
		t.Errorf("%d conversations completed and %d failed; want 3 and the one that heard the apology", rep.Completed, rep.Failed)
	}
}
