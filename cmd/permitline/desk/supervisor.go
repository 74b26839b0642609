package desk

import (
	"fmt"
	"net/http"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// supervisorView is the supervisor's page: the helpdesk now and its London day.
type supervisorView struct {
	page
	Date     string
	F        domain.HelpdeskFigures
	Longest  string
	Average  string
	Level    string // the service level, as a percentage
	OnTarget bool
	Queue    *queueSection
}

// supervisorPage is GET /desk/supervisor: any signed-in agent may see it (agents have no
// roles).
func (d *desk) supervisorPage(w http.ResponseWriter, r *http.Request, rq *request) {
	f, err := d.svc.TodayFigures(r.Context())
	if err != nil {
		d.internal(w, r, rq, "loading the helpdesk's figures", err)
		return
	}
	q, err := d.queue(r.Context(), rq.csrf)
	if err != nil {
		d.internal(w, r, rq, "loading the queue", err)
		return
	}
	p := &supervisorView{page: d.page(r, rq, "Supervisor"), F: f, Queue: q,
		Date: f.At.In(calendar.London).Format("Monday 2 January 2006"), Longest: waitWords(f.LongestWait),
		Average: waitWords(f.AverageWait), Level: fmt.Sprintf("%.0f%%", f.ServiceLevel),
		OnTarget: f.Offered == 0 || f.ServiceLevel >= float64(f.Target)}
	p.Nav, p.Helpdesk = "supervisor", d.helpdesk()
	d.render(w, http.StatusOK, "supervisor.html", p)
}

// waitWords says a wait in minutes and seconds.
func waitWords(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
}
