package server

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"

	"permitline/cmd/permitline/desk"
	"permitline/domain"
	"permitline/domain/calendar"
)

// VersionHeader carries the running build's version (see Version) on /healthz.
const VersionHeader = "Permitline-Version"

// Version is the running build's version: the module's version and VCS revision where
// the build recorded them (go build in a checkout does); "devel" for a build without a
// version (go run, go test).
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	version := "devel"
	if v := info.Main.Version; v != "" && v != "(devel)" {
		version = v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += ", modified"
		}
		version += " (revision " + rev + ")"
	}
	return version
}

// startPage is the page at /: what is running, and where Twilio and people reach it.
// Like the desk's pages it needs no script, and its only style is the desk's stylesheet.
var startPage = template.Must(template.New("start").Parse(`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Visitor permit line</title>
<link rel="stylesheet" href="/desk/static/desk.css">
</head>
<body>
<header class="top">
<div class="wrap bar">
<p class="brand">Visitor permit line <span>permitline {{.Version}}</span></p>
</div>
</header>
<main id="main" class="wrap">
<h1>The visitor permit line is running</h1>
<p>Version <strong>{{.Version}}</strong>. The line’s clock reads <strong>{{.Clock}}</strong> (London).</p>
<h2>Twilio webhooks</h2>
<p>Set these on the Twilio phone number (HTTP POST):</p>
<dl>
<dt>A call comes in</dt><dd><code>{{.Public}}/twilio/voice</code></dd>
<dt>Call status changes</dt><dd><code>{{.Public}}/twilio/voice/status</code></dd>
<dt>A message comes in</dt><dd><code>{{.Public}}/twilio/sms</code></dd>
</dl>
<p>The status of each text the line sends comes back to <code>{{.Public}}/twilio/sms/status</code>, which the line names itself.</p>
<h2>For people</h2>
<ul>
<li><a href="/desk/">The helpdesk desk</a>: agents sign in to take calls, see today’s calls and refunds due.</li>
<li><a href="/healthz">/healthz</a>: answers <code>ok</code> while the line runs, with the line’s clock and version in its headers.</li>
{{if .Metrics}}<li><code>/metrics</code>: the line’s figures in Prometheus’s text format, for the ops team: with a bearer token when <code>PERMITLINE_METRICS_TOKEN</code> is set, else from this machine alone.</li>
{{end}}</ul>
</main>
</body>
</html>
`))

// start serves the start page.
func start(public string, withMetrics bool, svc *domain.Service, log *slog.Logger) http.HandlerFunc {
	version := Version()
	return func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		err := startPage.Execute(&buf, struct {
			Version, Public, Clock string
			Metrics                bool
		}{version, public, svc.Now().In(calendar.London).Format("Mon 2 Jan 2006 15:04"), withMetrics})
		if err != nil {
			log.Error("rendering the start page", "error", err)
			http.Error(w, "the start page could not be shown", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The desk's policy, with nothing to run: the page has no script and no form.
		desk.SecurityHeaders(w.Header(), "default-src 'none'; style-src 'self'; img-src 'self'; "+
			"form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
		_, _ = w.Write(buf.Bytes())
	}
}
