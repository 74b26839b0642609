package desk

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// supervisorView is the supervisor's page: the helpdesk now and its London day.
type supervisorView struct {
	page
	Figures *figuresView
	Queue   *queueSection
}

// figuresView is the supervisor's figures, now and today, as the page and the live
// stream show them.
type figuresView struct {
	Date     string
	F        domain.HelpdeskFigures
	Longest  string
	Average  string
	Level    string // the service level, as a percentage
	OnTarget bool
	// NoneYet is true while no call today has been answered or abandoned: the calls
	// offered are all still waiting, and a percentage would say they had failed.
	NoneYet bool
}

// supervisorPage is GET /desk/supervisor: any signed-in agent may see it (agents have no
// roles). With JavaScript on, the figures and the queue follow the store live (the
// desk's event stream, asked for the figures too); without it, it is a plain page.
func (d *desk) supervisorPage(w http.ResponseWriter, r *http.Request, rq *request) {
	f, err := d.figures(r.Context())
	if err != nil {
		d.internal(w, r, rq, "loading the helpdesk's figures", err)
		return
	}
	q, err := d.queue(r.Context(), rq.csrf)
	if err != nil {
		d.internal(w, r, rq, "loading the queue", err)
		return
	}
	p := &supervisorView{page: d.page(r, rq, "Supervisor"), Figures: f, Queue: q}
	p.Nav, p.Helpdesk = "supervisor", d.helpdesk()
	d.render(w, http.StatusOK, "supervisor.html", p)
}

// figures reads the helpdesk's figures and writes them as the page shows them.
func (d *desk) figures(ctx context.Context) (*figuresView, error) {
	f, err := d.svc.TodayFigures(ctx)
	if err != nil {
		return nil, err
	}
	return &figuresView{F: f, Date: f.At.In(calendar.London).Format("Monday 2 January 2006"),
		Longest: waitWords(f.LongestWait), Average: waitWords(f.AverageWait),
		Level: fmt.Sprintf("%.0f%%", f.ServiceLevel), OnTarget: f.Offered == 0 || f.ServiceLevel >= float64(f.Target),
		NoneYet: f.Answered+f.Abandoned == 0}, nil
}

// figuresFragment renders the figures alone, for the live page.
func (d *desk) figuresFragment(ctx context.Context) (string, error) {
	f, err := d.figures(ctx)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := d.pages["supervisor.html"].ExecuteTemplate(&buf, "supervisor-figures", f); err != nil {
		return "", fmt.Errorf("rendering the figures: %w", err)
	}
	return buf.String(), nil
}

// waitWords says a wait in minutes and seconds.
func waitWords(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
}
