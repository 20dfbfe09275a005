// Command oci writes the owui-mcp container image as an OCI image layout
// tarball (what `docker load`, `podman load`, skopeo and crane read), without
// a container daemon: one layer holding the static binary, a passwd entry
// for a non-root user, its home and /tmp. No shell, no libc.
//
//	go run ./packaging/oci --version 0.1.0 --out dist/owui-mcp-oci.tar \
//	    --binary linux/amd64=dist/linux_amd64/owui-mcp [--binary linux/arm64=...]
//
// Output is reproducible: fixed timestamps, sorted entries.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

const (
	// ServerName is the MCP Registry name; the registry checks that the
	// image carries it in this label.
	ServerName = "io.github.owui-mcp/owui-mcp"
	// UID is the non-root user the server runs as (the usual "nonroot").
	UID        = 65532
	binaryPath = "/usr/local/bin/owui-mcp"
	home       = "/home/nonroot"

	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// Config is the part of the OCI image config this image sets.
type Config struct {
	User         string              `json:"User"`
	Entrypoint   []string            `json:"Entrypoint"`
	Env          []string            `json:"Env"`
	WorkingDir   string              `json:"WorkingDir"`
	Labels       map[string]string   `json:"Labels"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts"`
}

type imageConfig struct {
	Created      time.Time `json:"created"`
	Architecture string    `json:"architecture"`
	OS           string    `json:"os"`
	Config       Config    `json:"config"`
	RootFS       struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
	History []map[string]string `json:"history"`
}

type blob struct {
	name string // blobs/sha256/<hex>
	data []byte
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func newBlob(b []byte) (blob, string) {
	d := digest(b)
	return blob{name: "blobs/sha256/" + strings.TrimPrefix(d, "sha256:"), data: b}, d
}

// Options are the image's inputs.
type Options struct {
	Version  string
	Source   string
	Created  time.Time
	Binaries map[string][]byte // "linux/amd64" -> binary
}

// Labels are the image's labels (OCI annotations keys plus the MCP name).
func Labels(o Options) map[string]string {
	return map[string]string{
		"io.modelcontextprotocol.server.name":      ServerName,
		"org.opencontainers.image.title":           "owui-mcp",
		"org.opencontainers.image.description":     "MCP server to manage the models of an Open WebUI instance, safely",
		"org.opencontainers.image.version":         o.Version,
		"org.opencontainers.image.source":          o.Source,
		"org.opencontainers.image.created":         o.Created.UTC().Format(time.RFC3339),
		"org.opencontainers.image.documentation":   o.Source + "#readme",
		"org.opencontainers.image.base.name":       "scratch",
		"io.modelcontextprotocol.server.version":   o.Version,
		"io.modelcontextprotocol.server.transport": "stdio",
	}
}

// layer is the image's one filesystem layer, as an uncompressed tar.
func layer(bin []byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64, uid int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: uid, ModTime: mtime, Format: tar.FormatPAX})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", UID, UID, home)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", UID)
	steps := []error{
		dir("etc", 0o755, 0),
		file("etc/group", 0o644, []byte(group)),
		file("etc/passwd", 0o644, []byte(passwd)),
		dir("home", 0o755, 0),
		// The server writes backups under $HOME/.local/state by default.
		dir("home/nonroot", 0o700, UID),
		dir("tmp", 0o1777, 0),
		dir("usr", 0o755, 0),
		dir("usr/local", 0o755, 0),
		dir("usr/local/bin", 0o755, 0),
		file(strings.TrimPrefix(binaryPath, "/"), 0o755, bin),
	}
	if err := errors.Join(steps...); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gz(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Build returns the files of the OCI image layout, in write order.
func Build(o Options) ([]blob, error) {
	if len(o.Binaries) == 0 {
		return nil, errors.New("no --binary given")
	}
	var blobs []blob
	var manifests []descriptor
	var dockerManifest []map[string]any
	for _, target := range slices.Sorted(maps.Keys(o.Binaries)) {
		goos, arch, ok := strings.Cut(target, "/")
		if !ok || goos != "linux" {
			return nil, fmt.Errorf("--binary %s: want linux/<arch>", target)
		}
		tarball, err := layer(o.Binaries[target], o.Created)
		if err != nil {
			return nil, err
		}
		zipped, err := gz(tarball)
		if err != nil {
			return nil, err
		}
		lb, ld := newBlob(zipped)
		cfg := imageConfig{Created: o.Created.UTC(), Architecture: arch, OS: goos}
		cfg.Config = Config{
			User:       fmt.Sprintf("%d:%d", UID, UID),
			Entrypoint: []string{binaryPath},
			// HOME gives the default backup dir a writable place.
			Env:          []string{"PATH=/usr/local/bin", "HOME=" + home},
			WorkingDir:   home,
			Labels:       Labels(o),
			ExposedPorts: map[string]struct{}{"8765/tcp": {}},
		}
		cfg.RootFS.Type = "layers"
		cfg.RootFS.DiffIDs = []string{digest(tarball)}
		cfg.History = []map[string]string{{"created": o.Created.UTC().Format(time.RFC3339), "created_by": "packaging/oci: owui-mcp " + o.Version}}
		cb, err := json.Marshal(cfg)
		if err != nil {
			return nil, err
		}
		cblob, cd := newBlob(cb)
		man := map[string]any{
			"schemaVersion": 2,
			"mediaType":     mediaManifest,
			"config":        descriptor{MediaType: mediaConfig, Digest: cd, Size: int64(len(cb))},
			"layers":        []descriptor{{MediaType: mediaLayer, Digest: ld, Size: int64(len(zipped))}},
			"annotations":   map[string]string{"org.opencontainers.image.version": o.Version, "io.modelcontextprotocol.server.name": ServerName},
		}
		mb, err := json.Marshal(man)
		if err != nil {
			return nil, err
		}
		mblob, md := newBlob(mb)
		blobs = append(blobs, lb, cblob, mblob)
		manifests = append(manifests, descriptor{MediaType: mediaManifest, Digest: md, Size: int64(len(mb)), Platform: &platform{Architecture: arch, OS: goos},
			Annotations: map[string]string{"org.opencontainers.image.ref.name": o.Version}})
		dockerManifest = append(dockerManifest, map[string]any{"Config": cblob.name, "RepoTags": []string{"owui-mcp:" + o.Version}, "Layers": []string{lb.name}})
	}
	index := map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": manifests}
	ib, err := json.Marshal(index)
	if err != nil {
		return nil, err
	}
	files := []blob{{name: "oci-layout", data: []byte(`{"imageLayoutVersion":"1.0.0"}`)}, {name: "index.json", data: ib}}
	// docker load reads manifest.json; it can describe one platform only.
	if len(dockerManifest) == 1 {
		db, err := json.Marshal(dockerManifest)
		if err != nil {
			return nil, err
		}
		files = append(files, blob{name: "manifest.json", data: db})
	}
	return append(files, blobs...), nil
}

// WriteTar writes the layout as a tar (an "oci-archive").
func WriteTar(w io.Writer, files []blob, mtime time.Time) error {
	tw := tar.NewWriter(w)
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: mtime}); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: mtime}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

