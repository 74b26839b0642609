package load

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestWebhooksAreSpreadOverTheNodesAndFailOverWhenOneIsDown(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]string{}
	count := func(name string) int { mu.Lock(); defer mu.Unlock(); return len(seen[name]) }
	node := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			seen[name] = append(seen[name], r.URL.Path+"?"+r.URL.RawQuery+" "+string(body))
		}))
	}
	a, b := node("a"), node("b")
	defer a.Close()
	defer b.Close()
	urls, err := parseNodes(a.URL + ", " + b.URL)
	if err != nil {
		t.Fatal(err)
	}
	tr := &nodesTransport{base: http.DefaultTransport, nodes: urls}
	client := &http.Client{Transport: tr}
	post := func(i int) {
		t.Helper()
		resp, err := client.Post(a.URL+"/twilio/voice/step?s=1", "application/x-www-form-urlencoded", strings.NewReader("Digits=1"))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
	}
	for i := range 4 {
		post(i)
	}
	if count("a") != 2 || count("b") != 2 || tr.failedOver.Load() != 0 {
		t.Fatalf("spread a=%d b=%d, failed over %d; want 2, 2, 0", count("a"), count("b"), tr.failedOver.Load())
	}
	mu.Lock()
	all := append(seen["a"], seen["b"]...)
	mu.Unlock()
	for _, got := range all {
		if got != "/twilio/voice/step?s=1 Digits=1" {
			t.Fatalf("a node received %q", got)
		}
	}

	// Node a dies: every request reaches b, the same request whole.
	a.Close()
	for i := range 4 {
		post(i)
	}
	if count("b") != 6 || tr.failedOver.Load() != 2 {
		t.Fatalf("after a died: b=%d, failed over %d; want 6, 2", count("b"), tr.failedOver.Load())
	}
}

func TestNodesMustBeOnThisMachine(t *testing.T) {
	for _, bad := range []string{"http://10.0.0.1:8080", "http://127.0.0.1:8080,ftp://127.0.0.1", "http://127.0.0.1:1,"} {
		if _, err := parseNodes(bad); err == nil {
			t.Errorf("parseNodes(%q) accepted", bad)
		}
	}
}
