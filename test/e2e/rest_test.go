//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rest reads and writes Open WebUI (real or fake) with plain net/http: the
// independent way every effect of a tool is checked.
type rest struct {
	base string
	key  string
	hc   *http.Client
}

func newREST(base, key string) *rest {
	return &rest{base: strings.TrimRight(base, "/"), key: key, hc: &http.Client{
		Timeout: 60 * time.Second,
		// Redirects are answers here (the profile image).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// Loopback only: never through a proxy.
		Transport: &http.Transport{Proxy: nil},
	}}
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) String() string {
	b := string(r.Body)
	if len(b) > 400 {
		b = b[:400] + "…"
	}
	return fmt.Sprintf("HTTP %d %s", r.Status, b)
}

// decode unmarshals the body into out.
func (r reply) decode(t testing.TB, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("decoding %s: %v", r, err)
	}
}

func (c *rest) do(t testing.TB, method, path string, q url.Values, body any) reply {
	t.Helper()
	r, err := c.try(method, path, q, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (c *rest) try(method, path string, q url.Values, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return reply{}, err
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// must is do, failing the test unless the status is 2xx.
func (c *rest) must(t testing.TB, method, path string, q url.Values, body any, out any) reply {
	t.Helper()
	r := c.do(t, method, path, q, body)
	if r.Status/100 != 2 {
		t.Fatalf("%s %s: %s", method, path, r)
	}
	if out != nil {
		r.decode(t, out)
	}
	return r
}

// model is the part of Open WebUI's model record the checks read.
type model struct {
	VersionID    string         `json:"version_id"`
	ID           string         `json:"id"`
	UserID       string         `json:"user_id"`
	BaseModelID  *string        `json:"base_model_id"`
	Name         string         `json:"name"`
	Meta         map[string]any `json:"meta"`
	Params       map[string]any `json:"params"`
	IsActive     bool           `json:"is_active"`
	AccessGrants []grant        `json:"access_grants"`
	UpdatedAt    int64          `json:"updated_at"`
}

type grant struct {
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Permission    string `json:"permission"`
}

func (g grant) String() string { return g.PrincipalType + ":" + g.PrincipalID + ":" + g.Permission }

func (m model) grantSet() map[string]bool {
	out := map[string]bool{}
	for _, g := range m.AccessGrants {
		out[g.String()] = true
	}
	return out
}

func idQ(id string) url.Values { return url.Values{"id": {id}} }

// get reads one model; ok is false when Open WebUI says it does not exist.
func (c *rest) get(t testing.TB, id string) (model, bool) {
	t.Helper()
	r := c.do(t, "GET", "/api/v1/models/model", idQ(id), nil)
	if r.Status == 404 || (r.Status == 401 && strings.Contains(string(r.Body), "could not find")) {
		return model{}, false
	}
	if r.Status != 200 {
		t.Fatalf("GET model %s: %s", id, r)
	}
	var m model
	r.decode(t, &m)
	return m, true
}

func (c *rest) mustGet(t testing.TB, id string) model {
	t.Helper()
	m, ok := c.get(t, id)
	if !ok {
		t.Fatalf("model %s does not exist upstream", id)
	}
	return m
}

// create creates a model as the key's user.
func (c *rest) create(t testing.TB, form map[string]any) model {
	t.Helper()
	for k, v := range map[string]any{"meta": map[string]any{}, "params": map[string]any{}, "access_grants": []any{}, "is_active": true} {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	var m model
	c.must(t, "POST", "/api/v1/models/create", nil, form, &m)
	return m
}

func (c *rest) setAccess(t testing.TB, id string, grants []grant) model {
	t.Helper()
	if grants == nil {
		grants = []grant{}
	}
	var m model
	c.must(t, "POST", "/api/v1/models/model/access/update", nil, map[string]any{"id": id, "access_grants": grants}, &m)
	return m
}

func (c *rest) del(t testing.TB, id string) {
	t.Helper()
	r := c.do(t, "POST", "/api/v1/models/model/delete", nil, map[string]any{"id": id})
	if r.Status != 200 && !strings.Contains(string(r.Body), "could not find") {
		t.Fatalf("delete %s: %s", id, r)
	}
}

type modelList struct {
	Items []model `json:"items"`
	Total int     `json:"total"`
}

func (c *rest) list(t testing.TB, q url.Values) modelList {
	t.Helper()
	var l modelList
	c.must(t, "GET", "/api/v1/models/list", q, nil, &l)
	return l
}

// export reads every custom model (ModelModel records).
func (c *rest) export(t testing.TB) []model {
	t.Helper()
	var ms []model
	c.must(t, "GET", "/api/v1/models/export", nil, nil, &ms)
	return ms
}

func (c *rest) baseRows(t testing.TB) []model {
	t.Helper()
	var ms []model
	c.must(t, "GET", "/api/v1/models/base", nil, nil, &ms)
	return ms
}

func (c *rest) strings(t testing.TB, path string) []string {
	t.Helper()
	var out []string
	c.must(t, "GET", path, nil, nil, &out)
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
