package fakeowui

import (
	"net/http"
	"net/http/httptest"
)

// Transport serves an HTTP client's requests with h in process, without
// sockets: --demo embeds the fake this way, and fuzzing and benchmarks use
// it to spend their time in the code under test.
func Transport(h http.Handler) http.RoundTripper { return transport{h} }

type transport struct{ h http.Handler }

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	// A server request always has a body; a client GET has none.
	if r.Body == nil {
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
