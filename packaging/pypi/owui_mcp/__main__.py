from owui_mcp import main

main()
