package fakeowui

import (
	"net/http"
	"time"
)

// Routes that live in Open WebUI's main.py and auths router rather than in
// the models router.

// faviconPNG is a valid 1x1 PNG served as /static/favicon.png.
const faviconPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\b\x02\x00\x00\x00\x90wS\xde" +
	"\x00\x00\x00\x10IDATx\xdab\x92\xcf\x7f\r\b\x00\x00\xff\xff\x022\x01|\xfa\xf5C6\x00\x00\x00\x00IEND\xaeB`\x82"

func handleFavicon(*call) *response {
	return &response{status: http.StatusOK, header: http.Header{"Content-Type": {"image/png"}}, body: []byte(faviconPNG)}
}

func handleStatusTrue(*call) *response {
	return jsonResp(http.StatusOK, map[string]bool{"status": true})
}

func (s *Server) handleVersion(*call) *response {
	return jsonResp(http.StatusOK, map[string]string{"version": s.opts.Version})
}

// handleSessionUser is GET /api/v1/auths/. The real response also echoes
// the token; the fake leaves it out so it never hands credentials back.
func (s *Server) handleSessionUser(c *call) *response {
	u := c.user
	return jsonResp(http.StatusOK, map[string]any{
		"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role,
		"profile_image_url": "/user.png",
	})
}

// handleProviderModels is GET /api/models/base: the live provider list in
// the shape main.py builds for OpenAI and Ollama connections (doc §3.4).
func (s *Server) handleProviderModels(*call) *response {
	data := make([]map[string]any, 0, len(s.providers))
	for _, p := range s.providers {
		item := map[string]any{
			"id": p.id, "name": p.id, "object": "model", "created": p.created, "owned_by": p.ownedBy,
		}
		if p.ownedBy == "ollama" {
			item["ollama"] = map[string]any{
				"name": p.id, "model": p.id,
				"modified_at": time.Unix(p.created, 0).UTC().Format(time.RFC3339),
				"size":        0, "digest": "", "details": map[string]any{},
			}
			item["connection_type"] = "local"
			item["urlIdxs"] = []int{0}
			item["tags"] = []any{}
		} else {
			item["openai"] = map[string]any{"id": p.id, "object": "model", "created": p.created, "owned_by": p.ownedBy}
			item["connection_type"] = "external"
			item["urlIdx"] = 0
		}
		data = append(data, item)
	}
	return jsonResp(http.StatusOK, map[string]any{"data": data})
}

// handleUnload is POST /api/models/unload. A DB row that is not a provider
// model is resolved through its base_model_id chain (0.10.0+).
func (s *Server) handleUnload(c *call) *response {
	obj, bad := bodyObject(c)
	if bad != nil {
		return bad
	}
	f := &fields{obj: obj, loc: []any{"body"}}
	id := f.str("model", true)
	if len(f.errs) > 0 {
		return validationResp(f.errs)
	}
	seen := map[string]bool{}
	for {
		if p, ok := s.provider(id); ok {
			if !p.canUnload {
				return detailResp(http.StatusBadRequest, `Provider "`+p.ownedBy+`" does not support model unloading`)
			}
			return jsonResp(http.StatusOK, map[string]bool{"status": true})
		}
		r, ok := s.rows[id]
		if !ok || r.isBase() || seen[id] {
			return detailResp(http.StatusNotFound, `Model "`+id+`" not found`)
		}
		seen[id] = true
		id = *r.baseModelID
	}
}
