package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// The Go benchmarks measure the in-process parts of rows 2 and 5 of
// BENCHMARKS.md with the upstream in memory (no sockets), each beside its
// baseline: "Server" runs the real MCP server (tools.Build) through
// mcp-go's in-process client, "Direct" does the same upstream work with a
// plain http.Client. The difference is the server's own cost per call,
// without any transport. test/bench/cmd/report runs them with -count 5.

const memURL = "http://upstream.invalid"

func directGet(b *testing.B, hc *http.Client, u string) {
	resp, err := hc.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", u, resp.Status)
	}
}

type keyed struct{ rt http.RoundTripper }

func (k keyed) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
	r.Header.Set("Accept", "application/json")
	return k.rt.RoundTrip(r)
}

// BenchmarkGetModel: one get_model call (row 2 without stdio).
func BenchmarkGetModel(b *testing.B) {
	fake := DemoFake()
	rt := fakeowui.Transport(fake)
	b.Run("Server", func(b *testing.B) {
		p, err := NewInProcess(memURL, rt, AllTools)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		ctx := context.Background()
		args := map[string]any{"id": DemoModelID}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			res, err := p.Call(ctx, "get_model", args)
			if err != nil || res.IsError {
				b.Fatalf("get_model: %v %+v", err, res)
			}
			if i%4096 == 0 {
				fake.ResetRequests() // the fake logs every request
			}
		}
	})
	b.Run("Direct", func(b *testing.B) {
		hc := &http.Client{Transport: keyed{rt}}
		u := memURL + "/api/v1/models/model?id=" + url.QueryEscape(DemoModelID)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			directGet(b, hc, u)
			if i%4096 == 0 {
				fake.ResetRequests()
			}
		}
	})
}

// BenchmarkListModelsAll: list_models all=true over 10,000 upstream models
// (row 5 without stdio): compact rows, full rows, and the same 334 upstream
// pages fetched directly. B/op is the memory allocated per listing.
func BenchmarkListModelsAll(b *testing.B) {
	const n = 10000
	fake := SyntheticFake(n)
	rt := fakeowui.Transport(fake)
	for _, detail := range []string{"compact", "full"} {
		b.Run("Server/"+detail, func(b *testing.B) {
			p, err := NewInProcess(memURL, rt, AllTools)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			args := map[string]any{"all": true, "limit": n, "detail": detail}
			b.ReportAllocs()
			for b.Loop() {
				res, err := p.Call(context.Background(), "list_models", args)
				if err != nil || res.IsError {
					b.Fatalf("list_models: %v %+v", err, res)
				}
				fake.ResetRequests()
			}
		})
	}
	b.Run("Direct", func(b *testing.B) {
		hc := &http.Client{Transport: keyed{rt}}
		b.ReportAllocs()
		for b.Loop() {
			for page := 1; ; page++ {
				resp, err := hc.Get(memURL + "/api/v1/models/list?order_by=created_at&direction=desc&page=" + strconv.Itoa(page))
				if err != nil {
					b.Fatal(err)
				}
				var body struct {
					Items []json.RawMessage `json:"items"`
					Total int               `json:"total"`
				}
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(body.Items) < 30 || page*30 >= body.Total {
					break
				}
			}
			fake.ResetRequests()
		}
	})
}

// BenchmarkToolsList: tools/list with every tool on (row 4's payload), in process.
func BenchmarkToolsList(b *testing.B) {
	p, err := NewInProcess(memURL, fakeowui.Transport(DemoFake()), AllTools)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Client.ListTools(context.Background(), mcp.ListToolsRequest{})
		if err != nil || len(res.Tools) == 0 {
			b.Fatalf("tools/list: %v", err)
		}
	}
}
