package packaging

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const serverName = "io.github.owui-mcp/owui-mcp"

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func version(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("VERSION")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// server.json must validate against the MCP Registry's published schema
// (pinned in registry/server.schema.json, the one its $schema names).
func TestServerJSONMatchesRegistrySchema(t *testing.T) {
	schemaBytes, err := os.ReadFile("registry/server.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaBytes))
	if err != nil {
		t.Fatal(err)
	}
	id := schemaDoc.(map[string]any)["$id"].(string)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("registry/server.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("server.json does not match the registry schema:\n%v", err)
	}
	doc := inst.(map[string]any)
	if doc["$schema"] != id {
		t.Errorf("$schema %v, want the pinned schema %s", doc["$schema"], id)
	}

	// The validator must be able to fail: a broken copy is refused.
	var broken map[string]any
	_ = json.Unmarshal(raw, &broken)
	broken["name"] = "no-slash"
	delete(broken, "version")
	if err := sch.Validate(broken); err == nil {
		t.Error("a server.json without version and with a bad name passed the schema")
	}
}

// Every channel names the same server and version, and carries what the
// registry checks to prove ownership (npm mcpName, PyPI README line, OCI label).
func TestChannelsAgree(t *testing.T) {
	v := version(t)
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(v) {
		t.Fatalf("VERSION %q: want MAJOR.MINOR.PATCH (valid for npm, PyPI and OCI tags)", v)
	}
	srv := readJSON(t, "registry/server.json")
	if srv["name"] != serverName || srv["version"] != v {
		t.Errorf("server.json name/version %v %v", srv["name"], srv["version"])
	}
	kinds := map[string]map[string]any{}
	for _, p := range srv["packages"].([]any) {
		p := p.(map[string]any)
		kinds[p["registryType"].(string)] = p
	}
	if kinds["pypi"]["identifier"] != "owui-mcp" || kinds["pypi"]["version"] != v {
		t.Errorf("pypi package %v", kinds["pypi"])
	}
	if kinds["npm"]["identifier"] != "owui-mcp" || kinds["npm"]["version"] != v {
		t.Errorf("npm package %v", kinds["npm"])
	}
	if kinds["oci"]["identifier"] != "ghcr.io/owui-mcp/owui-mcp:"+v {
		t.Errorf("oci package %v", kinds["oci"])
	}

	npm := readJSON(t, "npm/package.json")
	if npm["name"] != "owui-mcp" || npm["version"] != v || npm["mcpName"] != serverName {
		t.Errorf("npm package.json name/version/mcpName: %v %v %v", npm["name"], npm["version"], npm["mcpName"])
	}
	for dep, dv := range npm["optionalDependencies"].(map[string]any) {
		if dv != v || !strings.HasPrefix(dep, "@owui-mcp/owui-mcp-") {
			t.Errorf("optional dependency %s@%v", dep, dv)
		}
	}
	readme, err := os.ReadFile("npm/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "mcp-name: "+serverName) {
		t.Error("the package README (also the wheel's description) lacks the mcp-name line PyPI verification needs")
	}
	oci, err := os.ReadFile("oci/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(oci), `ServerName = "`+serverName+`"`) {
		t.Error("the OCI image label names another server")
	}

	mcpb := readJSON(t, "mcpb/manifest.json")
	if mcpb["version"] != v || mcpb["name"] != "owui-mcp" {
		t.Errorf("mcpb manifest name/version %v %v", mcpb["name"], mcpb["version"])
	}
}

// The environment variables the registry entry and the bundle set are ones
// the server reads.
func TestChannelEnvVarsExist(t *testing.T) {
	mainGo, err := os.ReadFile(filepath.Join("..", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	srv := readJSON(t, "registry/server.json")
	for _, p := range srv["packages"].([]any) {
		for _, e := range p.(map[string]any)["environmentVariables"].([]any) {
			names = append(names, e.(map[string]any)["name"].(string))
		}
	}
	mcpb := readJSON(t, "mcpb/manifest.json")
	env := mcpb["server"].(map[string]any)["mcp_config"].(map[string]any)["env"].(map[string]any)
	for k := range env {
		names = append(names, k)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) < 5 {
		t.Fatalf("too few env vars found: %v", names)
	}
	for _, n := range names {
		if !bytes.Contains(mainGo, []byte(`"`+n+`"`)) {
			t.Errorf("%s is set by a channel but main.go does not read it", n)
		}
	}
	// Every user_config field is used, and the API key is marked sensitive.
	uc := mcpb["user_config"].(map[string]any)
	cfg, _ := json.Marshal(mcpb["server"])
	for k, f := range uc {
		if !strings.Contains(string(cfg), "${user_config."+k+"}") {
			t.Errorf("user_config.%s is never passed to the server", k)
		}
		if strings.Contains(k, "key") && f.(map[string]any)["sensitive"] != true {
			t.Errorf("user_config.%s must be sensitive", k)
		}
	}
}
