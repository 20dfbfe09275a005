"""Minimal Python MCP server: the cold-start baseline of BENCHMARKS.md row 1.

One tool, stdio transport, built with the official MCP Python SDK (package
`mcp`). In mcp 2.x FastMCP is called MCPServer; mcp 1.x still has FastMCP.
It does the least an MCP server can: import the SDK, register one tool,
answer initialize. Run by test/bench/cmd/report; not part of owui-mcp.
"""

try:  # mcp >= 2
    from mcp.server.mcpserver import MCPServer as Server
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as Server

server = Server("bench-minimal")


@server.tool()
def get_model(id: str) -> dict:
    """Get one model by id (a stand-in that echoes the id)."""
    return {"id": id}


if __name__ == "__main__":
    server.run()
