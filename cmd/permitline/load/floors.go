package load

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/twilio/twilio-go/twiml"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr/twiliosim"
)

// Floor is one floor measurement: the same client, concurrency and number of requests as
// the run, against a handler that does nothing but (for the storage floor) one write.
type Floor struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Elapsed  Millis  `json:"elapsed_ms"`
	RPS      float64 `json:"requests_per_second"`
	Latency  Latency `json:"latency"`
	// CPUPerRequest is the process's CPU time a request, client and server together; 0
	// when it cannot be read.
	CPUPerRequest Millis `json:"cpu_per_request_ms,omitempty"`
}

// Floors are the two floors and the run's throughput as a fraction of the lower.
type Floors struct {
	HTTP    Floor   `json:"http"`
	Storage Floor   `json:"storage"`
	Ratio   float64 `json:"ratio_to_floor"`
	Lower   string  `json:"lower"` // the name of the lower floor
	// CPURatio is the lower floor's CPU time a request over the run's CPU time a webhook:
	// the ratio a run would reach if it and the floor were both bound by the CPU alone.
	// 0 unless the run was in-process (its CPU time known).
	CPURatio float64 `json:"cpu_ratio,omitempty"`
}

// emptyTwiML is the floors' answer: an empty TwiML document, as twilio-go writes it.
var emptyTwiML = func() string {
	doc, err := twiml.Voice(nil)
	if err != nil {
		panic("rendering an empty <Response>: " + err.Error()) // a constant document: cannot fail
	}
	return doc
}()

// httpFloorHandler is an empty chi router: one route that answers 200 with emptyTwiML.
func httpFloorHandler() http.Handler {
	r := chi.NewRouter()
	r.Post("/twilio/voice/step", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, emptyTwiML)
	})
	return r
}

// storageFloorHandler commits one write per request through a store opened as the line
// opens its own: domain/sqlite.Open (WAL, synchronous=NORMAL, one writer, BEGIN IMMEDIATE)
// or domain/postgres.Open (a pool, each Update under the one writer lock).
func storageFloorHandler(store domain.Store) http.Handler {
	r := chi.NewRouter()
	r.Post("/twilio/voice/step", func(w http.ResponseWriter, req *http.Request) {
		err := store.Update(req.Context(), func(tx domain.Tx) error {
			return tx.AppendAudit(domain.AuditEntry{At: time.Now(), Actor: domain.Admin("load"), Action: "load.floor",
				Detail: "one committed write"})
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, emptyTwiML)
	})
	return r
}

// measureFloors runs both floors with n requests each. The storage floor writes on the
// run's own engine: a fresh SQLite file in dir, or, when the line's database db is a
// PostgreSQL address, that database itself (its audit trail gains one entry a request,
// after the run's check has read it).
func measureFloors(ctx context.Context, client *http.Client, dir, db, token string, n, concurrency int,
	runRate float64, runCPU Millis) (*Floors, error) {
	h, err := runFloor(ctx, "http floor (empty chi handler)", httpFloorHandler(), client, token, n, concurrency)
	if err != nil {
		return nil, err
	}
	var store domain.Store
	name := "storage floor (one committed write)"
	if isPostgres(db) {
		store, err = postgres.Open(ctx, db)
		name = "storage floor (one committed write, PostgreSQL)"
	} else {
		store, err = sqlite.Open(ctx, filepath.Join(dir, "floor.db"))
	}
	if err != nil {
		return nil, err
	}
	s, err := runFloor(ctx, name, storageFloorHandler(store), client, token, n, concurrency)
	store.Close()
	if err != nil {
		return nil, err
	}
	f := &Floors{HTTP: h, Storage: s}
	lower := h
	if s.RPS < h.RPS {
		lower = s
	}
	f.Lower = lower.Name
	if lower.RPS > 0 {
		f.Ratio = runRate / lower.RPS
	}
	if runCPU > 0 {
		f.CPURatio = float64(lower.CPUPerRequest) / float64(runCPU)
	}
	return f, nil
}

// runFloor serves handler on 127.0.0.1 as the line is served and sends it n signed form
// posts, like a step of a call, from concurrency workers sharing client.
func runFloor(ctx context.Context, name string, handler http.Handler, client *http.Client, token string, n, concurrency int) (Floor, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Floor{}, err
	}
	srv := server.HTTPServer(handler)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	target := "http://" + ln.Addr().String() + "/twilio/voice/step?s=3"
	params := url.Values{"AccountSid": {fixtures.DemoAccountSid}, "ApiVersion": {"2010-04-01"},
		"CallSid": {"CA" + fmt.Sprintf("%032d", 1)}, "CallStatus": {"in-progress"}, "Direction": {"inbound"},
		"From": {"+447400000001"}, "To": {voiceLine}, "Caller": {"+447400000001"}, "Called": {voiceLine},
		"Digits": {"1"}, "FromCountry": {"GB"}, "ToCountry": {"GB"}, "CallerCountry": {"GB"}, "CalledCountry": {"GB"},
		"FromCity": {""}, "ToCity": {""}, "FromZip": {""}, "ToZip": {""}, "FromState": {""}, "ToState": {""}}

	var next, errs atomic.Int64
	var mu sync.Mutex
	var ds []time.Duration
	var wg sync.WaitGroup
	start, cpu := time.Now(), startCPU()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &trace{step: "floor"}
			tctx := withTrace(ctx, tr)
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				req, err := twiliosim.NewRequest(tctx, token, target, params)
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("status %s", resp.Status)
						}
					}
				}
				if err != nil {
					errs.Add(1)
				}
			}
			mu.Lock()
			for _, s := range tr.samples {
				ds = append(ds, s.d)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu.stop()
	f := Floor{Name: name, Requests: len(ds), Errors: int(errs.Load()), Elapsed: Millis(elapsed), Latency: latencyOf("floor", ds),
		CPUPerRequest: cpu.per(len(ds))}
	if elapsed > 0 {
		f.RPS = float64(len(ds)) / elapsed.Seconds()
	}
	return f, ctx.Err()
}
