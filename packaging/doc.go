// Package packaging holds the install channels of owui-mcp (GoReleaser,
// PyPI wheel, npm, OCI image, Claude Desktop bundle, MCP Registry entry)
// and the tests that keep their metadata valid and consistent.
// scripts/packaging-check builds and installs each channel.
package packaging
