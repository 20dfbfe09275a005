// Command gen writes schemas/zz_schemas_gen.go: the published JSON schema of
// every tool's arguments and result, reflected from the declarations in
// package tools, so that the server does no reflection at start-up.
// Run it with `go generate ./...` (from the module root) after changing a
// tool declaration or a type in package schemas.
package main

import (
	"fmt"
	"os"

	"github.com/owui-mcp/owui-mcp/schemas/schemagen"
	"github.com/owui-mcp/owui-mcp/tools"
)

func main() {
	src, err := schemagen.Source(tools.Schemas())
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemas/gen:", err)
		os.Exit(1)
	}
	// go generate runs this in the package directory (schemas/).
	if err := os.WriteFile(schemagen.GeneratedFile, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "schemas/gen:", err)
		os.Exit(1)
	}
}
