package desk_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/storetest"
)

// helpdeskMetric scrapes /metrics and returns one of the helpdesk's figures.
func helpdeskMetric(t *testing.T, l *servertest.Line, name string) float64 {
	t.Helper()
	w := httptest.NewRecorder()
	l.Metrics.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	f := fams["permitline_helpdesk_"+name]
	if f == nil {
		t.Fatalf("no permitline_helpdesk_%s at /metrics", name)
	}
	return f.Metric[0].GetGauge().GetValue()
}

// sessionOf is the session identifier in a client's desk cookie.
func sessionOf(t *testing.T, l *servertest.Line, c *client) string {
	t.Helper()
	u, _ := url.Parse(l.Srv.URL + "/desk/")
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "desk_session" {
			if parts := strings.Split(ck.Value, "."); len(parts) == 4 {
				return parts[2]
			}
		}
	}
	t.Fatal("no desk session cookie")
	return ""
}

func deskSession(t *testing.T, l *servertest.Line, id string) domain.DeskSession {
	t.Helper()
	var s domain.DeskSession
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { s, err = r.DeskSession(id); return err }); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAgentsSignedInAreCountedInTheStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, e storetest.Engine) {
		l := servertest.NewOn(t, monday, e)
		l.AddAgent("dana", "Dana Reid", "07700 900501", password)
		l.AddAgent("sam", "Sam Cole", "07700 900502", password)
		dana, sam := newClient(t, l.Srv.URL), newClient(t, l.Srv.URL)
		dana.mustSignIn("dana", password)
		if got := helpdeskMetric(t, l, "agents_signed_in"); got != 1 {
			t.Fatalf("agents signed in after Dana signed in: %v, want 1", got)
		}
		sam.mustSignIn("sam", password)
		// A second sign-in of the same agent is the same agent.
		danaAgain := newClient(t, l.Srv.URL)
		danaAgain.mustSignIn("dana", password)
		page := dana.get("/desk/supervisor")
		if !strings.Contains(page.body, `id="agents-signed-in">2<`) {
			t.Errorf("the supervisor page does not show 2 agents signed in:\n%s", page.body)
		}
		if got := helpdeskMetric(t, l, "agents_signed_in"); got != 2 {
			t.Errorf("agents signed in: %v, want 2", got)
		}

		// A request touches its session at most once a minute.
		id := sessionOf(t, l, sam)
		signedInAt := deskSession(t, l, id).LastSeen
		l.Clock.Advance(40 * time.Second)
		sam.get("/desk/")
		if got := deskSession(t, l, id).LastSeen; !got.Equal(signedInAt) {
			t.Errorf("seen again 40 s after signing in: last seen %s, want it left at %s", got, signedInAt)
		}
		l.Clock.Advance(30 * time.Second)
		sam.get("/desk/")
		if got := deskSession(t, l, id).LastSeen; !got.Equal(l.Clock.Now()) {
			t.Errorf("seen again 70 s after signing in: last seen %s, want %s", got, l.Clock.Now())
		}

		// Sam signs out: out of the count at once, and the cookie is refused on another node
		// (a new service and desk on the same store).
		u, _ := url.Parse(l.Srv.URL + "/desk/")
		var cookie *http.Cookie
		for _, ck := range sam.hc.Jar.Cookies(u) {
			if ck.Name == "desk_session" {
				cookie = ck
			}
		}
		if r := sam.act("/desk/logout", nil); r.status != http.StatusSeeOther {
			t.Fatalf("signing out: %d", r.status)
		}
		if s := deskSession(t, l, id); s.SignedOutAt.IsZero() {
			t.Errorf("Sam's session is not marked signed out: %+v", s)
		}
		if got := helpdeskMetric(t, l, "agents_signed_in"); got != 1 {
			t.Errorf("agents signed in after Sam signed out: %v, want 1", got)
		}
		l.Restart()
		req, _ := http.NewRequest(http.MethodGet, l.Srv.URL+"/desk/", nil)
		req.AddCookie(cookie)
		if r := newClient(t, l.Srv.URL).do(req); r.status != http.StatusSeeOther {
			t.Errorf("a signed-out session on another node: %d, want a redirect to sign in", r.status)
		}

		// Dana's desk goes quiet: after 15 minutes unseen she is no longer counted, and
		// counted again when she comes back.
		l.Clock.Advance(domain.SignedInWithin)
		if got := helpdeskMetric(t, l, "agents_signed_in"); got != 0 {
			t.Errorf("agents signed in after 15 minutes unseen: %v, want 0", got)
		}
		if r := dana.get("/desk/supervisor"); !strings.Contains(r.body, `id="agents-signed-in">1<`) {
			t.Errorf("Dana back at the desk is not counted:\n%s", r.body)
		}
	})
}
