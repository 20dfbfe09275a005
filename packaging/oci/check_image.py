#!/usr/bin/env python3
"""Check the owui-mcp OCI image tarball the way a runtime would read it.

    check_image.py IMAGE.tar ROOTFS_DIR

Reads the OCI layout (index.json -> manifest -> config and layer, checking
every blob's digest), checks the config (non-root user, entrypoint, the MCP
Registry label) and that the image has no shell, and unpacks the layer into
ROOTFS_DIR so that the caller can run the binary inside. Standard library
only: an independent reader of what packaging/oci wrote.
"""

import gzip
import hashlib
import io
import json
import sys
import tarfile

SERVER_NAME = "io.github.owui-mcp/owui-mcp"
ENTRYPOINT = ["/usr/local/bin/owui-mcp"]


def fail(msg):
    sys.exit(f"check_image: {msg}")


def main(image, rootfs):
    with tarfile.open(image) as t:
        def read(name):
            return t.extractfile(name).read()

        def blob(desc):
            algo, hexd = desc["digest"].split(":", 1)
            data = read(f"blobs/{algo}/{hexd}")
            if hashlib.sha256(data).hexdigest() != hexd or len(data) != desc["size"]:
                fail(f"blob {desc['digest']} does not match its digest or size")
            return data

        if json.loads(read("oci-layout")).get("imageLayoutVersion") != "1.0.0":
            fail("bad oci-layout")
        index = json.loads(read("index.json"))
        if not index.get("manifests"):
            fail("index.json lists no manifest")
        for mdesc in index["manifests"]:
            plat = mdesc.get("platform", {})
            manifest = json.loads(blob(mdesc))
            config = json.loads(blob(manifest["config"]))
            c = config["config"]
            where = f"{plat.get('os')}/{plat.get('architecture')}"
            if (config["os"], config["architecture"]) != (plat.get("os"), plat.get("architecture")):
                fail(f"{where}: config says {config['os']}/{config['architecture']}")
            user = c.get("User", "")
            if user in ("", "0", "root") or user.split(":")[0] in ("0", "root"):
                fail(f"{where}: runs as root (User {user!r})")
            if c.get("Entrypoint") != ENTRYPOINT:
                fail(f"{where}: entrypoint {c.get('Entrypoint')}")
            label = c.get("Labels", {}).get("io.modelcontextprotocol.server.name")
            if label != SERVER_NAME:
                fail(f"{where}: label io.modelcontextprotocol.server.name = {label!r}")
            if len(manifest["layers"]) != len(config["rootfs"]["diff_ids"]):
                fail(f"{where}: layers and diff_ids differ in number")
            for ldesc, diff in zip(manifest["layers"], config["rootfs"]["diff_ids"]):
                raw = gzip.decompress(blob(ldesc))
                if "sha256:" + hashlib.sha256(raw).hexdigest() != diff:
                    fail(f"{where}: layer diff_id mismatch")
                with tarfile.open(fileobj=io.BytesIO(raw)) as layer:
                    names = {m.name.rstrip("/") for m in layer.getmembers()}
                    for sh in ("bin/sh", "bin/bash", "usr/bin/sh", "bin/busybox"):
                        if sh in names:
                            fail(f"{where}: the image has a shell ({sh})")
                    binm = layer.getmember(ENTRYPOINT[0].lstrip("/"))
                    if not binm.mode & 0o111:
                        fail(f"{where}: the binary is not executable")
                    uid = int(user.split(":")[0]) if user.split(":")[0].isdigit() else None
                    home = [m for m in layer.getmembers() if m.name.rstrip("/") == "home/nonroot"]
                    if uid is None or not home or home[0].uid != uid:
                        fail(f"{where}: no home directory owned by the user {user}")
                    tmp = [m for m in layer.getmembers() if m.name.rstrip("/") == "tmp"]
                    if not tmp or tmp[0].mode & 0o7777 != 0o1777:
                        fail(f"{where}: /tmp is missing or not world-writable with the sticky bit")
                    if len(index["manifests"]) == 1:
                        # Our own artifact, unpacked as-is (modes, owners) so
                        # that the binary can be run in it as the image user.
                        if hasattr(tarfile, "fully_trusted_filter"):
                            layer.extractall(rootfs, filter="fully_trusted")
                        else:
                            layer.extractall(rootfs)
            print(f"image {where}: user {user}, entrypoint {c['Entrypoint']}, label {label}, {len(manifest['layers'])} layer(s), no shell")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
