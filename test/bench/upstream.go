package bench

import (
	"fmt"
	"net/http/httptest"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// Upstream is a fake Open WebUI served on a loopback port.
type Upstream struct {
	Fake *fakeowui.Server
	HTTP *httptest.Server
}

// URL is the root URL of the upstream (http://127.0.0.1:port).
func (u *Upstream) URL() string { return u.HTTP.URL }

// Close stops the listener.
func (u *Upstream) Close() { u.HTTP.Close() }

// NewUpstream serves fake on 127.0.0.1 (httptest binds loopback only).
func NewUpstream(fake *fakeowui.Server) *Upstream {
	return &Upstream{Fake: fake, HTTP: httptest.NewServer(fake)}
}

// DemoFake is a fake seeded with the demo data (36 custom models).
func DemoFake() *fakeowui.Server {
	f := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(f)
	return f
}

// DemoModelID is the model every get_model call asks for: an ordinary demo
// model with tags, a group grant, a system prompt and a description.
const DemoModelID = "code-reviewer"

// DemoCustomModels are the 36 custom models of the demo seed, sorted by id.
func DemoCustomModels() []fakeowui.Model {
	var out []fakeowui.Model
	for _, m := range DemoFake().Models() {
		if m.BaseModelID != nil {
			out = append(out, m)
		}
	}
	return out
}

// SyntheticFake is a fake holding n custom models and nothing else. They are
// the demo seed's 36 custom models repeated with numbered ids and names
// ("code-reviewer-0007", "Code Reviewer 8"), one created every 10 minutes,
// so the rows have the demo's realistic shapes: tags, owners, prompts,
// grants, one data-URI avatar in 36.
func SyntheticFake(n int) *fakeowui.Server {
	f := fakeowui.New(fakeowui.Options{})
	demo := DemoCustomModels()
	for i := range n {
		m := demo[i%len(demo)]
		k := i / len(demo)
		m.ID = fmt.Sprintf("%s-%04d", m.ID, k)
		m.Name = fmt.Sprintf("%s %d", m.Name, k+1)
		m.CreatedAt = fakeowui.DemoEpoch + int64(i)*600
		m.UpdatedAt = m.CreatedAt + int64(i%4)*3600
		f.PutModel(m) // deep-copies meta, params and grants
	}
	return f
}
