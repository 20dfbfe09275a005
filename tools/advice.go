package tools

import "github.com/owui-mcp/owui-mcp/owui"

// advice says what the agent (or its user) can do next after an Open WebUI
// failure of kind k: which tool to call, which setting to check, whether a
// retry can help. The client only classifies failures; advice naming tools
// and flags belongs here, beside the tools.
func advice(k owui.Kind) string {
	switch k {
	case owui.KindNotFound:
		return "No model with this id is visible to this key: check the id with list_models (ids are case-sensitive and may contain '/' or ':')."
	case owui.KindForbidden:
		return "The Open WebUI key lacks permission for this: admin-only operations need an admin's key; other changes need ownership of the model or a write grant."
	case owui.KindUnauthenticated:
		return "Open WebUI rejected the credentials: check OPENWEBUI_API_KEY (an sk- key from Settings > Account) and that it belongs to an active user."
	case owui.KindAPIKeysDisabled:
		return "API keys are disabled on this Open WebUI: an admin must enable them (Admin Panel > Settings > General > Enable API Keys, or ENABLE_API_KEYS=true)."
	case owui.KindConflict:
		return "Choose another model id, or update the existing model with update_model."
	case owui.KindVersionConflict:
		return "The model changed in Open WebUI while this change was being written, so Open WebUI refused it: read it again (a fresh preview) and repeat the change on the current version."
	case owui.KindInvalid:
		return "Open WebUI rejected the request as invalid: correct the arguments named in the detail and call again."
	case owui.KindRouteMissing:
		return "This Open WebUI version does not have this endpoint: upgrade Open WebUI or use another tool."
	case owui.KindServer:
		return "Open WebUI failed internally: check its logs; the change may or may not have been applied, so read the model back before retrying."
	case owui.KindUnavailable:
		return "Open WebUI is not reachable: check OPENWEBUI_URL and that the server is running, then retry."
	case owui.KindTimeout:
		return "Open WebUI did not answer in time: retry later or raise --timeout; for a change, read the model back first, as it may have been applied."
	case owui.KindBadResponse:
		return "Open WebUI answered with something unexpected: check that OPENWEBUI_URL points at Open WebUI's root, and read the model back before retrying."
	case owui.KindTooLarge:
		return "The answer was too large to handle: narrow the request (filters, one model at a time)."
	case owui.KindUnsupported:
		return "Only Ollama connections and OpenAI-compatible connections set up as a llama.cpp provider can unload models; other providers manage their own memory. Nothing was changed, and retrying will not help."
	case owui.KindCanceled:
		return "The call was cancelled before Open WebUI answered; a change may or may not have been applied."
	}
	return "Retry, or check the Open WebUI server logs."
}
