// Package metrics keeps the line's figures for its operators, served at GET /metrics in
// Prometheus's text format. Some are counted as they happen (the webhooks by route and
// status with their latency, the texts whose send errored); the rest are read from the
// store at every scrape (the writer's queue, the outbox's backlog and failures, the calls
// waiting in the helpdesk queue), so a restart loses none of them. The registry is the
// line's own, never the library's global one; more figures join it as collectors
// (Register).
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"permitline/domain"
)

// Source is what the figures read at scrape time come from: a *domain.Service.
type Source interface {
	LineFigures(ctx context.Context) (domain.LineFigures, error)
	WriterQueue() (int, bool)
}

// LatencyBuckets are the webhook latency histogram's upper bounds, in seconds: a webhook
// takes a few milliseconds, and Twilio gives up on one after 15 s.
var LatencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// ScrapeTimeout bounds the store reads of one scrape.
const ScrapeTimeout = 5 * time.Second

// Metrics is the line's registry and the figures it counts itself. Its methods are safe
// for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	webhooks   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	sendErrors prometheus.Counter
	log        *slog.Logger
}

// New returns the line's metrics, with the Go runtime's and the process's, reading the
// rest from src at each scrape.
func New(src Source, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "permitline_webhooks_total",
			Help: "Twilio webhooks answered, by route pattern and HTTP status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "permitline_webhook_duration_seconds",
			Help:    "Time to answer a Twilio webhook, by route pattern.",
			Buckets: LatencyBuckets,
		}, []string{"route"}),
		sendErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "permitline_text_send_errors_total",
			Help: "Requests to send an outgoing text that failed (an error from the API or the network).",
		}),
		log: log,
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.webhooks, m.latency, m.sendErrors, &storeCollector{src: src, log: log})
	return m
}

// Webhook counts one webhook answered on route (the router's pattern, never the raw path,
// so the labels stay few) with status, in d.
func (m *Metrics) Webhook(route string, status int, d time.Duration) {
	m.webhooks.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// SendErrored counts one request to send a text that failed.
func (m *Metrics) SendErrored() { m.sendErrors.Inc() }

// Register adds more figures to the line's registry.
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// Handler serves the registry in Prometheus's text format. A figure that cannot be read
// is left out of the answer and logged; the others are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: errorLog{m.log},
		ErrorHandling: promhttp.ContinueOnError, Timeout: ScrapeTimeout})
}

// errorLog is promhttp's error log on the line's logger.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) {
	if l.log != nil {
		l.log.Error("serving /metrics", "error", v)
	}
}

// The figures read from the store at scrape time.
var (
	writerQueueDesc = prometheus.NewDesc("permitline_store_writer_queue",
		"Write transactions waiting for the store's one writer, or being committed by it.", nil, nil)
	outboxWaitingDesc = prometheus.NewDesc("permitline_outbox_waiting_texts",
		"Outgoing texts due and not yet sent.", nil, nil)
	outboxOldestDesc = prometheus.NewDesc("permitline_outbox_oldest_waiting_seconds",
		"How long the oldest outgoing text due and not yet sent has waited (0 when none waits).", nil, nil)
	outboxScheduledDesc = prometheus.NewDesc("permitline_outbox_scheduled_texts",
		"Outgoing texts not to be sent before a later moment (reminders).", nil, nil)
	outboxFailedDesc = prometheus.NewDesc("permitline_outbox_failed_texts",
		"Outgoing texts given up after repeated failures, as kept in the outbox.", nil, nil)
	queuedCallsDesc = prometheus.NewDesc("permitline_helpdesk_queued_calls",
		"Calls waiting in the helpdesk queue for an agent.", nil, nil)
)

// storeCollector reads the store's figures when scraped.
type storeCollector struct {
	src Source
	log *slog.Logger
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{writerQueueDesc, outboxWaitingDesc, outboxOldestDesc,
		outboxScheduledDesc, outboxFailedDesc, queuedCallsDesc} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	if n, ok := c.src.WriterQueue(); ok {
		ch <- prometheus.MustNewConstMetric(writerQueueDesc, prometheus.GaugeValue, float64(n))
	}
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	f, err := c.src.LineFigures(ctx)
	if err != nil {
		for _, d := range []*prometheus.Desc{outboxWaitingDesc, outboxOldestDesc, outboxScheduledDesc,
			outboxFailedDesc, queuedCallsDesc} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	oldest := 0.0
	if !f.Outbox.OldestWaiting.IsZero() {
		oldest = max(f.At.Sub(f.Outbox.OldestWaiting).Seconds(), 0)
	}
	for _, g := range []struct {
		d *prometheus.Desc
		v float64
	}{
		{outboxWaitingDesc, float64(f.Outbox.Waiting)},
		{outboxOldestDesc, oldest},
		{outboxScheduledDesc, float64(f.Outbox.Scheduled)},
		{outboxFailedDesc, float64(f.Outbox.Failed)},
		{queuedCallsDesc, float64(f.QueuedCalls)},
	} {
		ch <- prometheus.MustNewConstMetric(g.d, prometheus.GaugeValue, g.v)
	}
}