type binFlag map[string]string

func (b binFlag) String() string { return fmt.Sprint(map[string]string(b)) }
func (b binFlag) Set(v string) error {
	t, p, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want OS/ARCH=PATH, got %q", v)
	}
	b[t] = p
	return nil
}

func main() {
	bins := binFlag{}
	version := flag.String("version", "", "image version (label and tag)")
	out := flag.String("out", "owui-mcp-oci.tar", "output tarball")
	source := flag.String("source", "https://github.com/owui-mcp/owui-mcp", "source repository URL")
	epoch := flag.Int64("created", 0, "creation time, Unix seconds (default $SOURCE_DATE_EPOCH or 0)")
	flag.Var(bins, "binary", "OS/ARCH=PATH of a static binary (repeatable)")
	flag.Parse()
	if err := run(*version, *out, *source, *epoch, bins); err != nil {
		fmt.Fprintf(os.Stderr, "oci: %v\n", err)
		os.Exit(1)
	}
}

func run(version, out, source string, epoch int64, bins binFlag) error {
	if version == "" {
		return errors.New("--version is required")
	}
	if epoch == 0 {
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			if _, err := fmt.Sscan(s, &epoch); err != nil {
				return fmt.Errorf("SOURCE_DATE_EPOCH=%q: %v", s, err)
			}
		}
	}
	o := Options{Version: version, Source: source, Created: time.Unix(epoch, 0).UTC(), Binaries: map[string][]byte{}}
	for t, p := range bins {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		o.Binaries[t] = b
	}
	files, err := Build(o)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := WriteTar(f, files, o.Created); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
