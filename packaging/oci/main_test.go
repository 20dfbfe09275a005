package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func TestBuildWritesANonRootImageWithTheRegistryLabel(t *testing.T) {
	o := Options{Version: "1.2.3", Source: "https://example.com/src", Created: time.Unix(1700000000, 0), Binaries: map[string][]byte{"linux/arm64": []byte("ELF-binary")}}
	files, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.name] = f.data
	}
	var index struct {
		Manifests []descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(byName["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index: %v %s", err, byName["index.json"])
	}
	if p := index.Manifests[0].Platform; p == nil || p.OS != "linux" || p.Architecture != "arm64" {
		t.Errorf("platform %+v", p)
	}
	blobOf := func(d string) []byte {
		b, ok := byName["blobs/sha256/"+strings.TrimPrefix(d, "sha256:")]
		if !ok || digest(b) != d {
			t.Fatalf("blob %s missing or wrong", d)
		}
		return b
	}
	var man struct {
		Config descriptor   `json:"config"`
		Layers []descriptor `json:"layers"`
	}
	if err := json.Unmarshal(blobOf(index.Manifests[0].Digest), &man); err != nil {
		t.Fatal(err)
	}
	var cfg imageConfig
	if err := json.Unmarshal(blobOf(man.Config.Digest), &cfg); err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "/usr/local/bin/owui-mcp" || c.Labels["io.modelcontextprotocol.server.name"] != "io.github.owui-mcp/owui-mcp" || c.Labels["org.opencontainers.image.version"] != "1.2.3" {
		t.Errorf("config %+v", c)
	}
	zr, err := gzip.NewReader(bytes.NewReader(blobOf(man.Layers[0].Digest)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	if digest(raw) != cfg.RootFS.DiffIDs[0] {
		t.Error("diff_id is not the digest of the uncompressed layer")
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	seen := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[strings.TrimSuffix(h.Name, "/")] = h
		if h.Name == "usr/local/bin/owui-mcp" {
			b, _ := io.ReadAll(tr)
			if string(b) != "ELF-binary" || h.Mode != 0o755 {
				t.Errorf("binary %q mode %o", b, h.Mode)
			}
		}
	}
	if h := seen["home/nonroot"]; h == nil || h.Uid != UID {
		t.Errorf("home not owned by the user: %+v", h)
	}
	if h := seen["tmp"]; h == nil || h.Mode != 0o1777 {
		t.Errorf("tmp: %+v", h)
	}
	for _, sh := range []string{"bin/sh", "bin"} {
		if seen[sh] != nil {
			t.Errorf("image has %s", sh)
		}
	}
	// Reproducible: the same inputs give the same bytes.
	again, _ := Build(o)
	var a, b bytes.Buffer
	_ = WriteTar(&a, files, o.Created)
	_ = WriteTar(&b, again, o.Created)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two builds differ")
	}
	if _, err := Build(Options{Version: "1", Binaries: map[string][]byte{"darwin/arm64": nil}}); err == nil {
		t.Error("a non-linux binary was accepted")
	}
}
