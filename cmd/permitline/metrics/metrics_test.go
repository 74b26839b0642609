package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"permitline/cmd/permitline/metrics"
	"permitline/domain"
)

// brokenStore is a Source whose store cannot be read.
type brokenStore struct{}

func (brokenStore) LineFigures(context.Context) (domain.LineFigures, error) {
	return domain.LineFigures{}, errors.New("database is locked")
}
func (brokenStore) WriterQueue() (int, bool) { return 2, true }

// A store that cannot be read leaves its figures out, logged, and the rest are served.
func TestAStoreThatCannotBeReadLeavesTheOtherFigures(t *testing.T) {
	var logs strings.Builder
	m := metrics.New(brokenStore{}, slog.New(slog.NewTextHandler(&logs, nil)))
	m.Webhook("/twilio/voice", 200, 3*time.Millisecond)
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if fams["permitline_outbox_waiting_texts"] != nil || fams["permitline_helpdesk_queued_calls"] != nil {
		t.Errorf("figures of a store that cannot be read were served")
	}
	if f := fams["permitline_store_writer_queue"]; f == nil || f.Metric[0].GetGauge().GetValue() != 2 {
		t.Errorf("writer queue: %v", f)
	}
	h := fams["permitline_webhook_duration_seconds"]
	if h == nil || h.Metric[0].GetHistogram().GetSampleCount() != 1 {
		t.Errorf("latency: %v", h)
	}
	// The 3 ms webhook falls in the 5 ms bucket and above, not in 2.5 ms.
	for _, b := range h.Metric[0].GetHistogram().GetBucket() {
		want := uint64(0)
		if b.GetUpperBound() >= .005 {
			want = 1
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%g: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
}

// The cost of counting one webhook.
func BenchmarkWebhook(b *testing.B) {
	m := metrics.New(brokenStore{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	b.ReportAllocs()
	for b.Loop() {
		m.Webhook("/twilio/voice/step", 200, 4*time.Millisecond)
	}
}
