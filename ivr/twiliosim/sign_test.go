package twiliosim

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"
)

const testToken = "12345"

func TestSignOfficialVector(t *testing.T) {
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675309"},
		"Digits":  {"1234"},
		"From":    {"+14158675309"},
		"To":      {"+18005551212"},
	}
	for _, tc := range []struct{ url, want string }{
		{"https://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{"http://mycompany.com:80/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="},
		{"http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
	} {
		if got := Sign(testToken, tc.url, params); got != tc.want {
			t.Errorf("Sign(%s) = %s, want %s", tc.url, got, tc.want)
		}
	}
	// Twilio's JSON-body form: the URL carries bodySHA256 and no params are appended.
	bare := "https://mycompany.com/myapp.php?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	if got, want := Sign(testToken, bare, nil), "y77kIzt2vzLz71DgmJGsen2scGs="; got != want {
		t.Errorf("Sign(%s) = %s, want %s", bare, got, want)
	}
}

// TestSignSamples checks every row of testdata/signatures-token-12345.tsv (signatures of
// the sample webhook bodies in testdata, with the token 12345) against the body it names.
func TestSignSamples(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "signatures-token-12345.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "file\t") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			t.Fatalf("bad row %q", line)
		}
		// twilio_voice_incoming_call.txt names testdata/voice-incoming-call.form
		name := strings.TrimSuffix(strings.TrimPrefix(cols[0], "twilio_"), ".txt")
		name = strings.ReplaceAll(name, "_", "-") + ".form"
		params := readForm(t, name)
		if got := Sign(testToken, cols[1], params); got != cols[2] {
			t.Errorf("%s: Sign = %s, want %s", name, got, cols[2])
		}
		v := client.NewRequestValidator(testToken)
		if !v.Validate(cols[1], flat(params), cols[2]) {
			t.Errorf("%s: twilio-go rejects %s", name, cols[2])
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != 9 {
		t.Errorf("checked %d rows, want 9", rows)
	}
}

// TestSignRoundTrip checks that twilio-go's validator accepts what Sign makes, for random
// parameters, including URL-encoded queries, non-ASCII text and empty values.
func TestSignRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcXYZ019 +&=%?#/é£😀\n")
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	urls := []string{
		"https://permitline.example.org/twilio/voice",
		"https://permitline.example.org/twilio/voice/gather?step=vrm&next=%2Fmenu",
		"http://127.0.0.1:8080/twilio/sms",
	}
	v := client.NewRequestValidator(testToken)
	for i := range 200 {
		params := url.Values{}
		for range r.IntN(30) {
			params.Set(word(1+r.IntN(12)), word(r.IntN(20)))
		}
		u := urls[i%len(urls)]
		sig := Sign(testToken, u, params)
		if !v.Validate(u, flat(params), sig) {
			t.Fatalf("twilio-go rejects Sign(%q, %q) = %s", u, params, sig)
		}
		if v.Validate(u, flat(params), Sign("54321", u, params)) {
			t.Fatalf("twilio-go accepts a signature made with another token")
		}
	}
}

func TestNewRequest(t *testing.T) {
	params := readForm(t, "voice-incoming-call.form")
	const u = "https://mycompany.com/voice/incoming"
	req, err := NewRequest(context.Background(), testToken, u, params)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL.String() != u {
		t.Errorf("request is %s %s", req.Method, req.URL)
	}
	for k, want := range map[string]string{
		"Content-Type":       "application/x-www-form-urlencoded",
		"User-Agent":         "TwilioProxy/1.1",
		"X-Twilio-Signature": "qF8JHIZjYl5LNu7nnByI3aErKGM=",
	} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if tok := req.Header.Get("I-Twilio-Idempotency-Token"); len(tok) != 36 {
		t.Errorf("I-Twilio-Idempotency-Token = %q", tok)
	}
	body, _ := io.ReadAll(req.Body)
	v := client.NewRequestValidator(testToken)
	if !v.ValidateBody(u, body, req.Header.Get("X-Twilio-Signature")) {
		t.Errorf("twilio-go rejects the request body %s", body)
	}
}

// readForm reads a sample body from testdata.
func readForm(t *testing.T, name string) url.Values {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	v, err := url.ParseQuery(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// flat returns the first value of each parameter, as twilio-go's validator takes them.
func flat(v url.Values) map[string]string {
	m := map[string]string{}
	for k := range v {
		m[k] = v.Get(k)
	}
	return m
}
