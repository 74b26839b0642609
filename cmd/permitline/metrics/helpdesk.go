package metrics

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"permitline/domain"
)

// HelpdeskSource is where the helpdesk's figures come from: a *domain.Service.
type HelpdeskSource interface {
	TodayFigures(ctx context.Context) (domain.HelpdeskFigures, error)
}

// helpdeskGauge is one of the helpdesk's figures at /metrics.
type helpdeskGauge struct {
	desc *prometheus.Desc
	kind prometheus.ValueType
	of   func(f domain.HelpdeskFigures) float64
}

func helpdeskDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("permitline_helpdesk_"+name, help, nil, nil)
}

// helpdeskGauges are the supervisor's figures, as the desk's supervisor page shows them.
var helpdeskGauges = []helpdeskGauge{
	{helpdeskDesc("calls_waiting", "Calls waiting in the helpdesk queue."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.Waiting) }},
	{helpdeskDesc("longest_wait_seconds", "How long the call waiting longest has waited (0 when none waits)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return f.LongestWait.Seconds() }},
	{helpdeskDesc("callbacks_due", "Callbacks due and not yet taken by an agent."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.CallbacksDue) }},
	{helpdeskDesc("voicemails_waiting", "Voicemails waiting to be listened to."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.VoicemailsWaiting) }},
	{helpdeskDesc("agents_signed_in", "Agents signed in at the desk (seen in the last 15 minutes, not signed out)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.AgentsSignedIn) }},
	{helpdeskDesc("agents_on_call", "Agents holding a call."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.AgentsOnCall) }},
	{helpdeskDesc("calls_offered_today", "Calls put through to the helpdesk queue today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.Offered) }},
	{helpdeskDesc("calls_answered_today", "Calls an agent took today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.Answered) }},
	{helpdeskDesc("calls_answered_in_time_today", "Calls taken within the service level's 60 seconds today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.AnsweredInTime) }},
	{helpdeskDesc("calls_abandoned_today", "Callers who hung up in the queue today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.Abandoned) }},
	{helpdeskDesc("average_wait_seconds_today", "The average wait of the calls answered today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return f.AverageWait.Seconds() }},
	{helpdeskDesc("callbacks_made_today", "Callbacks the line made today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.CallbacksMade) }},
	{helpdeskDesc("service_level_percent_today", "Calls answered within 60 seconds, as a percentage of those offered today (London)."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return f.ServiceLevel }},
	{helpdeskDesc("service_level_target_percent", "The council's service level target: this percentage answered within 60 seconds."), prometheus.GaugeValue,
		func(f domain.HelpdeskFigures) float64 { return float64(f.Target) }},
}

// HelpdeskCollector reads the helpdesk's figures from src at each scrape; register it with
// Metrics.Register.
func HelpdeskCollector(src HelpdeskSource, log *slog.Logger) prometheus.Collector {
	return &helpdeskCollector{src: src, log: log}
}

type helpdeskCollector struct {
	src HelpdeskSource
	log *slog.Logger
}

func (c *helpdeskCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range helpdeskGauges {
		ch <- g.desc
	}
}

func (c *helpdeskCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	f, err := c.src.TodayFigures(ctx)
	if err != nil {
		c.log.Error("reading the helpdesk's figures", "error", err)
		for _, g := range helpdeskGauges {
			ch <- prometheus.NewInvalidMetric(g.desc, err)
		}
		return
	}
	for _, g := range helpdeskGauges {
		ch <- prometheus.MustNewConstMetric(g.desc, g.kind, g.of(f))
	}
}
